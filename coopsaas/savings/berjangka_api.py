"""Time deposit (*simpanan berjangka*) API: place, list, one placement with its schedule, early break."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import marshmallow as ma
from flask import g, request
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.fields import Money, PositiveMoney, Timestamp
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.members.models import Member
from coopsaas.savings import deposits, teller
from coopsaas.savings.berjangka import settle_at_maturity
from coopsaas.savings.deposits import SOURCE_SUKARELA
from coopsaas.savings.models import BERJANGKA, CASH, CHANNELS, SavingsAccount, SavingsProduct
from coopsaas.savings.models_berjangka import ACTIVE, BROKEN, MATURED, ROLLED, BerjangkaPlacement
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_berjangka",
    __name__,
    "/savings/berjangka",
    description="Time deposits: placement with terms fixed on the day, interest schedule, maturity, "
    "early break by a manager with the product's penalty.",
)
STATUSES = (ACTIVE, MATURED, BROKEN, ROLLED)


class BerjangkaPlacementArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    member_id = ma.fields.UUID()


class BerjangkaPlaceSchema(ma.Schema):
    member_id = ma.fields.UUID(required=True)
    product_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    amount = PositiveMoney(required=True)
    term_months = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=120))
    source = ma.fields.String(
        load_default=CASH,
        validate=ma.validate.OneOf((*CHANNELS, SOURCE_SUKARELA)),
        metadata={"description": "cash, transfer, or sukarela (from the payout account)."},
    )
    payout_account_id = ma.fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "The member's sukarela account for interest and principal; none: cash."},
    )
    placed_on = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Default today; within the backdating limit."},
    )


class BerjangkaBreakArgsSchema(ma.Schema):
    broken_on = ma.fields.Date(load_default=None, allow_none=True, metadata={"description": "Default today."})


class BerjangkaPeriodSchema(ma.Schema):
    number = ma.fields.Integer(required=True)
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    days = ma.fields.Integer(required=True)
    gross = Money(required=True)
    done = ma.fields.Boolean(required=True, metadata={"description": "Paid or accrued already."})


class BerjangkaPostingSchema(ma.Schema):
    on = ma.fields.Date(required=True)
    gross = Money(required=True)
    tax = Money(required=True)
    net = Money(required=True)


class BerjangkaScheduleSchema(ma.Schema):
    periods = ma.fields.List(ma.fields.Nested(BerjangkaPeriodSchema), required=True)
    payments = ma.fields.List(ma.fields.Nested(BerjangkaPostingSchema), required=True)
    total_gross = Money(required=True)
    total_tax = Money(required=True)
    total_net = Money(required=True)
    maturity_paid_out = Money(required=True, metadata={"description": "Paid at maturity by the instruction."})
    maturity_new_principal = Money(required=True, metadata={"description": "Placed again (rollover)."})


class BerjangkaPlacementSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    account_id = ma.fields.UUID(required=True)
    account_no = ma.fields.String(required=True)
    member_id = ma.fields.UUID(required=True)
    member_no = ma.fields.String(required=True)
    member_name = ma.fields.String(required=True)
    product_code = ma.fields.String(required=True)
    payout_account_id = ma.fields.UUID(allow_none=True)
    principal = Money(required=True)
    placed_on = ma.fields.Date(required=True)
    maturity_on = ma.fields.Date(required=True)
    term_months = ma.fields.Integer(required=True)
    rate_pa = ma.fields.String(required=True, metadata={"description": "% per year, fixed at placement."})
    payout = ma.fields.String(required=True)
    maturity_instruction = ma.fields.String(required=True)
    break_penalty = ma.fields.String(required=True)
    break_penalty_percent = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    periods_done = ma.fields.Integer(required=True)
    interest_paid = Money(required=True)
    interest_accrued = Money(required=True)
    ended_on = ma.fields.Date(allow_none=True)
    created_at = Timestamp(required=True)


class BerjangkaPlacementDetailSchema(BerjangkaPlacementSchema):
    schedule = ma.fields.Nested(BerjangkaScheduleSchema, required=True)


class BerjangkaBreakResultSchema(ma.Schema):
    placement = ma.fields.Nested(BerjangkaPlacementSchema, required=True)
    broken_on = ma.fields.Date(required=True)
    principal = Money(required=True)
    interest_gross = Money(required=True)
    interest_tax = Money(required=True)
    interest_net = Money(required=True)
    forfeited_interest = Money(required=True)
    penalty = Money(required=True)
    paid_out = Money(required=True)


def placement_out(placement: BerjangkaPlacement, account: SavingsAccount | None = None) -> dict[str, Any]:
    account = (
        account
        or db.session.scalars(select(SavingsAccount).where(SavingsAccount.id == placement.account_id)).one()
    )
    terms = placement.terms or {}
    return {
        "id": placement.id,
        "account_id": account.id,
        "account_no": account.account_no,
        "member_id": account.member_id,
        "member_no": account.member.member_no,
        "member_name": account.member.name,
        "product_code": account.product.code,
        "payout_account_id": placement.payout_account_id,
        "principal": placement.principal,
        "placed_on": placement.placed_on,
        "maturity_on": placement.maturity_on,
        "term_months": int(terms.get("term_months") or 0),
        "rate_pa": str(terms.get("rate_pa", "")),
        "payout": str(terms.get("payout", "")),
        "maturity_instruction": str(terms.get("maturity_instruction", "")),
        "break_penalty": str(terms.get("break_penalty", "")),
        "break_penalty_percent": str(terms.get("break_penalty_percent", "")),
        "status": placement.status,
        "periods_done": placement.periods_done,
        "interest_paid": placement.interest_paid,
        "interest_accrued": placement.interest_accrued,
        "ended_on": placement.ended_on,
        "created_at": placement.created_at,
    }


def detail_out(placement: BerjangkaPlacement) -> dict[str, Any]:
    out = placement_out(placement)
    schedule = deposits.schedule_of(placement)
    settlement = settle_at_maturity(schedule)
    out["schedule"] = {
        "periods": [
            {
                "number": n,
                "start": p.start,
                "end": p.end,
                "days": p.days,
                "gross": p.gross,
                "done": n <= placement.periods_done,
            }
            for n, p in enumerate(schedule.periods, start=1)
        ],
        "payments": [{"on": p.on, "gross": p.gross, "tax": p.tax, "net": p.net} for p in schedule.postings],
        "total_gross": schedule.total_gross,
        "total_tax": schedule.total_tax,
        "total_net": schedule.total_net,
        "maturity_paid_out": settlement.paid_out,
        "maturity_new_principal": settlement.new_principal,
    }
    return out


def _placement(placement_id: uuid.UUID) -> BerjangkaPlacement:
    placement = get_scoped(db.session, BerjangkaPlacement, placement_id)
    if placement is None:
        raise NotFound(_l("Time deposit not found."))
    return placement


def _key() -> str | None:
    raw = request.headers.get(HEADER, "").strip()
    if not raw:
        return None
    # The entry's key: per caller, and short enough for the ledger whatever the header's length.
    return "api:" + hashlib.sha256(f"{current_user.id}:{raw}".encode()).hexdigest()[:48]


@blp.route("/placements")
class Placements(MethodView):
    @require_permission("savings.view")
    @blp.arguments(BerjangkaPlacementArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(BerjangkaPlacementSchema))
    def get(
        self, page: int, per_page: int, status: str | None = None, member_id: uuid.UUID | None = None
    ) -> Any:
        """Time deposits by maturity date, optionally of one status or member."""
        query = (
            select(BerjangkaPlacement)
            .join(
                SavingsAccount,
                (SavingsAccount.tenant_id == BerjangkaPlacement.tenant_id)
                & (SavingsAccount.id == BerjangkaPlacement.account_id),
            )
            .order_by(BerjangkaPlacement.maturity_on, BerjangkaPlacement.id)
        )
        if status:
            query = query.where(BerjangkaPlacement.status == status)
        if member_id is not None:
            query = query.where(SavingsAccount.member_id == member_id)
        return paginate(
            query, page=page, per_page=per_page, transform=lambda rows: [placement_out(p) for p in rows]
        )

    @require_permission("savings.transact")
    @idempotent
    @blp.arguments(BerjangkaPlaceSchema)
    @blp.response(201, BerjangkaPlacementDetailSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Place a time deposit: `Dr kas/bank` (or the member's sukarela) `/ Cr 2102`; the rate of the
        chosen term is fixed for the whole term."""
        member = get_scoped(db.session, Member, data["member_id"])
        if member is None:
            raise NotFound(_l("Member not found."))
        product = db.session.scalars(
            select(SavingsProduct).where(SavingsProduct.code == data["product_code"])
        ).one_or_none()
        if product is None or product.kind != BERJANGKA or not product.is_active:
            message = _l("Choose an active time deposit product.")
            raise ValidationError(message, fields={"product_code": [message]})
        payout = None
        if data["payout_account_id"] is not None:
            payout = get_scoped(db.session, SavingsAccount, data["payout_account_id"])
            if payout is None:
                raise NotFound(_l("Savings account not found."))
        teller.check_entry_date(g.tenant, data["placed_on"], "placed_on")
        if data["source"] == CASH:
            teller.guard_cash(
                tenant=g.tenant, actor=current_user, on=data["placed_on"] or today_for(g.tenant)
            )
        placement = deposits.place_deposit(
            tenant=g.tenant,
            actor=current_user,
            member=member,
            product=product,
            amount=data["amount"],
            term_months=data["term_months"],
            source=data["source"],
            payout_account=payout,
            on=data["placed_on"],
            idempotency_key=_key(),
        )
        return detail_out(placement)


@blp.route("/placements/<uuid:placement_id>")
class PlacementItem(MethodView):
    @require_permission("savings.view")
    @blp.response(200, BerjangkaPlacementDetailSchema)
    def get(self, placement_id: uuid.UUID) -> dict[str, Any]:
        """One time deposit with its schedule of interest and maturity."""
        return detail_out(_placement(placement_id))


@blp.route("/placements/<uuid:placement_id>/break")
class PlacementBreak(MethodView):
    @require_permission("savings.manage")
    @idempotent
    @blp.arguments(BerjangkaBreakArgsSchema)
    @blp.response(200, BerjangkaBreakResultSchema)
    def post(self, data: dict[str, Any], placement_id: uuid.UUID) -> dict[str, Any]:
        """Break before maturity (managers): interest owed by the product's penalty rule, the penalty
        to fee income, the rest paid out. 409 when the deposit has already ended."""
        placement = _placement(placement_id)
        teller.check_entry_date(g.tenant, data["broken_on"], "broken_on")
        settlement = deposits.break_placement(
            tenant=g.tenant, actor=current_user, placement=placement, on=data["broken_on"]
        )
        placement = _placement(placement_id)
        return {
            "placement": placement_out(placement),
            "broken_on": settlement.broken_on,
            "principal": settlement.principal,
            "interest_gross": settlement.interest_gross,
            "interest_tax": settlement.interest_tax,
            "interest_net": settlement.interest_net,
            "forfeited_interest": settlement.forfeited_interest,
            "penalty": settlement.penalty,
            "paid_out": settlement.paid_out,
        }
