"""Cash day API: open the day, the position, close with the count, reopen (managers), the list."""

from __future__ import annotations

import re
import uuid
from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.fields import Money, Timestamp
from coopsaas.api.idempotency import idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.auth.models import User
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound, PermissionDenied
from coopsaas.extensions import db
from coopsaas.savings import teller
from coopsaas.savings.models_teller import SESSION_CLOSED, SESSION_OPEN, TellerSession
from coopsaas.tenancy.context import has_permission, require_permission

blp = tenant_blueprint(
    "api_till",
    __name__,
    "/till",
    description="Teller cash days (buka/tutup kas harian): opening float, cash position, close with the "
    "count, the difference to the suspense account, reopening by a manager.",
)


class NonNegativeMoney(Money):
    """Zero or more (an opening float or a count may be nothing)."""

    regex = re.compile(r"^\d{1,16}(\.\d{1,2})?$")


class TillOpenSchema(ma.Schema):
    opening_float = NonNegativeMoney(
        required=True, metadata={"description": "Cash in the drawer at opening."}
    )
    business_on = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Default today; at most `max_backdate_days` back, never ahead."},
    )


class TillCloseSchema(ma.Schema):
    counted = NonNegativeMoney(
        load_default=None,
        allow_none=True,
        metadata={"description": "Cash counted; may be left out when `denominations` are given."},
    )
    denominations = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf([str(v) for v in teller.DENOMINATIONS])),
        values=ma.fields.Integer(validate=ma.validate.Range(min=0, max=teller.MAX_PIECES)),
        load_default=dict,
        metadata={"description": 'Pieces per note or coin, e.g. {"100000": 12, "500": 3}.'},
    )
    reason = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=300),
        metadata={"description": "Required when the count differs from the expected cash."},
    )


class TillReopenSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class TillCashSourceSchema(ma.Schema):
    name = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    cash_in = Money(required=True)
    cash_out = Money(required=True)
    count = ma.fields.Integer(required=True)


class TillPositionSchema(ma.Schema):
    opening_float = Money(required=True)
    cash_in = Money(required=True)
    cash_out = Money(required=True)
    expected = Money(required=True)
    sources = ma.fields.List(ma.fields.Nested(TillCashSourceSchema), required=True)


class TillSessionSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    teller_id = ma.fields.UUID(required=True)
    teller_name = ma.fields.String(required=True)
    business_on = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, metadata={"enum": [SESSION_OPEN, SESSION_CLOSED]})
    opening_float = Money(required=True)
    expected = Money(allow_none=True, metadata={"description": "At the latest close."})
    counted = Money(allow_none=True)
    difference = Money(
        allow_none=True, metadata={"description": "Counted less expected; negative: shortage."}
    )
    difference_posted = Money(required=True, metadata={"description": "Held in the suspense account."})
    denominations = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    reason = ma.fields.String(required=True)
    close_count = ma.fields.Integer(required=True)
    closed_at = Timestamp(allow_none=True)
    reopened_at = Timestamp(allow_none=True)
    reopen_reason = ma.fields.String(required=True)
    position = ma.fields.Nested(
        TillPositionSchema, required=True, metadata={"description": "The position now."}
    )


class TillListArgs(PageArgs):
    start = ma.fields.Date(metadata={"description": "Business dates from."})
    end = ma.fields.Date(metadata={"description": "Business dates to."})
    teller_id = ma.fields.UUID(metadata={"description": "One teller (with till.view; others see their own)."})
    status = ma.fields.String(validate=ma.validate.OneOf([SESSION_OPEN, SESSION_CLOSED]))
    with_difference = ma.fields.Boolean(load_default=False)


def _names(ids: set[Any]) -> dict[Any, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def session_out(session: TellerSession, names: dict[Any, str] | None = None) -> dict[str, Any]:
    names = names if names is not None else _names({session.teller_id})
    position = teller.position_of(session)
    return {
        "id": session.id,
        "teller_id": session.teller_id,
        "teller_name": names.get(session.teller_id, ""),
        "business_on": session.business_on,
        "status": session.status,
        "opening_float": session.opening_float,
        "expected": session.expected,
        "counted": session.counted,
        "difference": session.difference,
        "difference_posted": session.difference_posted,
        "denominations": session.denominations or {},
        "reason": session.reason,
        "close_count": session.close_count,
        "closed_at": session.closed_at,
        "reopened_at": session.reopened_at,
        "reopen_reason": session.reopen_reason,
        "position": {
            "opening_float": position.opening_float,
            "cash_in": position.cash_in,
            "cash_out": position.cash_out,
            "expected": position.expected,
            "sources": [
                {
                    "name": s.name,
                    "label": str(s.label),
                    "cash_in": s.cash_in,
                    "cash_out": s.cash_out,
                    "count": s.count,
                }
                for s in position.sources
            ],
        },
    }


def _may_see_days() -> None:
    if not (has_permission("till.view") or has_permission("till.own")):
        raise PermissionDenied(_l("You do not have permission to do this."))


def _session(session_id: uuid.UUID) -> TellerSession:
    session = get_scoped(db.session, TellerSession, session_id)
    if session is None or (session.teller_id != current_user.id and not has_permission("till.view")):
        raise NotFound(_l("Cash day not found."))
    return session


@blp.route("/sessions")
class Sessions(MethodView):
    @blp.arguments(TillListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(TillSessionSchema))
    def get(self, page: int, per_page: int, **filters: Any) -> dict[str, Any]:
        """Cash days, newest first. A teller sees their own; managers and auditors see all."""
        _may_see_days()
        teller_id = filters.get("teller_id") if has_permission("till.view") else current_user.id
        query = teller.sessions_query(
            start=filters.get("start"),
            end=filters.get("end"),
            teller_id=teller_id,
            status=filters.get("status"),
            with_difference=bool(filters.get("with_difference")),
        )

        def transform(rows: list[TellerSession]) -> list[dict[str, Any]]:
            names = _names({s.teller_id for s in rows})
            return [session_out(s, names) for s in rows]

        return paginate(query, page=page, per_page=per_page, transform=transform)

    @require_permission("till.own")
    @idempotent
    @blp.arguments(TillOpenSchema)
    @blp.response(201, TillSessionSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open your cash day with the opening float (409 when already opened or closed)."""
        session = teller.open_day(
            tenant=g.tenant, actor=current_user, opening_float=data["opening_float"], on=data["business_on"]
        )
        return session_out(session)


@blp.route("/sessions/<uuid:session_id>")
class SessionItem(MethodView):
    @blp.response(200, TillSessionSchema)
    def get(self, session_id: uuid.UUID) -> dict[str, Any]:
        """One cash day with its position now (someone else's day: 404 without till.view)."""
        _may_see_days()
        return session_out(_session(session_id))


@blp.route("/sessions/<uuid:session_id>/close")
class SessionClose(MethodView):
    @require_permission("till.own")
    @idempotent
    @blp.arguments(TillCloseSchema)
    @blp.response(200, TillSessionSchema)
    def post(self, data: dict[str, Any], session_id: uuid.UUID) -> dict[str, Any]:
        """Close the day with the cash counted; a difference needs a reason and is posted to the
        suspense account (shortage `Dr 1190 / Cr 1101`, overage `Dr 1101 / Cr 1190`)."""
        session = teller.close_day(
            tenant=g.tenant,
            actor=current_user,
            session=_session(session_id),
            counted=data["counted"],
            denominations=data["denominations"],
            reason=data["reason"],
        )
        return session_out(session)


@blp.route("/sessions/<uuid:session_id>/reopen")
class SessionReopen(MethodView):
    @require_permission("till.reopen")
    @idempotent
    @blp.arguments(TillReopenSchema)
    @blp.response(200, TillSessionSchema)
    def post(self, data: dict[str, Any], session_id: uuid.UUID) -> dict[str, Any]:
        """Reopen a closed day (managers). Nothing posted is reversed; the next close posts only the
        change of the difference."""
        session = teller.reopen_day(
            tenant=g.tenant, actor=current_user, session=_session(session_id), reason=data["reason"]
        )
        return session_out(session)
