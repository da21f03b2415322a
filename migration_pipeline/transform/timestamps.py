"""Lever timestamps (epoch milliseconds) to the ISO 8601 UTC strings Ashby wants, in Python and in DuckDB SQL.

Both sides give the same string for every millisecond in years 1..9999, so a row converted by a SQL transform and
one converted in Python never differ (and never hash differently in the ledger). Anything else is refused loudly:
a wrong date in Ashby is worse than a record in the failure report.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = EPOCH.replace(tzinfo=None)
# 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the range of `datetime` and of a four-digit ISO year.
MIN_MS = -62_135_596_800_000
MAX_MS = 253_402_300_799_999

# ASCII digits only: int() and Decimal() would also take "1_000", "١٢٣" or "NaN", none of which Lever sends.
_NUMERIC = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


class InvalidTimestamp(ValueError):
    """A value that is not epoch milliseconds in years 1..9999; the message names it."""

    def __init__(self, value: object, reason: str) -> None:
        shown = repr(value)
        if len(shown) > 80:  # a 1 MB string must not become a 1 MB log line
            shown = shown[:77] + "..."
        super().__init__(f"invalid epoch-milliseconds timestamp {shown}: {reason}")
        self.value = value


def epoch_ms(value: Any) -> int | None:
    """`value` as whole epoch milliseconds (None for None or a blank string), or InvalidTimestamp.

    Floats and decimal strings with a fractional millisecond are floored, the same rounding as the SQL macros'
    `floor` (toward the past, also before 1970), so 1.9 and -0.1 become 1 and -1.
    """
    if value is None:
        return None
    # bool is an int subclass: True would silently become 1970-01-01T00:00:00.001Z.
    if isinstance(value, bool):
        raise InvalidTimestamp(value, "a boolean is not a timestamp")
    if isinstance(value, numbers.Integral):  # int, and numpy/pandas integers from a DataFrame
        ms = operator.index(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidTimestamp(value, "not a finite number")
        ms = math.floor(value)
    elif isinstance(value, str | Decimal):
        ms = _ms_from_decimal(value)
        if ms is None:
            return None
    else:
        raise InvalidTimestamp(value, f"unsupported type {type(value).__name__}")
    if not MIN_MS <= ms <= MAX_MS:
        raise InvalidTimestamp(value, "outside years 1..9999")
    return ms


def _ms_from_decimal(value: str | Decimal) -> int | None:
    """Strings are parsed as exact decimals: float("1700000000000.999") would already be rounded."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _NUMERIC.fullmatch(text):
            raise InvalidTimestamp(value, "not a number")
        number = Decimal(text)
    else:
        number = value
    if not number.is_finite():
        raise InvalidTimestamp(value, "not a finite number")
    # Compare before flooring: flooring "1e999999999" would build a billion-digit integer.
    if not MIN_MS - 1 < number < MAX_MS + 1:
        raise InvalidTimestamp(value, "outside years 1..9999")
    return math.floor(number)


def iso_from_epoch_ms(value: int | float | str | None) -> str | None:
    """`YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC (always three fractional digits and `Z`), None for None or ""."""
    # the common case (a plain int in range) skips the general parser: millions of calls per org
    ms = value if type(value) is int and MIN_MS <= value <= MAX_MS else epoch_ms(value)
    if ms is None:
        return None
    # timedelta arithmetic on an int is exact; datetime.fromtimestamp(ms / 1000) goes through a float. From the
    # naive epoch: the UTC time without an offset in the text.
    moment = _NAIVE_EPOCH + timedelta(milliseconds=ms)
    # isoformat pads the year to four digits (strftime("%Y") on glibc writes year 1 as "1").
    return moment.isoformat(timespec="milliseconds") + "Z"


def date_from_epoch_ms(value: int | float | str | None) -> str | None:
    """`YYYY-MM-DD` (the UTC date) for Ashby Date fields, None for None or ""."""
    ms = epoch_ms(value)
    if ms is None:
        return None
    return (EPOCH + timedelta(milliseconds=ms)).date().isoformat()


# The same conversions in DuckDB, for transforms written in SQL. `ms` is a number (BIGINT, INTEGER, DOUBLE,
# DECIMAL): `floor` floors fractions like the Python side (for an integer it goes through DOUBLE, exact for every
# |ms| < 2**53, which covers the whole supported range); a VARCHAR or BOOLEAN fails to bind, so cast JSON text
# first. NULL gives NULL; a value outside years 1..9999 (or NaN/inf) fails the query naming it, as the Python
# functions raise, instead of writing a five-digit or BC year. make_timestamp(µs) builds the TIMESTAMP and %g
# prints milliseconds, three digits. TEMP: the macros live with the connection, so they also work on a read-only
# connection and never end up in the database file.
_RANGE_CHECK = f"""CASE WHEN ms IS NULL THEN NULL
    WHEN NOT (floor(ms) BETWEEN {MIN_MS} AND {MAX_MS})
        THEN error('invalid epoch-milliseconds timestamp ' || CAST(ms AS VARCHAR) || ': outside years 1..9999')
    ELSE strftime(make_timestamp(CAST(floor(ms) AS BIGINT) * 1000), '{{fmt}}') END"""

ISO_MS_MACRO: str = (
    f"CREATE OR REPLACE TEMP MACRO iso_ms(ms) AS {_RANGE_CHECK.format(fmt='%Y-%m-%dT%H:%M:%S.%gZ')};\n"
    f"CREATE OR REPLACE TEMP MACRO date_ms(ms) AS {_RANGE_CHECK.format(fmt='%Y-%m-%d')};\n"
)


def install_macros(con: Any) -> None:
    """Define `iso_ms(ms)` and `date_ms(ms)` on a DuckDB connection, for as long as it stays open."""
    con.execute(ISO_MS_MACRO)
