"""Lever errors as exceptions, one class per way a call can end badly.

Each carries the HTTP status (None when no answer came), Lever's error `code` and `message`, and the
request path. Never the key or token: messages are built from the path and Lever's answer only.
"""

from __future__ import annotations

MAINTENANCE_RERUN = "A re-run resumes where this one stopped."
CONFIDENTIAL_HELP = (
    "This Lever key has no access to confidential data: Lever would silently leave out confidential postings, "
    "opportunities and requisitions. Create a key with 'Allow access to confidential data' (or grant the "
    "confidential:access:admin OAuth scope) and run again."
)


class LeverError(Exception):
    """Base of every Lever client error."""

    def __init__(
        self,
        description: str,
        *,
        status: int | None = None,
        code: str = "",
        message: str = "",
        path: str = "",
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.message = message  # Lever's own message (or ours when Lever sent none)
        self.path = path

    @classmethod
    def from_answer(cls, status: int, code: str, message: str, path: str, hint: str = "") -> LeverError:
        """The standard wording: `Lever answered <status> <code> on <path>: <message>[. hint]`."""
        text = f"Lever answered {status} {code} on {path}: {message}".rstrip(": ")
        if hint:
            text = f"{text}. {hint}"
        return cls(text, status=status, code=code, message=message, path=path)


class LeverApiError(LeverError):
    """A 4xx that has no class of its own (405, 409, 413, ...)."""


class LeverAuthError(LeverError):
    """401: the key or token was refused (after one refresh for OAuth). Never retried."""


class LeverPermissionError(LeverError):
    """403: the key or token may not do this. Never retried."""


class LeverConfidentialAccessError(LeverPermissionError):
    """The key cannot see confidential data, so every list would be a silent subset."""


class LeverNotFound(LeverError):
    """404."""


class LeverBadRequest(LeverError):
    """400, including "Invalid offset token" (an offset Lever did not issue, or no longer accepts)."""

    @property
    def invalid_offset(self) -> bool:
        return "offset" in self.message.lower()


class LeverUnprocessableFile(LeverError):
    """422 on a download: Lever could not process the file (its status is `error`). Record it, go on."""


class LeverTransientError(LeverError):
    """What is retried: 429, 5xx, timeouts, dropped connections. Raised to the caller only when the
    retries are spent. `kind` is one of rate_limited, server_error, unavailable, timeout, dropped, bad_body."""

    def __init__(self, description: str, *, kind: str, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(description, **kwargs)  # type: ignore[arg-type]
        self.kind = kind
        self.retry_after = retry_after

    @classmethod
    def answered(
        cls, status: int, code: str, message: str, path: str, *, kind: str, retry_after: float | None = None
    ) -> LeverTransientError:
        text = f"Lever answered {status} {code} on {path}: {message}".rstrip(": ")
        return cls(text, kind=kind, retry_after=retry_after, status=status, code=code, message=message, path=path)


class LeverMaintenanceError(LeverError):
    """503 for longer than the client is allowed to wait (Lever's maintenance window, or an outage)."""
