"""Pagination for list endpoints: `?page=1&per_page=20` in, one envelope out.

Every list answers `{"items": [...], "page": 1, "per_page": 20, "total": 57, "pages": 3}`. A page
past the end is an empty `items` list (not an error), so a client can stop when `items` is empty
or when `page == pages`. Bad values (0, negative, not a number, `per_page` above 100) are a 422.

    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(TokenSchema))
    def get(self, page, per_page):
        return paginate(select(ApiToken).order_by(ApiToken.created_at), page=page, per_page=per_page)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from sqlalchemy import Select, func, select

from coopsaas.extensions import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000  # keeps OFFSET inside a 64-bit integer whatever a client sends


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE),
                             metadata={"description": "Page number, from 1."})
    per_page = ma.fields.Integer(load_default=DEFAULT_PER_PAGE,
                                 validate=ma.validate.Range(min=1, max=MAX_PER_PAGE),
                                 metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."})


_page_schemas: dict[str, type[ma.Schema]] = {}


def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The envelope schema for a page of `item_schema` (one class each: OpenAPI names it once)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = ma.Schema.from_dict({
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True, metadata={"description": "Items on all pages."}),
            "pages": ma.fields.Integer(required=True, metadata={"description": "Number of pages."}),
        }, name=name)
    return _page_schemas[name]


def envelope(items: list[Any], *, page: int, per_page: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": (total + per_page - 1) // per_page}


def paginate(stmt: Select[Any], *, page: int, per_page: int,
             transform: Callable[[list[Any]], list[Any]] | None = None) -> dict[str, Any]:
    """Run `stmt` (ordered, so pages are stable) for one page; `transform` may decorate the rows."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return envelope(transform(rows) if transform else rows, page=page, per_page=per_page, total=total)
