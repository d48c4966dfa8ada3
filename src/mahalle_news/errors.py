"""The one exception root of mahalle-news.

Every error the library raises on purpose derives from :class:`MahalleError`, carries a message meant for a
person, and optionally says *where* the problem is (file, line, field). The CLI prints these without a traceback;
the API (later) turns them into its JSON error envelope.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where bad input was found: any of file, line (1-based) and field."""

    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)


class MahalleError(Exception):
    """Root of all errors raised by mahalle-news on purpose."""

    code = "error"

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is not None and str(self.location):
            return f"{self.location}: {self.message}"
        return self.message

    def to_dict(self) -> dict[str, object]:
        """The error as the JSON envelope's ``error`` member."""
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.location is not None:
            out["location"] = {k: v for k, v in vars(self.location).items() if v is not None}
        return out


class InputError(MahalleError):
    """Input that cannot be used: unreadable file, invalid JSON, missing or wrongly typed field."""

    code = "invalid_input"


class ConfigError(MahalleError):
    """A setting with a value that cannot be used."""

    code = "invalid_setting"


class DataError(MahalleError):
    """A shipped data file (gazetteer, lexicon) that is malformed: a packaging bug, reported clearly."""

    code = "invalid_data"


class NotFound(MahalleError):
    """A thing asked for by id that does not exist."""

    code = "not_found"


class AuthError(MahalleError):
    """A request without a valid API key (401), or whose key's role may not do this (403)."""

    code = "unauthorized"

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden
        if forbidden:
            self.code = "forbidden"


class RateLimited(MahalleError):
    """Too many requests from one API key or address; ``retry_after`` seconds until the next is allowed."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
