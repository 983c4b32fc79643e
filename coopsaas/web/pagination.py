"""Pages of long lists: `?page=N` in, a `Page` out, and `_pager.html` to show the links.

    page = paginate(select(Member).order_by(Member.number), per_page=50)
    {% from "_pager.html" import pager %} ... {{ pager(page) }}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from coopsaas.extensions import db

MAX_PAGE = 1_000_000  # keeps OFFSET inside a 64-bit integer whatever the URL says


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def requested_page() -> int:
    """The page asked for in the query string; anything odd is page 1 (a link, not an API)."""
    raw = request.args.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def paginate(stmt: Select[Any], *, per_page: int = 50, page: int | None = None, scalars: bool = True) -> Page:
    number = page or requested_page()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    query = stmt.limit(per_page).offset((number - 1) * per_page)
    rows = list(db.session.scalars(query)) if scalars else list(db.session.execute(query))
    return Page(items=rows, page=number, per_page=per_page, total=total)
