"""How the client proves who it is to Lever: an API key (HTTP Basic, empty password) or OAuth 2.0
(a bearer access token, refreshed with a rotating refresh token).

Both are `requests.auth.AuthBase`s. The client asks `can_refresh` and, after a 401, calls
`invalidate(header)` once and tries again. Secrets stay inside `Secret`s; reprs show fingerprints.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable

import requests
from requests.auth import AuthBase

from migration_pipeline.config import Secret
from migration_pipeline.lever.errors import LeverAuthError, LeverTransientError
from migration_pipeline.lever.ratelimit import fingerprint

log = logging.getLogger(__name__)

# Refresh this long before the token's `expires_in` runs out (at most a tenth of its lifetime).
EXPIRY_MARGIN_SECONDS = 60.0


class ApiKeyAuth(AuthBase):
    """`Authorization: Basic base64(key + ":")`, as Lever documents (`curl -u KEY:`)."""

    can_refresh = False

    def __init__(self, api_key: Secret) -> None:
        if not isinstance(api_key, Secret):
            raise TypeError("api_key must be a Secret")
        self._header = "Basic " + base64.b64encode(f"{api_key.reveal()}:".encode()).decode("ascii")
        self.fingerprint = fingerprint(api_key.reveal(), "lever-key")

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def invalidate(self, used_header: str | None) -> None:
        """An API key cannot be refreshed."""

    def __repr__(self) -> str:
        return f"ApiKeyAuth({self.fingerprint})"


class OAuthAuth(AuthBase):
    """A bearer token from Lever's token endpoint (`https://auth.lever.co/oauth/token`).

    Refreshes (form-encoded `grant_type=refresh_token`) when there is no access token yet, when the
    last one's `expires_in` has (nearly) passed, or when the client reports a 401 with it. Lever's
    refresh tokens are single-use: each refresh returns a new one, which this object keeps and hands
    to `on_refresh` so the caller can persist it (lose it and the integration must be authorised again).
    Thread-safe: one refresh at a time; threads that waited use the token the winner got.
    """

    can_refresh = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: Secret,
        refresh_token: Secret,
        access_token: Secret | None = None,
        on_refresh: Callable[[str], None] | None = None,
        *,
        timeout_seconds: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._access: str | None = access_token.reveal() if access_token else None
        self._expires_at: float | None = None  # monotonic; None: unknown (use until a 401)
        self._on_refresh = on_refresh
        self._timeout = timeout_seconds
        self._session = session or requests.Session()
        self._lock = threading.Lock()
        self.refreshes = 0
        self.fingerprint = fingerprint(f"{token_url}\n{client_id}", "lever-oauth")

    def __repr__(self) -> str:
        return f"OAuthAuth(token_url={self.token_url!r}, client_id={self.client_id!r}, {self.fingerprint})"

    @property
    def refresh_token(self) -> Secret:
        """The current (latest rotated) refresh token."""
        return self._refresh_token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.access_token()}"
        return request

    def access_token(self) -> str:
        with self._lock:
            if self._access is None or (self._expires_at is not None and time.monotonic() >= self._expires_at):
                self._refresh_locked()
            assert self._access is not None
            return self._access

    def invalidate(self, used_header: str | None) -> None:
        """Lever answered 401 to a request sent with `used_header`: refresh, unless another thread
        already replaced that token."""
        with self._lock:
            if used_header is None or used_header == f"Bearer {self._access}":
                self._refresh_locked()

    def _refresh_locked(self) -> None:
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self._client_secret.reveal(),
            "refresh_token": self._refresh_token.reveal(),
        }
        path = "oauth/token"
        try:
            response = self._session.post(self.token_url, data=form, timeout=self._timeout)
        except requests.exceptions.Timeout as exc:
            raise LeverTransientError(
                "Lever's OAuth token endpoint timed out", kind="timeout", path=path, message="timeout"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise LeverTransientError(
                "the connection to Lever's OAuth token endpoint failed", kind="dropped", path=path, message="dropped"
            ) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise LeverTransientError(
                f"Lever's OAuth token endpoint answered {response.status_code}",
                kind="rate_limited" if response.status_code == 429 else "server_error",
                status=response.status_code,
                path=path,
            )
        body = _json_or_empty(response)
        if response.status_code != 200 or not body.get("access_token"):
            error = str(body.get("error") or response.status_code)
            raise LeverAuthError(
                f"Lever rejected the OAuth refresh token ({error}): the integration must be authorised again "
                "(the refresh token may have been used already: Lever's refresh tokens are single-use).",
                status=response.status_code,
                code=error,
                message=str(body.get("error_description") or ""),
                path=path,
            )
        self._access = str(body["access_token"])
        expires_in = body.get("expires_in")
        if isinstance(expires_in, int | float):
            margin = min(EXPIRY_MARGIN_SECONDS, float(expires_in) / 10)
            self._expires_at = time.monotonic() + float(expires_in) - margin
        else:
            self._expires_at = None
        self.refreshes += 1
        new_refresh = body.get("refresh_token")
        if new_refresh and new_refresh != self._refresh_token.reveal():
            self._refresh_token = Secret(str(new_refresh))
            if self._on_refresh is not None:
                self._on_refresh(str(new_refresh))
        log.info("Lever OAuth access token refreshed (%s)", self.fingerprint)


def _json_or_empty(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
