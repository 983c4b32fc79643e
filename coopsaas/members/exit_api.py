"""Member exit API: the settlement preview, exit requests, approval or rejection by another manager
(coopsaas/members/exit.py has the rules). Money travels as decimal strings."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_login import current_user

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.fields import Money, Timestamp
from coopsaas.api.idempotency import idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.members import exit as exits
from coopsaas.members.models import Member
from coopsaas.members.models_exit import EXIT_STATUSES, PAYOUTS, MemberExit
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_member_exit", __name__, "/members", description="Member exit (keluar anggota) with manager approval."
)


class ExitSettlementLineSchema(ma.Schema):
    account_no = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": ["pokok", "wajib", "sukarela", "berjangka"]})
    product = ma.fields.String(required=True)
    balance = Money(required=True)
    interest_gross = Money(required=True, metadata={"description": "Interest added by the exit."})
    interest_tax = Money(required=True)
    penalty = Money(required=True, metadata={"description": "Early-break penalty of a time deposit."})
    forfeited = Money(required=True, metadata={"description": "Running interest a time deposit forfeits."})
    amount = Money(required=True, metadata={"description": "Refunded for this account."})


class ExitObligationSchema(ma.Schema):
    kind = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    reference = ma.fields.String(required=True)
    amount = Money(required=True)


class ExitSettlementSchema(ma.Schema):
    exit_on = ma.fields.Date(required=True)
    lines = ma.fields.List(ma.fields.Nested(ExitSettlementLineSchema), required=True)
    obligations = ma.fields.List(ma.fields.Nested(ExitObligationSchema), required=True)
    savings_total = Money(required=True)
    obligations_total = Money(required=True)
    refund = Money(required=True, metadata={"description": "Negative: the member must pay this much first."})
    warnings = ma.fields.List(ma.fields.String(), required=True)
    blockers = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "What stops the exit now (empty: it can go)."},
    )
    interest_note = ma.fields.String(required=True)


class ExitSettlementArgs(ma.Schema):
    exit_on = ma.fields.Date(load_default=None, metadata={"description": "Default today."})


class MemberExitSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    exit_no = ma.fields.String(required=True)
    member_id = ma.fields.UUID(required=True)
    member_no = ma.fields.String(required=True)
    member_name = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(EXIT_STATUSES)})
    exit_on = ma.fields.Date(required=True)
    reason = ma.fields.String(required=True)
    payout = ma.fields.String(required=True, metadata={"enum": list(PAYOUTS)})
    savings_total = Money(required=True)
    obligations_total = Money(required=True)
    refund = Money(required=True)
    settlement = ma.fields.Dict(
        required=True, metadata={"description": "The breakdown, as ExitSettlementSchema."}
    )
    requested_by_id = ma.fields.UUID(required=True, allow_none=True)
    requested_at = Timestamp(required=True)
    decided_by_id = ma.fields.UUID(required=True, allow_none=True)
    decided_at = Timestamp(required=True, allow_none=True)
    decision_note = ma.fields.String(required=True)
    journal_entry_id = ma.fields.UUID(required=True, allow_none=True)


class MemberExitListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(EXIT_STATUSES))


class MemberExitCreateSchema(ma.Schema):
    exit_on = ma.fields.Date(load_default=None, allow_none=True, metadata={"description": "Default today."})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    payout = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(PAYOUTS))


class ExitApproveSchema(ma.Schema):
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class ExitRejectSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


def exit_out(row: MemberExit) -> dict[str, Any]:
    return {
        "id": row.id,
        "exit_no": row.exit_no,
        "member_id": row.member_id,
        "member_no": row.member.member_no,
        "member_name": row.member.name,
        "status": row.status,
        "exit_on": row.exit_on,
        "reason": row.reason,
        "payout": row.payout,
        "savings_total": row.savings_total,
        "obligations_total": row.obligations_total,
        "refund": row.refund,
        "settlement": row.settlement or {},
        "requested_by_id": row.requested_by_id,
        "requested_at": row.requested_at,
        "decided_by_id": row.decided_by_id,
        "decided_at": row.decided_at,
        "decision_note": row.decision_note or "",
        "journal_entry_id": row.journal_entry_id,
    }


def _member(member_id: uuid.UUID) -> Member:
    member = get_scoped(db.session, Member, member_id)
    if member is None:
        raise NotFound(_l("Member not found."))
    return member


def _exit(member_exit_id: uuid.UUID) -> MemberExit:
    row = get_scoped(db.session, MemberExit, member_exit_id)
    if row is None:
        raise NotFound(_l("Member exit not found."))
    return row


@blp.route("/exits")
class Exits(MethodView):
    @require_permission("members.view")
    @blp.arguments(MemberExitListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(MemberExitSchema))
    def get(self, page: int, per_page: int, status: str | None) -> dict[str, Any]:
        """Exit requests, newest first; `status` filters (requested, approved, rejected)."""
        return paginate(
            exits.exits_query(status),
            page=page,
            per_page=per_page,
            transform=lambda rows: [exit_out(r) for r in rows],
        )


@blp.route("/<uuid:member_id>/exit-settlement")
class SettlementPreview(MethodView):
    @require_permission("members.view")
    @blp.arguments(ExitSettlementArgs, location="query", as_kwargs=True)
    @blp.response(200, ExitSettlementSchema)
    @blp.alt_response(409, description="A time deposit matured and is not settled yet (run the month-end).")
    def get(self, member_id: uuid.UUID, exit_on: date | None) -> dict[str, Any]:
        """What the member would get back on `exit_on` (nothing is recorded)."""
        member = _member(member_id)
        settlement = exits.compute_settlement(g.tenant, member, exit_on or today_for(g.tenant))
        return {**settlement.to_json(), "exit_on": settlement.exit_on, "blockers": settlement.blockers}


@blp.route("/<uuid:member_id>/exits")
class MemberExits(MethodView):
    @require_permission("members.manage")
    @idempotent
    @blp.arguments(MemberExitCreateSchema)
    @blp.response(201, MemberExitSchema)
    @blp.alt_response(409, description="Already exited or pending, or obligations exceed the savings.")
    def post(self, data: dict[str, Any], member_id: uuid.UUID) -> dict[str, Any]:
        """Request the member's exit; another manager approves it."""
        row = exits.request_exit(tenant=g.tenant, actor=current_user, member=_member(member_id), **data)
        return exit_out(row)


@blp.route("/exits/<uuid:member_exit_id>")
class ExitItem(MethodView):
    @require_permission("members.view")
    @blp.response(200, MemberExitSchema)
    def get(self, member_exit_id: uuid.UUID) -> dict[str, Any]:
        """One exit with its settlement."""
        return exit_out(_exit(member_exit_id))


@blp.route("/exits/<uuid:member_exit_id>/approve")
class ExitApprove(MethodView):
    @require_permission("members.exit_approve")
    @idempotent
    @blp.arguments(ExitApproveSchema)
    @blp.response(200, MemberExitSchema)
    @blp.alt_response(409, description="Decided already, or obligations exceed the savings.")
    def post(self, data: dict[str, Any], member_exit_id: uuid.UUID) -> dict[str, Any]:
        """Approve (a manager other than the requester): post the refund entry and close the accounts."""
        row = exits.approve_exit(
            tenant=g.tenant, actor=current_user, exit_=_exit(member_exit_id), note=data["note"]
        )
        return exit_out(row)


@blp.route("/exits/<uuid:member_exit_id>/reject")
class ExitReject(MethodView):
    @require_permission("members.exit_approve")
    @idempotent
    @blp.arguments(ExitRejectSchema)
    @blp.response(200, MemberExitSchema)
    @blp.alt_response(409, description="Decided already.")
    def post(self, data: dict[str, Any], member_exit_id: uuid.UUID) -> dict[str, Any]:
        """Reject with a reason (a manager other than the requester)."""
        row = exits.reject_exit(
            tenant=g.tenant, actor=current_user, exit_=_exit(member_exit_id), reason=data["reason"]
        )
        return exit_out(row)
