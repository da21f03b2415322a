"""Who may call the Lever sandbox: API keys (HTTP Basic, key as username) with or without
confidential access and write permission, and OAuth clients whose access tokens expire after an
hour and whose refresh tokens rotate on every use."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field

KEY_FLAGS = {"no-confidential", "read-only"}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: what it may see and do, and the bucket it is rate limited in."""

    bucket: str
    confidential: bool
    can_write: bool


@dataclass(frozen=True)
class ApiKey:
    secret: str
    confidential: bool = True
    can_write: bool = True

    @classmethod
    def parse(cls, spec: str) -> ApiKey:
        """`KEY`, or `KEY:flag[,flag]` with flags `no-confidential`, `read-only`."""
        secret, _, flags_part = spec.partition(":")
        flags = {f.strip() for f in flags_part.split(",") if f.strip()}
        if not secret:
            raise ValueError("an API key spec needs a key before ':'")
        unknown = flags - KEY_FLAGS
        if unknown:
            raise ValueError(f"unknown key flag(s) {sorted(unknown)}; known: {sorted(KEY_FLAGS)}")
        return cls(secret=secret, confidential="no-confidential" not in flags, can_write="read-only" not in flags)

    def __repr__(self) -> str:
        return f"ApiKey(secret='********', confidential={self.confidential}, can_write={self.can_write})"


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: str

    @classmethod
    def parse(cls, spec: str) -> OAuthClient:
        client_id, sep, client_secret = spec.partition(":")
        if not sep or not client_id or not client_secret:
            raise ValueError("an OAuth client spec is CLIENT_ID:CLIENT_SECRET")
        return cls(client_id, client_secret)

    def __repr__(self) -> str:
        return f"OAuthClient(client_id={self.client_id!r}, client_secret='********')"


@dataclass
class _Grant:
    client_id: str
    scope: str
    grant_id: str


@dataclass
class OAuthServer:
    """Lever's (Auth0) token endpoint, reduced to what an integration meets: codes, access tokens
    with a lifetime, refresh tokens that are single-use."""

    clients: dict[str, OAuthClient] = field(default_factory=dict)
    access_ttl_seconds: float = 3600.0
    _codes: dict[str, _Grant] = field(default_factory=dict)
    _access: dict[str, tuple[_Grant, float]] = field(default_factory=dict)
    _refresh: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def authorize(self, client_id: str, scope: str) -> str:
        """The code the authorize step hands back (the sandbox approves every request)."""
        if client_id not in self.clients:
            raise OAuthError("invalid_client", "Unknown client.")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(client_id, scope, grant_id=secrets.token_hex(8))
        return code

    def token(self, form: dict[str, str], now: float | None = None) -> dict[str, object]:
        now = time.time() if now is None else now
        client = self.clients.get(form.get("client_id", ""))
        if client is None or not secrets.compare_digest(client.client_secret, form.get("client_secret", "")):
            raise OAuthError("access_denied", "Unauthorized")
        grant_type = form.get("grant_type")
        with self._lock:
            if grant_type == "authorization_code":
                grant = self._codes.pop(form.get("code", ""), None)
            elif grant_type == "refresh_token":
                grant = self._refresh.pop(form.get("refresh_token", ""), None)
            else:
                raise OAuthError("unsupported_grant_type", f"Unsupported grant type: {grant_type}")
            if grant is None or grant.client_id != client.client_id:
                raise OAuthError("invalid_grant", "Invalid authorization code or refresh token")
            access = _jwt_like(grant, now, self.access_ttl_seconds)
            self._access[access] = (grant, now + self.access_ttl_seconds)
            body: dict[str, object] = {
                "access_token": access,
                "token_type": "Bearer",
                "scope": grant.scope,
                "expires_in": int(self.access_ttl_seconds),
            }
            if "offline_access" in grant.scope.split():
                refresh = "v1." + secrets.token_urlsafe(48)
                self._refresh[refresh] = grant
                body["refresh_token"] = refresh
        return body

    def principal(self, access_token: str, now: float | None = None) -> Principal | None:
        """The caller behind a bearer token, or None if unknown or expired."""
        now = time.time() if now is None else now
        with self._lock:
            found = self._access.get(access_token)
        if found is None or now >= found[1]:
            return None
        grant = found[0]
        scopes = set(grant.scope.split())
        return Principal(
            bucket=f"oauth:{grant.grant_id}",
            confidential="confidential:access:admin" in scopes,
            can_write=any(s.endswith(":write:admin") for s in scopes),
        )


class OAuthError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _jwt_like(grant: _Grant, now: float, ttl: float) -> str:
    """An access token shaped like Lever's (a JWT); the sandbox looks it up rather than verifying it."""

    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    header = part({"alg": "HS512", "typ": "JWT"})
    claims = part(
        {
            "https://oauth.lever.co/clientId": grant.client_id,
            "iss": "https://auth.lever.co/",
            "aud": "https://api.lever.co/v1/",
            "iat": int(now),
            "exp": int(now + ttl),
            "scope": grant.scope,
            "jti": secrets.token_hex(8),
        }
    )
    return f"{header}.{claims}.{secrets.token_urlsafe(32)}"
