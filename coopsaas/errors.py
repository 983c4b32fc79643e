"""Domain errors: one hierarchy, mapped once to a page message, a JSON problem body or a CLI exit.

Services raise these; they never abort() or return HTTP responses. Messages are user-facing and
translatable (English msgids, Bahasa Indonesia catalogue).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    http_status = 422
    code = "invalid"

    def __init__(self, message: Any, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }


class ValidationError(DomainError):
    http_status = 422
    code = "validation_error"


class NotFound(DomainError):
    """Unknown id, or an id of another tenant: never say which (no existence leak)."""

    http_status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    http_status = 403
    code = "forbidden"


class Conflict(DomainError):
    http_status = 409
    code = "conflict"


class ClosedPeriodError(Conflict):
    code = "period_closed"


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
