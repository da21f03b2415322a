"""Lever note text to the HTML Ashby's `candidate.createNote` accepts (`{"type": "text/html", "value": ...}`).

Lever notes are text a person typed, so anything can be in them. Ashby keeps only `<b> <i> <u> <a> <ul> <ol> <li>
<code> <pre>` and strips every other element, which would silently delete what a recruiter wrote about
`<script>` or `<Senior Engineer>`. So the allowed elements stay markup (lower case, no attributes but a safe
`<a href>`), and everything else, other tags, comments, doctypes, stray `<` and `&`, becomes escaped text that
shows exactly as typed. The output contains no markup but the tags written here, whatever the parser makes of the
input: every other character comes out of `_escape_text`.

Decisions:
- NUL characters are dropped (no renderer shows them and Ashby's text columns may refuse them); lone UTF-16
  surrogates, which cannot be encoded as UTF-8, become U+FFFD.
- Character references the user typed complete (`&amp;`, `&eacute;`, `&#8212;`, with the semicolon) are kept as
  written; every other `&` is escaped, so `AT&T` or `?a=1&copy=2` shows as typed and never turns into `©`.
- `<b/>` is an empty element; an `<a>` without a safe href keeps its text and loses the tag, as its `</a>` does.
- Nesting deeper than `MAX_DEPTH` allowed elements is shown as text (a million nested `<b>` is no note).
"""

from __future__ import annotations

import html
import re
from html.entities import html5 as _NAMED_REFERENCES
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({"b", "i", "u", "a", "ul", "ol", "li", "code", "pre"})
SAFE_SCHEMES = ("http", "https", "mailto")
LINK_REL = "noopener noreferrer"
MAX_DEPTH = 64
# Elements a new one of the same name ends, as in browsers: links do not nest, and `<li>one<li>two` is two items
# (within one list: a list nested in an item keeps its own items).
_ENDS_OPEN = frozenset({"a", "li"})

# A `<` that may open or close an allowed element: `<b>`, `</li >`, `<a href="...">`. The parser only ever sees
# these; every other `<` is hidden from it (see `_mask`). ASCII only: with re.IGNORECASE alone, the Kelvin sign
# would match `k` and the long s would match `s`.
_CANDIDATE_OR_LT = re.compile(r"(</?(?:a|b|i|u|ul|ol|li|code|pre)(?=[\t\n\r\f />])[^<>]*>)|<", re.IGNORECASE | re.ASCII)
# `&` with what may follow it as a complete reference, and the two characters that are always escaped.
_TEXT_SPECIAL = re.compile(r"&(?:#[0-9]{1,8};|#[xX][0-9a-fA-F]{1,8};|[A-Za-z][A-Za-z0-9]{0,31};)?|[<>]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Browsers ignore tabs and newlines anywhere in a URL and controls and spaces around it, so `java&#9;script:`
# and ` javascript:` are javascript: URLs. Controls go wherever they are (they have no place in a URL), spaces and
# other whitespace at both ends; inner spaces stay (they are part of the address, and no scheme contains one).
_URL_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_SAFE_URL = re.compile(rf"(?:{'|'.join(SAFE_SCHEMES)}):", re.IGNORECASE | re.ASCII)


# text without markup characters, NUL or lone surrogates is already safe HTML as it is
_PLAIN = re.compile(r"[^<>&\x00\ud800-\udfff]*")


def plain_text_html(text: str) -> str:
    """`text` shown verbatim in HTML (an attribution header, a name): everything escaped."""
    return html.escape(text, quote=True)


def sanitize_note_html(text: str) -> str:
    """Note text as Ashby-safe HTML: allowed elements kept and balanced, everything else escaped as visible text."""
    if _PLAIN.fullmatch(text):  # most values: nothing to parse, escape or drop
        return text
    text = _SURROGATE.sub("\ufffd", text.replace("\x00", ""))
    sanitizer = _Sanitizer(text)
    sanitizer.feed(_mask(text))
    sanitizer.close()
    return sanitizer.result()


def is_safe_note_html(value: str) -> bool:
    """True only when every element of `value` is an allowed one, without attributes but `a`'s safe href and rel.

    Used on our own output (tests, validation); comments, declarations and a `<` that is not an allowed tag all
    count as unsafe, so it is stricter than any browser.
    """
    checker = _Checker()
    checker.feed(value)
    checker.close()
    return checker.safe and not checker.rawdata and value.count("<") == checker.tags


def safe_href(href: str | None) -> str | None:
    """`href` (already HTML-unescaped) if it is an http, https or mailto URL, cleaned of controls and outer spaces.

    An allow-list: whatever the scheme is written as, if it does not read http, https or mailto it is refused.
    """
    if href is None:
        return None
    cleaned = _URL_CONTROLS.sub("", href).strip()
    return cleaned if _SAFE_URL.match(cleaned) else None


def _mask(text: str) -> str:
    """`text` with every `<` that cannot start an allowed tag replaced by NUL (gone from the input by now).

    The parser then never enters script/style raw-text mode (where it would hide the rest of a note with no
    `</script>`), and never meets an unterminated tag: it rescans `<b <b <b ...` to the end for every `<`, so
    100 KB of that took Python 3.11.7's parser 86 s. The masked text has the same length, so the parser's
    positions are positions in `text`; NUL also ends a tag name for the parser.
    """
    return _CANDIDATE_OR_LT.sub(lambda match: match.group(1) or "\x00", text)


def _escape_text(raw: str) -> str:
    return _TEXT_SPECIAL.sub(_escape_special, raw)


def _escape_special(match: re.Match[str]) -> str:
    token = match.group()
    if token == "<":
        return "&lt;"
    if token == ">":
        return "&gt;"
    if len(token) > 1 and _is_reference(token):
        return token
    return "&amp;" + token[1:]


def _is_reference(token: str) -> bool:
    """A complete character reference HTML defines: a known name, or a code point that is a character."""
    if token[1] != "#":
        return token[1:] in _NAMED_REFERENCES
    code = int(token[3:-1], 16) if token[2] in "xX" else int(token[2:-1])
    # &#0; would bring back the NUL dropped above; surrogates are not characters.
    return 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF


class _Sanitizer(HTMLParser):
    """Reads only where the allowed tags are (start and end offsets); all text between them is escaped."""

    def __init__(self, text: str) -> None:
        # Text events are ignored: text is cut from `text` by offset and escaped here, because the parser's own
        # text is lossy (with convert_charrefs=False, 3.11.7 reports a note ending in "AT&T" as "AT", "T"). True
        # keeps it off its `&` paths altogether; entities are kept as written by `_escape_text`, not by it.
        super().__init__(convert_charrefs=True)
        self._text = text
        self._line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self._out: list[str] = []
        self._done = 0  # text[:_done] is in _out
        self._open: list[tuple[str, bool]] = []  # allowed elements open now, and whether their tag was written

    def result(self) -> str:
        self._write_text_up_to(len(self._text))
        while self._open:
            self._close_top()
        return "".join(self._out)

    # -- parser events (offsets: the parser's position is the `<` of the tag it reports) --

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, empty=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, empty=True)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            return
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                break
        else:
            return  # a close tag without an open tag stays in the text, escaped
        start = self._offset()
        self._write_text_up_to(start)
        while len(self._open) > depth:  # closes what was opened inside it and left open
            self._close_top()
        self._done = self._text.index(">", start) + 1

    # -- output --

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], empty: bool) -> None:
        if tag not in ALLOWED_TAGS or len(self._open) >= MAX_DEPTH:
            return  # left in the text, escaped
        start = self._offset()
        self._write_text_up_to(start)
        raw = self.get_starttag_text() or ""
        self._done = start + len(raw)
        written = True
        if tag in _ENDS_OPEN:
            self._end_open(tag)
        if tag == "a":
            href = safe_href(_attr(attrs, "href"))
            written = href is not None
            if href is not None:
                self._out.append(f'<a href="{html.escape(href, quote=True)}" rel="{LINK_REL}">')
        else:
            self._out.append(f"<{tag}>")
        self._open.append((tag, written))
        if empty:
            self._close_top()

    def _end_open(self, tag: str) -> None:
        """Close an open `tag` (and what is open inside it); for `li`, only one of the innermost list."""
        for depth in range(len(self._open) - 1, -1, -1):
            name = self._open[depth][0]
            if tag == "li" and name in ("ul", "ol"):
                return
            if name == tag:
                while len(self._open) > depth:
                    self._close_top()
                return

    def _close_top(self) -> None:
        tag, written = self._open.pop()
        if written:
            self._out.append(f"</{tag}>")

    def _write_text_up_to(self, end: int) -> None:
        if end > self._done:
            self._out.append(_escape_text(self._text[self._done : end]))
            self._done = end

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str | None:
    """The first value of attribute `name` (browsers ignore repeats), NUL-masked `<` restored."""
    for key, value in attrs:
        if key == name:
            return None if value is None else value.replace("\x00", "<")
    return None


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.safe = True
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        raw = self.get_starttag_text() or ""
        if tag not in ALLOWED_TAGS or "<" in raw[1:]:
            self.safe = False
        elif tag != "a":
            self.safe = self.safe and not attrs
        else:
            names = [name for name, _ in attrs]
            values = dict(attrs)
            self.safe = (
                self.safe
                and len(names) == len(set(names))
                and set(names) <= {"href", "rel"}
                and ("href" not in values or safe_href(values["href"]) == values["href"])
                and values.get("rel", LINK_REL) == LINK_REL
            )

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.tags += 1
        self.safe = self.safe and tag in ALLOWED_TAGS

    def handle_comment(self, data: str) -> None:
        self.safe = False

    def handle_decl(self, decl: str) -> None:
        self.safe = False

    def handle_pi(self, data: str) -> None:
        self.safe = False

    def unknown_decl(self, data: str) -> None:
        self.safe = False
