"""The Lever Data API client: auth (API key or OAuth), one shared rate budget per key, retries that
ride out 429s, 5xx, timeouts, dropped connections and maintenance windows, typed errors, and the
offset-token paging loop, written once.

Every HTTP attempt first takes a token from the shared bucket, so the threads, steps and runs that
use one key stay within Lever's 10 requests a second together. Transient failures are retried with
tenacity: `Retry-After` when a 429 carries it, else exponential backoff with jitter, at most
`max_retries` times. A 503 is Lever's maintenance answer (the Data API answers 503 while postings
still answer): it is waited out with a long backoff for up to `maintenance_max_wait_seconds`, then
`LeverMaintenanceError` says so. 401, 403, 404, 400 and 422 are never retried (OAuth gets one token
refresh after a 401). The key never reaches a log line, an exception or `repr`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type
from urllib3.exceptions import ProtocolError

from migration_pipeline.config import Secret
from migration_pipeline.lever.auth import ApiKeyAuth, OAuthAuth
from migration_pipeline.lever.errors import (
    CONFIDENTIAL_HELP,
    MAINTENANCE_RERUN,
    LeverApiError,
    LeverAuthError,
    LeverBadRequest,
    LeverConfidentialAccessError,
    LeverError,
    LeverMaintenanceError,
    LeverNotFound,
    LeverPermissionError,
    LeverTransientError,
    LeverUnprocessableFile,
)
from migration_pipeline.lever.ratelimit import SharedTokenBucket

__all__ = [
    "ApiKeyAuth",
    "ClientStats",
    "LeverApiError",
    "LeverAuthError",
    "LeverBadRequest",
    "LeverClient",
    "LeverConfidentialAccessError",
    "LeverError",
    "LeverMaintenanceError",
    "LeverNotFound",
    "LeverPermissionError",
    "LeverTransientError",
    "LeverUnprocessableFile",
    "OAuthAuth",
    "Page",
]

log = logging.getLogger(__name__)

QueryParams = Mapping[str, str | int | bool | Sequence[str]]
T = TypeVar("T")

LEVER_RATE = 10.0
CLIENT_BURST = 10  # Lever's bucket holds 20: stay under it so network jitter never tips it over
RETRY_AFTER_CAP_SECONDS = 600.0
_EPSILON = 1e-6


class Auth(Protocol):
    can_refresh: bool
    fingerprint: str

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest: ...

    def invalidate(self, used_header: str | None) -> None: ...


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, the token of the next page (None on the last), and the token
    this page was asked with (None for the first)."""

    items: list[dict[str, Any]]
    next_offset: str | None
    offset: str | None


@dataclass
class ClientStats:
    """What the client did, for Dagster metadata. Counters are safe to bump from many threads."""

    calls: int = 0  # HTTP attempts (each took a token from the bucket)
    rate_limited: int = 0  # 429s met
    retries: int = 0  # waits before another attempt
    server_errors: int = 0  # 5xx met (503 included)
    timeouts: int = 0
    dropped: int = 0  # connections cut, bodies truncated or unreadable
    maintenance_waits: int = 0  # waits on a 503
    auth_refreshes: int = 0  # OAuth refreshes after a 401
    waited_for_rate_seconds: float = 0.0  # time spent waiting on the shared bucket
    waited_for_retry_seconds: float = 0.0  # time spent in retry backoff (Retry-After included)
    started_at: float = field(default_factory=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **amounts: float) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def elapsed_seconds(self) -> float:
        return max(time.time() - self.started_at, _EPSILON)

    def as_metadata(self) -> dict[str, Any]:
        with self._lock:
            elapsed = self.elapsed_seconds()
            return {
                "calls": self.calls,
                "rate_limited": self.rate_limited,
                "retries": self.retries,
                "server_errors": self.server_errors,
                "timeouts": self.timeouts,
                "dropped": self.dropped,
                "maintenance_waits": self.maintenance_waits,
                "auth_refreshes": self.auth_refreshes,
                "waited_for_rate_seconds": round(self.waited_for_rate_seconds, 3),
                "waited_for_retry_seconds": round(self.waited_for_retry_seconds, 3),
                "started_at": datetime.fromtimestamp(self.started_at, UTC).isoformat(),
                "elapsed_seconds": round(elapsed, 3),
                "achieved_rate": round(self.calls / elapsed, 3),
            }


@dataclass
class _CallState:
    """One logical call across its attempts."""

    path: str
    maintenance_next: float
    failures: int = 0  # transient failures counted against max_retries (503s are not)
    maintenance_waited: float = 0.0
    refreshed: bool = False
    saw_503: bool = False


class LeverClient:
    """A Lever Data API client. Construct with `api_key` (a `Secret`) or `auth` (`ApiKeyAuth`/`OAuthAuth`).

    `limiter`: the shared bucket for this key; by default one named after the key's fingerprint at
    10/s with a burst of 10, in `ratelimit.default_state_dir()`. Safe to share between threads.
    """

    def __init__(
        self,
        base_url: str,
        api_key: Secret | str | None = None,
        *,
        auth: Auth | None = None,
        limiter: SharedTokenBucket | None = None,
        timeout_seconds: float = 30.0,
        max_retries: int = 8,
        maintenance_max_wait_seconds: float = 1800.0,
        backoff_max_seconds: float = 60.0,
        page_size: int = 100,
        backoff_initial_seconds: float = 0.5,
        maintenance_initial_wait_seconds: float = 5.0,
        maintenance_backoff_max_seconds: float = 60.0,
        session: requests.Session | None = None,
    ) -> None:
        if auth is None:
            if not api_key:
                raise ValueError("LeverClient needs an api_key (a Secret) or an auth")
            auth = ApiKeyAuth(api_key if isinstance(api_key, Secret) else Secret(api_key))
        elif api_key:
            raise ValueError("give LeverClient an api_key or an auth, not both")
        if not 1 <= page_size <= 100:
            raise ValueError("page_size must be between 1 and 100 (Lever's limit)")
        self.base_url = base_url.rstrip("/")
        self.auth: Auth = auth
        self.limiter = limiter or SharedTokenBucket(auth.fingerprint, LEVER_RATE, CLIENT_BURST)
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.maintenance_max_wait_seconds = maintenance_max_wait_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.backoff_initial_seconds = backoff_initial_seconds
        self.maintenance_initial_wait_seconds = maintenance_initial_wait_seconds
        self.maintenance_backoff_max_seconds = maintenance_backoff_max_seconds
        self.page_size = page_size
        self.stats = ClientStats()
        self._session = session or requests.Session()
        self._session.auth = auth
        self._session.headers["User-Agent"] = "migration-pipeline (Lever extraction)"
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"LeverClient(base_url={self.base_url!r}, auth={self.auth!r})"

    def __enter__(self) -> LeverClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    # ---- public calls ------------------------------------------------------------------------------

    def get(self, path: str, params: QueryParams | None = None) -> dict[str, Any]:
        """GET `path` (relative to the base URL, e.g. `/opportunities`) and return the JSON body."""
        return self._call(path, params, self._read_json, accept="application/json")

    def download(self, path: str) -> bytes:
        """The bytes of a download endpoint (`.../resumes/:id/download`), streamed. 422 (a file Lever
        could not process) raises `LeverUnprocessableFile`."""
        return self._call(path, None, self._read_bytes, accept="*/*")

    def pages(self, path: str, params: QueryParams | None = None, *, start_offset: str | None = None) -> Iterator[Page]:
        """Every page of a list endpoint, from `start_offset` (a `next_offset` seen before) or the start.
        Stops when `hasNext` is false or missing, or when no `next` token comes."""
        query: dict[str, Any] = {"limit": self.page_size, **(params or {})}
        offset = start_offset
        while True:
            if offset:
                query["offset"] = offset
            body = self.get(path, query)
            data = body.get("data")
            items = data if isinstance(data, list) else ([] if data is None else [data])
            token = body.get("next")
            next_offset = str(token) if body.get("hasNext") and token else None
            yield Page(items, next_offset, offset)
            if next_offset is None:
                return
            offset = next_offset

    def paginate(self, path: str, params: QueryParams | None = None) -> Iterator[dict[str, Any]]:
        """Every record of a list endpoint, page after page."""
        for page in self.pages(path, params):
            yield from page.items

    def check_confidential_access(self) -> None:
        """Fail loudly, before any extraction, when the key cannot see confidential data (Lever would
        otherwise answer lists with a silent non-confidential subset)."""
        try:
            self.get("/opportunities", {"confidentiality": "all", "limit": 1})
        except (LeverAuthError, LeverPermissionError) as exc:
            # 401/403: no confidential access, unless the key is refused (or may not list
            # opportunities) anyway: ask without confidential data to tell which.
            try:
                self.get("/opportunities", {"limit": 1})
            except type(exc):
                raise exc from None
            raise self._confidential_error(exc) from exc
        except LeverBadRequest as exc:
            if "confidential" not in exc.message.lower():
                raise
            raise self._confidential_error(exc) from exc

    # ---- the retry loop ------------------------------------------------------------------------------

    def _call(
        self, path: str, params: QueryParams | None, read: Callable[[requests.Response, str], T], *, accept: str
    ) -> T:
        path = "/" + path.lstrip("/")
        state = _CallState(path, maintenance_next=self.maintenance_initial_wait_seconds)
        retrying = Retrying(
            retry=retry_if_exception_type(LeverTransientError),
            stop=lambda rs: self._stop(state, rs),
            wait=lambda rs: self._wait(state, rs),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, state, params, read, accept)
        except LeverTransientError as exc:
            exc.args = (f"{exc.args[0]} (gave up after {state.failures} attempts)",)
            raise

    def _attempt(
        self,
        state: _CallState,
        params: QueryParams | None,
        read: Callable[[requests.Response, str], T],
        accept: str,
    ) -> T:
        response = self._send(state.path, params, accept)
        if response.status_code == 401 and self.auth.can_refresh and not state.refreshed:
            state.refreshed = True
            used = response.request.headers.get("Authorization")
            response.close()
            self.auth.invalidate(used)
            self.stats.add(auth_refreshes=1)
            response = self._send(state.path, params, accept)
        try:
            if response.status_code >= 400:
                raise self._error(response, state)
            return read(response, state.path)
        finally:
            response.close()

    def _stop(self, state: _CallState, rs: RetryCallState) -> bool:
        exc = rs.outcome.exception() if rs.outcome else None
        if isinstance(exc, LeverTransientError) and exc.kind == "unavailable":
            return False  # bounded by time instead: _error raises LeverMaintenanceError when it is spent
        state.failures += 1
        return state.failures > self.max_retries

    def _wait(self, state: _CallState, rs: RetryCallState) -> float:
        exc = rs.outcome.exception() if rs.outcome else None
        assert isinstance(exc, LeverTransientError)
        if exc.kind == "unavailable":
            left = self.maintenance_max_wait_seconds - state.maintenance_waited
            wait = max(0.0, min(state.maintenance_next, left))
            state.maintenance_waited += wait
            state.maintenance_next = min(state.maintenance_next * 2, self.maintenance_backoff_max_seconds)
            self.stats.add(maintenance_waits=1)
        elif exc.retry_after is not None:
            wait = min(exc.retry_after, RETRY_AFTER_CAP_SECONDS) * random.uniform(1.0, 1.1)
        else:
            base = min(self.backoff_max_seconds, self.backoff_initial_seconds * 2 ** max(state.failures - 1, 0))
            wait = base / 2 + random.uniform(0, base / 2)
        self.stats.add(retries=1, waited_for_retry_seconds=wait)
        log.info("Lever %s on %s; retrying in %.2f s", exc.kind, state.path, wait)
        return wait

    # ---- one HTTP attempt ----------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _send(
        self, path: str, params: QueryParams | None, accept: str, timeout: float | None = None
    ) -> requests.Response:
        waited = self.limiter.acquire()
        self.stats.add(calls=1, waited_for_rate_seconds=waited)
        try:
            return self._session.get(
                self._url(path),
                params=params,
                headers={"Accept": accept},
                timeout=timeout or self.timeout_seconds,
                stream=True,
            )
        except requests.exceptions.Timeout as exc:
            raise self._timeout(path) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError, ProtocolError) as exc:
            raise self._dropped(path) from exc

    def _read_all(self, response: requests.Response, path: str) -> bytes:
        try:
            return b"".join(response.iter_content(chunk_size=1 << 20))
        except requests.exceptions.Timeout as exc:
            raise self._timeout(path) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError, ProtocolError) as exc:
            raise self._dropped(path) from exc

    def _read_bytes(self, response: requests.Response, path: str) -> bytes:
        return self._read_all(response, path)

    def _read_json(self, response: requests.Response, path: str) -> dict[str, Any]:
        content = self._read_all(response, path)
        try:
            body = json.loads(content)
        except ValueError as exc:
            self.stats.add(dropped=1)
            raise LeverTransientError(
                f"Lever answered {response.status_code} on {path} with a body that is not JSON",
                kind="bad_body",
                status=response.status_code,
                path=path,
            ) from exc
        if not isinstance(body, dict):
            raise LeverApiError(
                f"Lever answered {response.status_code} on {path} with JSON that is not an object",
                status=response.status_code,
                path=path,
            )
        return body

    def _timeout(self, path: str) -> LeverTransientError:
        self.stats.add(timeouts=1)
        return LeverTransientError(
            f"Lever did not answer within {self.timeout_seconds} s on {path}", kind="timeout", path=path
        )

    def _dropped(self, path: str) -> LeverTransientError:
        self.stats.add(dropped=1)
        return LeverTransientError(f"the connection to Lever dropped on {path}", kind="dropped", path=path)

    def _error(self, response: requests.Response, state: _CallState) -> LeverError:
        status, path = response.status_code, state.path
        try:
            body = json.loads(self._read_all(response, path) or b"{}")
        except (ValueError, LeverTransientError):
            body = {}
        if not isinstance(body, dict):
            body = {}
        code = str(body.get("code") or response.reason or "HTTPError")
        message = str(body.get("message") or body.get("error_description") or "")
        answer: dict[str, Any] = {"status": status, "code": code, "message": message, "path": path}
        if status == 400:
            return LeverBadRequest.from_answer(status, code, message, path)
        if status == 401:
            return LeverAuthError(
                f"Lever rejected the API key / token (401 {code}) on {path}: {message}. Check the key "
                "(LEVER_API_KEY) or authorise the OAuth integration again; not retried.",
                **answer,  # type: ignore[arg-type]
            )
        if status == 403:
            return LeverPermissionError.from_answer(
                status, code, message, path, "The key or token lacks the permission for this; not retried."
            )
        if status == 404:
            return LeverNotFound.from_answer(status, code, message, path)
        if status == 422:
            return LeverUnprocessableFile.from_answer(status, code, message, path)
        if status == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            self.stats.add(rate_limited=1)
            self.limiter.drain()  # every user of the key drops to the steady rate at once
            return LeverTransientError.answered(**answer, kind="rate_limited", retry_after=retry_after)
        if status == 503:
            self.stats.add(server_errors=1)
            return self._unavailable(state, answer)
        if status == 408:
            self.stats.add(timeouts=1)
            return LeverTransientError.answered(**answer, kind="timeout")
        if status >= 500:
            self.stats.add(server_errors=1)
            return LeverTransientError.answered(**answer, kind="server_error")
        return LeverApiError.from_answer(status, code, message, path)

    # ---- maintenance ---------------------------------------------------------------------------------

    def _unavailable(self, state: _CallState, answer: dict[str, Any]) -> LeverError:
        path = state.path
        if state.maintenance_waited >= self.maintenance_max_wait_seconds - _EPSILON:
            waited = round(state.maintenance_waited)
            if self._postings_answer(path):
                text = (
                    f"Lever is in maintenance (its Data API answers 503 while postings still answer); "
                    f"waited {waited} s. {MAINTENANCE_RERUN}"
                )
            else:
                text = (
                    f"Lever answers 503 and its postings do not answer either (an outage, or maintenance); "
                    f"waited {waited} s. {MAINTENANCE_RERUN}"
                )
            return LeverMaintenanceError(text, **answer)
        if not state.saw_503:
            state.saw_503 = True
            seen = "postings still answer: Lever maintenance" if self._postings_answer(path) else "postings too"
            log.warning(
                "Lever answered 503 on %s (%s); waiting with long backoff, up to %s s",
                path,
                seen,
                self.maintenance_max_wait_seconds,
            )
        return LeverTransientError.answered(**answer, kind="unavailable")

    def _postings_answer(self, path: str) -> bool:
        """Lever's maintenance takes down the Data API but postings: do postings answer?"""
        if path.startswith("/postings"):
            return False
        try:
            response = self._send("/postings", {"limit": 1}, "application/json", timeout=min(self.timeout_seconds, 10))
        except LeverError:
            return False
        response.close()
        return response.status_code < 500

    def _confidential_error(self, exc: LeverError) -> LeverConfidentialAccessError:
        return LeverConfidentialAccessError(
            CONFIDENTIAL_HELP, status=exc.status, code=exc.code, message=exc.message, path=exc.path
        )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
