"""Money on the wire: a decimal string with at most two places ("1250000.00").

A JSON number is refused (clients would send floats) and so is a third decimal place: amounts are
never rounded silently. The pattern is published in the OpenAPI document, so clients and fuzzers
see the same rule the server applies.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma


class Money(ma.fields.Decimal):
    default_error_messages = {"format": 'An amount is a string with at most 2 decimals, like "1250000.00".'}
    regex = re.compile(r"^-?\d{1,16}(\.\d{1,2})?$")
    example = "1250000.00"

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": self.regex.pattern, "example": self.example, **kwargs.pop("metadata", {})}
        super().__init__(places=2, as_string=True, allow_nan=False, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not self.regex.match(value):
            raise self.make_error("format")
        return super()._deserialize(value, attr, data, **kwargs)


class PositiveMoney(Money):
    """More than zero, stated as a pattern (an undeclared range check would surprise clients)."""

    regex = re.compile(r"^(0\.(0[1-9]|[1-9]\d?)|[1-9]\d{0,15}(\.\d{1,2})?)$")


class Timestamp(ma.fields.DateTime):
    """A UTC instant in ISO 8601 with its offset (SQLite hands back naive values: they are UTC)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
