"""Time: UTC timestamps (`*_at`) and tenant-local business dates (`*_on`).

Tests travel in time with `frozen(...)`; everything asks this module instead of datetime.now().
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Jakarta"
_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def business_date(tz: str | None = None) -> date:
    """Today's date where the cooperative is (WIB midnight is 17:00 UTC)."""
    return now().astimezone(ZoneInfo(tz or DEFAULT_TZ)).date()


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    global _frozen
    if at.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
