"""Ashby errors as exceptions: transport failures (retried) apart from business answers (never retried).

Every error carries the endpoint (`candidate.create`), Ashby's error `code` and `message`, the `request_id`
Ashby support asks for, and the HTTP status (None when no answer came). Never the key: messages are built
from the endpoint and Ashby's answer only, and the client scrubs the key out of anything Ashby echoes.
"""

from __future__ import annotations

# The incremental-sync codes: the token or cursor is unusable, drop it and run a full sync.
SYNC_TOKEN_CODES = frozenset(
    {
        "sync_token_expired",
        "sync_token_invalid",
        "next_cursor_expired",
        "invalid_next_cursor",
        "incremental_sync_too_large",
    }
)
PERMISSION_CODE = "missing_endpoint_permission"


class AshbyError(Exception):
    """Base of every Ashby client error."""

    def __init__(
        self,
        description: str,
        *,
        endpoint: str = "",
        code: str = "",
        message: str = "",
        request_id: str = "",
        http_status: int | None = None,
    ) -> None:
        super().__init__(description)
        self.endpoint, self.code, self.request_id, self.http_status = endpoint, code, request_id, http_status
        self.message = message  # Ashby's own words (scrubbed of the key)

    @classmethod
    def answered(
        cls, endpoint: str, code: str, message: str, request_id: str, http_status: int | None, **extra: object
    ) -> AshbyError:
        """The standard wording: `Ashby answered <code> on <endpoint>: <message> (requestId <id>)`."""
        text = f"Ashby answered {code or http_status} on {endpoint}: {message}".rstrip(": ")
        if request_id:
            text = f"{text} (requestId {request_id})"
        return cls(
            text,
            endpoint=endpoint,
            code=code,
            message=message,
            request_id=request_id,
            http_status=http_status,
            **extra,  # type: ignore[arg-type]
        )


class AshbyBusinessError(AshbyError):
    """HTTP 200 with `success: false`: Ashby understood the call and refused it. Never retried; a loader
    records it (code, message, requestId) as the record's failure."""

    @property
    def not_found(self) -> bool:
        return is_not_found(self.code)


class AshbyNotFoundError(AshbyBusinessError):
    """`*_not_found` (`candidate_not_found`, `application_not_found`, ...): the id no longer resolves (a
    candidate merged in Ashby, a confidential object the key cannot see). A loader re-resolves from Lever ids."""


class AshbySyncTokenError(AshbyBusinessError):
    """The sync token or cursor cannot be used (expired, undecodable, too many changes): full-sync instead."""


class AshbyAuthError(AshbyError):
    """401 (no key) or 403 (a wrong or deactivated key). Never retried."""


class AshbyPermissionError(AshbyError):
    """`missing_endpoint_permission`: the key lacks the module permission (HTTP 403) or a per-key toggle
    such as private fields (HTTP 200). Never retried: the key must be granted it."""


class AshbyResponseError(AshbyError):
    """An answer that is neither Ashby's envelope nor a status with a class of its own: an unknown endpoint
    (404), another 4xx, a body without `success`, a refused file upload. Never retried."""


class AshbyTransientError(AshbyError):
    """What is retried: 429, 5xx, timeouts, dropped connections, truncated bodies. Raised to the caller only
    when the attempts are spent. `kind` is one of rate_limited, server_error, timeout, dropped, bad_body."""

    def __init__(self, description: str, *, kind: str, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(description, **kwargs)  # type: ignore[arg-type]
        self.kind = kind
        self.retry_after = retry_after

    @property
    def ambiguous(self) -> bool:
        """A write answered this way may or may not have been committed (only a 429 certainly was not)."""
        return self.kind != "rate_limited"


def is_not_found(code: str) -> bool:
    return code.endswith("_not_found")


def business_error_class(code: str) -> type[AshbyError]:
    """The class for a `success: false` answer with this code."""
    if code == PERMISSION_CODE:
        return AshbyPermissionError
    if code in SYNC_TOKEN_CODES:
        return AshbySyncTokenError
    if is_not_found(code):
        return AshbyNotFoundError
    return AshbyBusinessError
