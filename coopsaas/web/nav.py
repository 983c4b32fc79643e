"""The tenant navigation: features register their pages here, the base layout shows what the role allows.

Only pages that exist are registered, so the menu never leads to a missing page. A feature adds
its entry from its own init_app:

    register_nav(_l("Savings"), "savings.index", permission="savings.view", order=20)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import g

from coopsaas.tenancy.context import has_permission


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy string, translated when shown
    endpoint: str
    permission: str | None
    order: int
    sharia_label: Any = None  # the label in a cooperative with a sharia unit, when it differs


_ITEMS: dict[str, NavItem] = {}


def register_nav(
    label: Any, endpoint: str, *, permission: str | None = None, order: int = 100, sharia_label: Any = None
) -> None:
    """Add (or replace) the menu entry for `endpoint`, shown to roles holding `permission`;
    `sharia_label` replaces the label in a cooperative with a sharia unit (Tenant.sharia_unit)."""
    _ITEMS[endpoint] = NavItem(
        label=label, endpoint=endpoint, permission=permission, order=order, sharia_label=sharia_label
    )


def visible_nav() -> list[NavItem]:
    """The entries the current user's roles in the current tenant allow, in menu order."""
    items = sorted(_ITEMS.values(), key=lambda i: (i.order, i.endpoint))
    tenant = g.get("tenant")
    sharia = tenant is not None and tenant.sharia_unit
    return [
        replace(i, label=i.sharia_label) if sharia and i.sharia_label is not None else i
        for i in items
        if i.permission is None or has_permission(i.permission)
    ]
