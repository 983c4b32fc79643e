"""Purchase orders that another feature runs end to end.

A network order (coopsaas/network) is received, billed and paid through the network's own steps,
which keep the hub's books in step with the buyer's. The shop's ordinary receive / supplier
invoice / payment steps must then refuse such an order, or the buyer could take the goods in
before the hub delivers them, or pay the hub behind its back. The owning feature registers a
check that names its orders, and runs its own calls to those steps inside `acting_as_owner()`.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from coopsaas.errors import Conflict

OwnerCheck = Callable[[uuid.UUID], Any]
_CHECKS: dict[str, OwnerCheck] = {}
_acting: contextvars.ContextVar[bool] = contextvars.ContextVar("retail_order_owner_acting", default=False)


def register_order_owner(name: str, check: OwnerCheck) -> None:
    """`check(order_id)` returns a message (the order belongs to the caller) or None."""
    _CHECKS[name] = check


@contextmanager
def acting_as_owner() -> Iterator[None]:
    token = _acting.set(True)
    try:
        yield
    finally:
        _acting.reset(token)


def refuse_if_owned(order_id: uuid.UUID | None) -> None:
    """Raises Conflict when a registered feature runs this order and is not the caller."""
    if order_id is None or _acting.get():
        return
    for name in sorted(_CHECKS):
        message = _CHECKS[name](order_id)
        if message:
            raise Conflict(message, code="order_managed_elsewhere")
