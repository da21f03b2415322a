"""The Lever Data API client: one session per key, Lever's `{code, message}` errors as exceptions,
and the offset-token paging loop, written once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from migration_pipeline.config import Secret

QueryParams = Mapping[str, str | int | Sequence[str]]


class LeverApiError(Exception):
    """A non-2xx answer from Lever. Carries the status, Lever's error code and message, and the
    path, never the key."""

    def __init__(self, status: int, code: str, message: str, path: str) -> None:
        super().__init__(f"Lever answered {status} {code} on {path}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.path = path


@dataclass
class LeverClient:
    base_url: str
    api_key: Secret
    timeout_seconds: float = 30.0
    page_size: int = 100

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._session = requests.Session()
        self._session.auth = (self.api_key.reveal(), "")
        self._session.headers["Accept"] = "application/json"

    def __repr__(self) -> str:
        return f"LeverClient(base_url={self.base_url!r}, api_key={self.api_key!r})"

    def get(self, path: str, params: QueryParams | None = None) -> dict[str, Any]:
        response = self._session.get(f"{self.base_url}{path}", params=params, timeout=self.timeout_seconds)
        if response.status_code >= 400:
            raise _error(response, path)
        return response.json()

    def paginate(self, path: str, params: QueryParams | None = None) -> Iterator[dict[str, Any]]:
        """Every record of a list endpoint, page after page, until Lever says there is no next page."""
        query: dict[str, Any] = {"limit": self.page_size, **(params or {})}
        while True:
            body = self.get(path, query)
            yield from body.get("data", [])
            token = body.get("next")
            # No `hasNext` at all (some endpoints) means one page; `hasNext` false ends the list.
            if not body.get("hasNext") or not token:
                return
            query["offset"] = token

    def close(self) -> None:
        self._session.close()


def _error(response: requests.Response, path: str) -> LeverApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = str(body.get("code") or response.reason or "HTTPError") if isinstance(body, dict) else "HTTPError"
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    return LeverApiError(response.status_code, code, message, path)
