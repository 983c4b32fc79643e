"""Application-made, time-ordered UUIDs (UUIDv7 layout).

Ids are made by the application so inserts behave the same on SQLite and PostgreSQL and shard
cleanly by tenant; the millisecond prefix keeps B-tree inserts append-mostly.
"""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> uuid.UUID:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & (2**48 - 1)) << 80 | 7 << 76 | (rand >> 68) << 64 | 2 << 62 | (rand & (2**62 - 1))
    return uuid.UUID(int=value)


def parse_uuid(value: object) -> uuid.UUID | None:
    """A UUID from user input, or None when it is not one (callers answer 404)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None
