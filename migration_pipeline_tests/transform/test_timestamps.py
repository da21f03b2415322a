"""Epoch milliseconds to ISO 8601: exact in Python, and the DuckDB macros say the same thing for every value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migration_pipeline.transform.timestamps import (
    ISO_MS_MACRO,
    MAX_MS,
    MIN_MS,
    InvalidTimestamp,
    date_from_epoch_ms,
    epoch_ms,
    install_macros,
    iso_from_epoch_ms,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
in_range = st.integers(min_value=MIN_MS, max_value=MAX_MS)


def ms_of(iso: str) -> int:
    """Independent of the code under test: the stdlib parser and integer timedelta division."""
    return (datetime.fromisoformat(iso) - EPOCH) // timedelta(milliseconds=1)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    install_macros(connection)
    yield connection
    connection.close()


def sql_convert(con: duckdb.DuckDBPyConnection, values: list[int | None]) -> dict[int | None, tuple]:
    rows = con.execute("SELECT ms, iso_ms(ms), date_ms(ms) FROM unnest(?::BIGINT[]) AS t(ms)", [values]).fetchall()
    return {ms: (iso, date) for ms, iso, date in rows}


# ---- Python: boundaries by name ----


@pytest.mark.parametrize(
    ("ms", "iso"),
    [
        pytest.param(0, "1970-01-01T00:00:00.000Z", id="epoch"),
        pytest.param(-1, "1969-12-31T23:59:59.999Z", id="minus-one"),
        pytest.param(1, "1970-01-01T00:00:00.001Z", id="plus-one"),
        pytest.param(253_402_300_799_999, "9999-12-31T23:59:59.999Z", id="last-ms-of-9999"),
        pytest.param(-62_135_596_800_000, "0001-01-01T00:00:00.000Z", id="first-ms-of-year-1"),
        pytest.param(-30_610_224_000_001, "0999-12-31T23:59:59.999Z", id="year-999-padded"),
        pytest.param(2_147_483_647_000, "2038-01-19T03:14:07.000Z", id="int32-max-second"),
        pytest.param(2_147_483_648_000, "2038-01-19T03:14:08.000Z", id="int32-overflow-second"),
        pytest.param(1_709_164_800_000, "2024-02-29T00:00:00.000Z", id="leap-day-start"),
        pytest.param(1_709_251_199_999, "2024-02-29T23:59:59.999Z", id="leap-day-end"),
        pytest.param(1_700_000_000_000, "2023-11-14T22:13:20.000Z", id="ms-000"),
        pytest.param(1_700_000_000_001, "2023-11-14T22:13:20.001Z", id="ms-001"),
        pytest.param(1_700_000_000_999, "2023-11-14T22:13:20.999Z", id="ms-999"),
        pytest.param(-1_500, "1969-12-31T23:59:58.500Z", id="negative-with-fraction"),
    ],
)
def test_named_boundaries(ms: int, iso: str, con: duckdb.DuckDBPyConnection) -> None:
    assert iso_from_epoch_ms(ms) == iso
    assert date_from_epoch_ms(ms) == iso[:10]
    assert sql_convert(con, [ms])[ms] == (iso, iso[:10])


def test_none_and_blank_are_none() -> None:
    assert iso_from_epoch_ms(None) is None
    assert iso_from_epoch_ms("") is None
    assert iso_from_epoch_ms("   ") is None
    assert date_from_epoch_ms(None) is None
    assert date_from_epoch_ms("") is None


def test_float_and_numeric_string() -> None:
    assert iso_from_epoch_ms(1700000000000.0) == "2023-11-14T22:13:20.000Z"
    assert iso_from_epoch_ms("1700000000123") == "2023-11-14T22:13:20.123Z"
    assert iso_from_epoch_ms(" 1700000000123 ") == "2023-11-14T22:13:20.123Z"
    assert iso_from_epoch_ms("1.7e12") == "2023-11-14T22:13:20.000Z"
    assert iso_from_epoch_ms(Decimal("1700000000123")) == "2023-11-14T22:13:20.123Z"
    assert date_from_epoch_ms("1700000000123") == "2023-11-14"


def test_fractional_milliseconds_are_floored() -> None:
    assert iso_from_epoch_ms(1700000000123.9) == "2023-11-14T22:13:20.123Z"
    assert iso_from_epoch_ms("1700000000123.999") == "2023-11-14T22:13:20.123Z"  # exact: no float on the way
    assert iso_from_epoch_ms(-0.5) == "1969-12-31T23:59:59.999Z"  # floor goes toward the past
    assert epoch_ms(-0.5) == -1


def test_numpy_style_integers_are_accepted() -> None:
    numpy = pytest.importorskip("numpy")
    assert iso_from_epoch_ms(numpy.int64(1700000000123)) == "2023-11-14T22:13:20.123Z"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("yesterday", id="word"),
        pytest.param("17000000000x", id="trailing-garbage"),
        pytest.param("0x10", id="hex"),
        pytest.param("1_700_000_000_000", id="underscores"),
        pytest.param("١٧٠٠٠٠٠٠٠٠٠٠٠", id="arabic-indic-digits"),
        pytest.param("NaN", id="nan-string"),
        pytest.param("1e999999999", id="huge-exponent"),
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="inf"),
        pytest.param(float("-inf"), id="minus-inf"),
        pytest.param(MAX_MS + 1, id="year-10000"),
        pytest.param(MIN_MS - 1, id="year-0"),
        pytest.param(2**63, id="beyond-bigint"),
        pytest.param(1e300, id="huge-float"),
        pytest.param(True, id="true"),
        pytest.param(False, id="false"),
        pytest.param([1], id="list"),
    ],
)
def test_invalid_values_raise_naming_the_value(value: object) -> None:
    with pytest.raises(InvalidTimestamp) as raised:
        iso_from_epoch_ms(value)  # type: ignore[arg-type]
    assert repr(value)[:40] in str(raised.value)
    assert raised.value.value is value
    assert isinstance(raised.value, ValueError)
    with pytest.raises(InvalidTimestamp):
        date_from_epoch_ms(value)  # type: ignore[arg-type]


def test_bad_string_message() -> None:
    with pytest.raises(InvalidTimestamp, match=r"'yesterday': not a number"):
        iso_from_epoch_ms("yesterday")


def test_bool_rejected_even_though_bool_is_an_int() -> None:
    with pytest.raises(InvalidTimestamp, match="True: a boolean"):
        iso_from_epoch_ms(True)


def test_huge_value_in_message_is_truncated() -> None:
    with pytest.raises(InvalidTimestamp) as raised:
        iso_from_epoch_ms("9" * 1_000_000)
    assert len(str(raised.value)) < 200


# ---- Python: properties ----


@given(in_range)
def test_iso_parses_back_to_the_same_millisecond(ms: int) -> None:
    iso = iso_from_epoch_ms(ms)
    assert iso is not None
    assert len(iso) == 24 and iso[10] == "T" and iso[19] == "." and iso.endswith("Z")
    assert ms_of(iso) == ms
    assert date_from_epoch_ms(ms) == iso[:10]


@given(in_range)
def test_string_and_float_forms_agree_with_int(ms: int) -> None:
    assert iso_from_epoch_ms(str(ms)) == iso_from_epoch_ms(ms)
    if abs(ms) <= 2**53:  # every such int is an exact float
        assert iso_from_epoch_ms(float(ms)) == iso_from_epoch_ms(ms)


@given(st.one_of(st.integers(max_value=MIN_MS - 1), st.integers(min_value=MAX_MS + 1)))
def test_out_of_range_always_raises(ms: int) -> None:
    with pytest.raises(InvalidTimestamp):
        iso_from_epoch_ms(ms)


# ---- SQL macros equal the Python functions ----


@settings(max_examples=60, deadline=None)
@given(st.lists(in_range, min_size=1, max_size=500))
def test_sql_macro_equals_python(values: list[int]) -> None:
    con = duckdb.connect()
    install_macros(con)
    got = sql_convert(con, values)
    con.close()
    for ms in values:
        assert got[ms] == (iso_from_epoch_ms(ms), date_from_epoch_ms(ms)), ms


def test_sql_macro_equals_python_on_a_large_batch(con: duckdb.DuckDBPyConnection) -> None:
    # The first ms of January and of March of every year 1..9999 (leap years decide what precedes March 1) and
    # the ms on either side, plus every 7th ms around the epoch, in one query.
    starts = [ms_of(f"{year:04d}-{month:02d}-01T00:00:00Z") for year in range(1, 10000) for month in (1, 3)]
    values = sorted(
        {ms + k for ms in starts for k in (-1, 0, 1) if MIN_MS <= ms + k <= MAX_MS}
        | {MAX_MS}
        | set(range(-5_000, 5_000, 7))
    )
    got = sql_convert(con, values)
    assert len(got) == len(values) > 60_000
    mismatches = [ms for ms in values if got[ms] != (iso_from_epoch_ms(ms), date_from_epoch_ms(ms))]
    assert mismatches == []


def test_sql_null_is_null(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("SELECT iso_ms(NULL), date_ms(NULL)").fetchone() == (None, None)
    assert sql_convert(con, [None, 0]) == {None: (None, None), 0: ("1970-01-01T00:00:00.000Z", "1970-01-01")}


def test_sql_floors_doubles_like_python(con: duckdb.DuckDBPyConnection) -> None:
    for value in (1700000000123.9, -0.5, 1700000000000.0):
        assert con.execute("SELECT iso_ms(?::DOUBLE)", [value]).fetchone() == (iso_from_epoch_ms(value),)


@pytest.mark.parametrize("ms", [MAX_MS + 1, MIN_MS - 1, 2**63 - 1])
def test_sql_out_of_range_fails_naming_the_value(con: duckdb.DuckDBPyConnection, ms: int) -> None:
    with pytest.raises(duckdb.InvalidInputException, match=str(ms)):
        con.execute("SELECT iso_ms(?::BIGINT)", [ms]).fetchall()
    with pytest.raises(duckdb.InvalidInputException, match=str(ms)):
        con.execute("SELECT date_ms(?::BIGINT)", [ms]).fetchall()


def test_sql_rejects_nan_and_booleans(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.InvalidInputException, match="nan"):
        con.execute("SELECT iso_ms('nan'::DOUBLE)").fetchall()
    with pytest.raises(duckdb.BinderException):
        con.execute("SELECT iso_ms(true)").fetchall()


def test_macros_work_on_a_read_only_connection(tmp_path) -> None:
    path = str(tmp_path / "ro.duckdb")
    duckdb.connect(path).close()
    with duckdb.connect(path, read_only=True) as ro:
        install_macros(ro)
        assert ro.execute("SELECT iso_ms(0::BIGINT)").fetchone() == ("1970-01-01T00:00:00.000Z",)
    assert "TEMP MACRO iso_ms(ms)" in ISO_MS_MACRO and "TEMP MACRO date_ms(ms)" in ISO_MS_MACRO
