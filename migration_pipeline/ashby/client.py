"""The Ashby API client: the RPC call with its `success` check, typed errors, one shared rate budget per
key, retries of transport failures, cursor paging and sync tokens, and the file upload flow, written once.

Every call is `POST {base}/{endpoint}` with a JSON body, HTTP Basic auth (the key as username, empty
password) and `Accept: application/json; version=1`. Ashby answers most refusals with HTTP 200 and
`success: false`, so `success` is checked on every reply, never the status alone.

What is retried, with tenacity: 429, 5xx, 408, timeouts, dropped connections and truncated bodies, after
`Retry-After` when the answer carries it, else exponential backoff with full jitter, up to `max_attempts`
attempts in all. What is never retried: business errors (`success: false`), 401/403 and other 4xx.

Idempotence is not the client's job. A retried write whose first response was lost (the write committed,
the client saw a 500 or a cut connection) may have happened twice; the loader's ledger reconciles by
reading Ashby before it writes again. The client only guarantees the call is not given up on too early.

Rate: every attempt takes a token from a `SharedTokenBucket` named after the key's fingerprint, so the
threads, steps and runs on the machine that use one key share `rate_per_minute` together. The
`x-ratelimit-*` headers pace it further: a reply saying no requests remain holds every user of the key
until the window resets, and a 429 drains the bucket so every user backs off, not only the one that met it.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential
from urllib3.exceptions import ProtocolError

from migration_pipeline.ashby.errors import (
    PERMISSION_CODE,
    AshbyAuthError,
    AshbyError,
    AshbyPermissionError,
    AshbyResponseError,
    AshbySyncTokenError,
    AshbyTransientError,
    business_error_class,
)
from migration_pipeline.config import Secret
from migration_pipeline.ratelimit import SharedTokenBucket, fingerprint

__all__ = ["AshbyClient", "ClientStats", "SyncResult", "UploadContext"]

log = logging.getLogger(__name__)

T = TypeVar("T")
UploadContext = Literal["CandidateResume", "CandidateFiles"]

ASHBY_RATE_PER_MINUTE = 1000.0
# Ashby counts requests in a one-minute window and grants no burst above it: keep the client's small, so a
# start-up burst cannot overrun the window (the x-ratelimit headers catch the edge when it comes close).
DEFAULT_BURST = 10
ACCEPT = "application/json; version=1"
MAX_PAGE_SIZE = 100
RETRY_AFTER_CAP_SECONDS = 300.0
RESET_CAP_SECONDS = 60.0  # a rate window is a minute: a longer reset is a misread header
_MASK = "********"
_EPOCH_SECONDS = 1e9  # an x-ratelimit-reset above this is a timestamp, not a delay
_EPOCH_MILLIS = 1e12
_TRANSPORT_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError, ProtocolError)


@dataclass(frozen=True)
class SyncResult:
    """Every item of one sync and the token for the next. `full_sync`: the items are the whole list, not
    changes; `resync_reason`: the error code that made the client drop the token it was given."""

    items: list[dict[str, Any]]
    sync_token: str | None
    full_sync: bool
    resync_reason: str | None = None


@dataclass
class ClientStats:
    """What the client did, for Dagster metadata. Safe to update from many threads."""

    calls: Counter[str] = field(default_factory=Counter)  # HTTP attempts per endpoint (each took a token)
    rate_limited: int = 0  # 429s met
    retries: int = 0  # waits before another attempt
    server_errors: int = 0  # 5xx met
    timeouts: int = 0
    dropped: int = 0  # connections cut, bodies truncated or unreadable
    business_errors: int = 0  # success: false answers (never retried)
    header_waits: int = 0  # replies saying the key's window was spent
    uploads: int = 0  # presigned file POSTs (not Ashby API calls: no token taken)
    waited_for_rate_seconds: float = 0.0  # time spent waiting on the shared bucket
    waited_for_retry_seconds: float = 0.0  # time spent in retry backoff (Retry-After included)
    started_at: float = field(default_factory=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, endpoint: str | None = None, **amounts: float) -> None:
        with self._lock:
            if endpoint is not None:
                self.calls[endpoint] += 1
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def as_metadata(self) -> dict[str, Any]:
        with self._lock:
            elapsed = max(time.time() - self.started_at, 1e-6)
            total = sum(self.calls.values())
            return {
                "calls": total,
                "calls_per_endpoint": dict(sorted(self.calls.items())),
                **{name: round(getattr(self, name), 3) for name in _COUNTERS},
                "started_at": datetime.fromtimestamp(self.started_at, UTC).isoformat(),
                "elapsed_seconds": round(elapsed, 3),
                "achieved_rate_per_minute": round(total / elapsed * 60, 1),
            }


_COUNTERS = tuple(f.name for f in fields(ClientStats) if f.type in ("int", "float") and f.name != "started_at")


class AshbyClient:
    """An Ashby API client for one key. Safe to share between threads.

    `rate_per_minute` and `burst` size the key's shared bucket, kept in `state_dir` (by default
    `ratelimit.default_state_dir()`, shared by every run of the user on the machine). `timeout` is per HTTP
    attempt; `max_attempts` counts the first one.
    """

    def __init__(
        self,
        base_url: str,
        api_key: Secret,
        *,
        rate_per_minute: float = ASHBY_RATE_PER_MINUTE,
        burst: int = DEFAULT_BURST,
        state_dir: Path | str | None = None,
        timeout: float = 30.0,
        max_attempts: int = 8,
        backoff_initial: float = 0.5,
        backoff_max: float = 60.0,
        session: requests.Session | None = None,
        user_agent: str = "migration-pipeline (Ashby load)",
    ) -> None:
        if not isinstance(api_key, Secret):
            raise TypeError("api_key must be a Secret")
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.key_fingerprint = fingerprint(api_key.reveal(), "ashby-key")
        self.limiter = SharedTokenBucket(self.key_fingerprint, rate_per_minute / 60.0, burst, state_dir)
        self.stats = ClientStats()
        self._key = api_key
        # An empty key sends no credentials: Ashby's 401 then says the key is missing, as for any other caller.
        credentials = base64.b64encode(f"{api_key.reveal()}:".encode()).decode("ascii")
        self._auth_headers = {"Authorization": f"Basic {credentials}"} if api_key else {}
        self._backoff = wait_random_exponential(multiplier=backoff_initial, max=backoff_max)
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"AshbyClient(base_url={self.base_url!r}, key={self.key_fingerprint})"

    def __enter__(self) -> AshbyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    # ---- calls ---------------------------------------------------------------------------------------

    def call(self, endpoint: str, body: dict[str, Any] | None = None) -> Any:
        """`results` of a successful call; a typed `AshbyError` otherwise."""
        return self.call_envelope(endpoint, body).get("results")

    def call_envelope(self, endpoint: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole successful answer (`results`, `moreDataAvailable`, `nextCursor`, `syncToken`, `warnings`)."""
        payload = json.dumps({} if body is None else body).encode()
        return self._with_retries(endpoint, lambda: self._attempt(endpoint, payload))

    def write(self, endpoint: str, body: dict[str, Any] | None = None) -> Any:
        """A call that creates something: retried only when Ashby certainly did not process it (429). A
        timeout, a 5xx or a dropped connection may have committed the write, so it is raised
        (`AshbyTransientError.ambiguous`) for the caller to look in Ashby before writing again."""
        payload = json.dumps({} if body is None else body).encode()
        return self._with_retries(endpoint, lambda: self._attempt(endpoint, payload), only_rate_limits=True).get(
            "results"
        )

    # ---- paging and sync -------------------------------------------------------------------------------

    def pages(self, endpoint: str, body: dict[str, Any] | None = None, *, limit: int = MAX_PAGE_SIZE) -> Iterator[dict]:
        """Every answer of a cursor-paged list, first to last. Ashby may answer an empty page with more to
        come, so only `moreDataAvailable` ends the walk."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE} (Ashby's maximum)")
        request = {**(body or {}), "limit": limit}
        while True:
            envelope = self.call_envelope(endpoint, request)
            yield envelope
            if not envelope.get("moreDataAvailable"):
                return
            cursor = envelope.get("nextCursor")
            if not cursor:
                raise AshbyResponseError(
                    f"Ashby answered moreDataAvailable without a nextCursor on {endpoint}", endpoint=endpoint
                )
            request = {**request, "cursor": cursor}

    def paginate(
        self, endpoint: str, body: dict[str, Any] | None = None, *, limit: int = MAX_PAGE_SIZE
    ) -> Iterator[dict]:
        """Every item of a list endpoint, page after page."""
        for envelope in self.pages(endpoint, body, limit=limit):
            yield from envelope.get("results") or []

    def sync(
        self,
        endpoint: str,
        body: dict[str, Any] | None = None,
        sync_token: str | None = None,
        *,
        limit: int = MAX_PAGE_SIZE,
    ) -> SyncResult:
        """What changed since `sync_token` (everything without one) and the token for the next sync. A
        token Ashby will not take (expired, invalid, too many changes, a cursor gone stale on the way) is
        dropped for a full sync, which the result reports in `resync_reason`. Items are held in memory; a
        cursor that goes stale during the full sync itself raises `AshbySyncTokenError` (no endless restarts)."""
        if not sync_token:
            return self._sync_pass(endpoint, body, None, limit)
        try:
            return self._sync_pass(endpoint, body, sync_token, limit)
        except AshbySyncTokenError as exc:
            log.warning("Ashby answered %s on %s: dropping the sync token for a full sync", exc.code, endpoint)
            return replace(self._sync_pass(endpoint, body, None, limit), resync_reason=exc.code)

    def _sync_pass(self, endpoint: str, body: dict[str, Any] | None, token: str | None, limit: int) -> SyncResult:
        request = {**(body or {}), **({"syncToken": token} if token else {})}
        items: list[dict[str, Any]] = []
        last: dict[str, Any] = {}
        for last in self.pages(endpoint, request, limit=limit):
            items.extend(last.get("results") or [])
        return SyncResult(items, last.get("syncToken"), full_sync=token is None)

    # ---- files ---------------------------------------------------------------------------------------

    def upload_file(self, context: UploadContext, filename: str, content_type: str, data: bytes) -> str:
        """Upload `data` and return its handle, for `attach_resume` / `attach_file`: a handle from
        `file.createFileUploadHandle`, then a multipart POST to its presigned `url` with every `fields`
        item and the file last, as `file`. The URL expires after ten minutes: attach soon after."""
        grant = self.call(
            "file.createFileUploadHandle",
            {
                "fileUploadContext": context,
                "filename": filename,
                "contentType": content_type,
                "contentLength": len(data),
            },
        )
        if not isinstance(grant, dict) or not {"handle", "url", "fields"} <= grant.keys():
            raise AshbyResponseError(
                "Ashby answered file.createFileUploadHandle without handle, url and fields",
                endpoint="file.createFileUploadHandle",
            )
        parts: list[tuple[str, Any]] = [(name, (None, str(value))) for name, value in grant["fields"].items()]
        parts.append(("file", (filename, data, content_type)))  # storage reads the fields before the file
        self._with_retries("file upload", lambda: self._post_upload(grant["url"], parts))
        return str(grant["handle"])

    def attach_resume(self, candidate_id: str, handle: str) -> dict[str, Any]:
        """Make an uploaded `CandidateResume` handle the candidate's resume; returns the candidate."""
        return self.call("candidate.uploadResume", {"candidateId": candidate_id, "resumeHandle": handle})

    def attach_file(self, candidate_id: str, handle: str) -> dict[str, Any]:
        """Add an uploaded `CandidateFiles` handle to the candidate's files; returns the candidate."""
        return self.call("candidate.uploadFile", {"candidateId": candidate_id, "fileHandle": handle})

    # ---- the retry loop --------------------------------------------------------------------------------

    def _with_retries(self, label: str, attempt: Callable[[], T], *, only_rate_limits: bool = False) -> T:
        def retryable(exc: BaseException) -> bool:
            return isinstance(exc, AshbyTransientError) and (not only_rate_limits or exc.kind == "rate_limited")

        retrying = Retrying(
            retry=retry_if_exception(retryable),
            stop=stop_after_attempt(self.max_attempts),
            wait=lambda rs: self._wait(label, rs),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except AshbyTransientError as exc:
            exc.args = (f"{exc.args[0]} (gave up after {self.max_attempts} attempts)",)
            raise

    def _wait(self, label: str, rs: RetryCallState) -> float:
        exc = rs.outcome.exception() if rs.outcome else None
        if isinstance(exc, AshbyTransientError) and exc.retry_after is not None:
            wait = min(exc.retry_after, RETRY_AFTER_CAP_SECONDS)
        else:
            wait = self._backoff(rs)
        self.stats.add(retries=1, waited_for_retry_seconds=wait)
        log.info("Ashby %s on %s; retrying in %.2f s", getattr(exc, "kind", exc), label, wait)
        return wait

    # ---- one API attempt -------------------------------------------------------------------------------

    def _attempt(self, endpoint: str, payload: bytes) -> dict[str, Any]:
        waited = self.limiter.acquire()
        self.stats.add(endpoint, waited_for_rate_seconds=waited)
        headers = {**self._auth_headers, "Accept": ACCEPT, "Content-Type": "application/json"}
        url = f"{self.base_url}/{endpoint}"
        response = self._send(
            endpoint, lambda: self._session.post(url, data=payload, headers=headers, timeout=self.timeout)
        )
        self._pace(response)
        return self._envelope(endpoint, response)

    def _send(self, label: str, post: Callable[[], requests.Response]) -> requests.Response:
        try:
            return post()
        except requests.exceptions.Timeout as exc:
            self.stats.add(timeouts=1)
            raise AshbyTransientError(
                f"Ashby did not answer within {self.timeout} s on {label}", kind="timeout", endpoint=label
            ) from exc
        except _TRANSPORT_ERRORS as exc:
            self.stats.add(dropped=1)
            raise AshbyTransientError(
                f"the connection to Ashby dropped on {label}", kind="dropped", endpoint=label
            ) from exc

    def _pace(self, response: requests.Response) -> None:
        """Hold every user of the key until the window resets when Ashby says none of it remains."""
        remaining = _number(response.headers.get("x-ratelimit-remaining"))
        if remaining is None or remaining > 0 or response.status_code == 429:
            return  # a 429 drains the bucket itself, by its Retry-After
        reset = _reset_seconds(response.headers.get("x-ratelimit-reset"))
        self.stats.add(header_waits=1)
        self.limiter.drain(reset)

    def _envelope(self, endpoint: str, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        header_id = response.headers.get("x-ashby-request-id", "")
        try:
            body = response.json()
        except ValueError:
            body = None
        if status != 200 or not isinstance(body, dict) or body.get("success") is not True:
            raise self._error(endpoint, response, body if isinstance(body, dict) else None, header_id)
        return body

    def _error(
        self, endpoint: str, response: requests.Response, body: dict[str, Any] | None, header_id: str
    ) -> AshbyError:
        status = response.status_code
        code, message, request_id = _error_info(body)
        answer: dict[str, Any] = {
            "endpoint": endpoint,
            "code": code,
            "message": self._scrub(message),
            "request_id": request_id or header_id,
            "http_status": status,
        }
        if status == 429 or status == 408 or status >= 500:
            return self._transient(response, answer)
        if status == 200 and body is None:
            self.stats.add(dropped=1)  # a proxy's page or a body cut short: worth another try
            return AshbyTransientError.answered(**{**answer, "message": "a body that is not JSON"}, kind="bad_body")
        if code == PERMISSION_CODE:
            return AshbyPermissionError.answered(**answer)
        if status in (401, 403):
            return AshbyAuthError.answered(**{**answer, "message": f"{answer['message']} (check ASHBY_API_KEY)"})
        if status == 200 and body is not None and body.get("success") is False:
            self.stats.add(business_errors=1)
            return business_error_class(code).answered(**answer)
        if status == 200:
            answer["message"] = "an answer without `success: true`"
        return AshbyResponseError.answered(**answer)

    def _transient(self, response: requests.Response, answer: dict[str, Any]) -> AshbyTransientError:
        status = response.status_code
        if status == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            self.stats.add(rate_limited=1)
            self.limiter.drain(retry_after or 0.0)  # every user of the key backs off, not only this one
            return AshbyTransientError.answered(**answer, kind="rate_limited", retry_after=retry_after)
        if status == 408:
            self.stats.add(timeouts=1)
            return AshbyTransientError.answered(**answer, kind="timeout")
        self.stats.add(server_errors=1)
        return AshbyTransientError.answered(**answer, kind="server_error")

    def _scrub(self, text: str) -> str:
        """Ashby's own words, without the key should it ever echo it."""
        return text.replace(self._key.reveal(), _MASK) if self._key else text

    # ---- one upload attempt ----------------------------------------------------------------------------

    def _post_upload(self, url: str, parts: list[tuple[str, Any]]) -> None:
        self.stats.add(uploads=1)
        response = self._send("file upload", lambda: self._session.post(url, files=parts, timeout=self.timeout))
        if response.ok:
            return
        found = re.search(r"<Code>([^<]*)</Code>", response.text or "")  # storage answers S3's XML errors
        answer: dict[str, Any] = {
            "endpoint": "file upload",
            "code": found.group(1) if found else "",
            "message": response.reason or "",
            "request_id": "",
            "http_status": response.status_code,
        }
        if response.status_code in (408, 429) or response.status_code >= 500:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            raise AshbyTransientError.answered(**answer, kind="server_error", retry_after=retry_after)
        raise AshbyResponseError.answered(**answer)


def _error_info(body: dict[str, Any] | None) -> tuple[str, str, str]:
    """(code, message, requestId) from `errorInfo`, else the deprecated `errors[0]` (a code, or an object
    with a message as some clients have seen)."""
    if body is None:
        return "", "", ""
    info = body.get("errorInfo") if isinstance(body.get("errorInfo"), dict) else {}
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    first = errors[0] if errors else None
    code = info.get("code") or (first if isinstance(first, str) else "")
    message = info.get("message") or (first.get("message", "") if isinstance(first, dict) else "")
    return str(code or ""), str(message or ""), str(info.get("requestId") or "")


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _reset_seconds(value: str | None) -> float:
    """Seconds until the window resets. Ashby's unit is undocumented: a delay, or an epoch timestamp in
    seconds or milliseconds; capped at a window's length."""
    reset = _number(value) or 0.0
    if reset > _EPOCH_MILLIS:
        reset = reset / 1000 - time.time()
    elif reset > _EPOCH_SECONDS:
        reset -= time.time()
    return min(max(reset, 0.0), RESET_CAP_SECONDS)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (delay-seconds, or an HTTP date)."""
    seconds = _number(value)
    if seconds is not None:
        return max(0.0, seconds)
    if not value:
        return None
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
