"""Loans API, write-off side: propose a write-off (maker), approve or reject it (checker), record
recoveries on a written-off loan. Every POST takes an Idempotency-Key.

Refusals are problem bodies: 409 `maker_checker`, `write_off_pending`, `already_decided`,
`loan_written_off`, `loan_not_active`, `loan_not_written_off`; 422 for a missing reason or a bad
amount (or more than is still to be collected).
"""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import g, request
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from coopsaas.api.blueprint import get_or_not_found, tenant_blueprint
from coopsaas.api.fields import Money
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import writeoff
from coopsaas.loans.models import Loan, LoanRecovery, LoanWriteOff
from coopsaas.savings.models import SavingsAccount
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_loans_writeoff", __name__, "/loans", description="Loan write-off (hapus buku) and recoveries."
)


class ProposeSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(max=500))


class RejectSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(max=500))


class ApproveSchema(ma.Schema):
    pass


class WriteOffSchema(ma.Schema):
    id = ma.fields.UUID()
    loan_id = ma.fields.UUID()
    loan_status = ma.fields.String()
    status = ma.fields.String()
    reason = ma.fields.String()
    decision_reason = ma.fields.String()
    written_off_on = ma.fields.Date(allow_none=True)
    principal = Money()
    interest = Money()
    penalty = Money()
    reserve_used = Money()
    shortfall = Money()
    recovered = Money()
    claim = Money()
    voucher_no = ma.fields.String()


class RecoverySchema(ma.Schema):
    amount = Money(required=True, metadata={"description": 'Whole rupiah, e.g. "500000.00".'})
    channel = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(writeoff.RECOVERY_CHANNELS))
    received_on = ma.fields.Date(
        load_default=None, allow_none=True, metadata={"description": "Default today."}
    )
    savings_account_id = ma.fields.UUID(load_default=None, allow_none=True)
    memo = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))


class RecoveryOutSchema(ma.Schema):
    id = ma.fields.UUID()
    loan_id = ma.fields.UUID()
    received_on = ma.fields.Date()
    amount = Money()
    claim_after = Money()
    channel = ma.fields.String()
    voucher_no = ma.fields.String()


def _loan(ident: Any) -> Loan:
    return get_or_not_found(Loan, ident, _l("Loan not found."))


def _proposal(loan: Loan, ident: Any) -> LoanWriteOff:
    row = get_scoped(db.session, LoanWriteOff, ident)
    if row is None or row.loan_id != loan.id:
        raise NotFound(_l("Write-off not found."))
    return row


def _key() -> str | None:
    raw = request.headers.get(HEADER, "").strip()
    return f"api:{current_user.id}:{raw}" if raw else None


def _voucher(entry_id: Any) -> str:
    if entry_id is None:
        return ""
    return db.session.scalar(select(JournalEntry.voucher_no).where(JournalEntry.id == entry_id)) or ""


def write_off_out(row: LoanWriteOff, loan: Loan) -> dict[str, Any]:
    return {
        **{
            k: getattr(row, k)
            for k in WriteOffSchema._declared_fields
            if k not in ("loan_status", "voucher_no")
        },
        "loan_status": loan.status,
        "voucher_no": _voucher(row.journal_entry_id),
    }


def recovery_out(row: LoanRecovery) -> dict[str, Any]:
    return {
        **{k: getattr(row, k) for k in RecoveryOutSchema._declared_fields if k != "voucher_no"},
        "voucher_no": _voucher(row.journal_entry_id),
    }


@blp.route("/<uuid:loan_id>/write-offs")
class WriteOffs(MethodView):
    @require_permission("loans.view")
    @blp.response(200, WriteOffSchema(many=True))
    def get(self, loan_id: uuid.UUID) -> list[dict[str, Any]]:
        """The write-off proposals of a loan (proposed, approved, rejected), oldest first."""
        loan = _loan(loan_id)
        return [write_off_out(w, loan) for w in writeoff.write_offs_of(loan)]

    @require_permission("loans.transact")
    @idempotent
    @blp.arguments(ProposeSchema)
    @blp.response(201, WriteOffSchema)
    def post(self, data: dict[str, Any], loan_id: uuid.UUID) -> dict[str, Any]:
        """Propose writing the loan off (maker); another user approves."""
        loan = _loan(loan_id)
        row = writeoff.propose_write_off(
            tenant=g.tenant, actor=current_user, loan=loan, reason=data["reason"], idempotency_key=_key()
        )
        return write_off_out(row, loan)


@blp.route("/<uuid:loan_id>/write-offs/<uuid:write_off_id>/approve")
class Approve(MethodView):
    @require_permission("loans.approve")
    @idempotent
    @blp.arguments(ApproveSchema)
    @blp.response(200, WriteOffSchema)
    def post(self, data: dict[str, Any], loan_id: uuid.UUID, write_off_id: uuid.UUID) -> dict[str, Any]:
        """Approve (checker): Dr 1209 (Dr 6104 for a shortfall) / Cr 1201 or 1202; the loan is written off."""
        loan = _loan(loan_id)
        row = writeoff.approve_write_off(
            tenant=g.tenant, actor=current_user, proposal=_proposal(loan, write_off_id)
        )
        return write_off_out(row, loan)


@blp.route("/<uuid:loan_id>/write-offs/<uuid:write_off_id>/reject")
class Reject(MethodView):
    @require_permission("loans.approve")
    @idempotent
    @blp.arguments(RejectSchema)
    @blp.response(200, WriteOffSchema)
    def post(self, data: dict[str, Any], loan_id: uuid.UUID, write_off_id: uuid.UUID) -> dict[str, Any]:
        """Reject with a reason; the loan stays active."""
        loan = _loan(loan_id)
        row = writeoff.reject_write_off(
            tenant=g.tenant, actor=current_user, proposal=_proposal(loan, write_off_id), reason=data["reason"]
        )
        return write_off_out(row, loan)


@blp.route("/<uuid:loan_id>/recoveries")
class Recoveries(MethodView):
    @require_permission("loans.view")
    @blp.response(200, RecoveryOutSchema(many=True))
    def get(self, loan_id: uuid.UUID) -> list[dict[str, Any]]:
        """Money received on the written-off loan, oldest first."""
        return [recovery_out(r) for r in writeoff.recoveries_of(_loan(loan_id))]

    @require_permission("loans.transact")
    @idempotent
    @blp.arguments(RecoverySchema)
    @blp.response(201, RecoveryOutSchema)
    def post(self, data: dict[str, Any], loan_id: uuid.UUID) -> dict[str, Any]:
        """Record a recovery: Dr Kas/Bank/2101 / Cr 4901; the claim still to collect falls."""
        loan = _loan(loan_id)
        account = None
        if data["savings_account_id"] is not None:
            account = get_or_not_found(
                SavingsAccount, data["savings_account_id"], _l("Savings account not found.")
            )
        row = writeoff.record_recovery(
            tenant=g.tenant,
            actor=current_user,
            loan=loan,
            amount=data["amount"],
            channel=data["channel"],
            on=data["received_on"],
            savings_account=account,
            memo=data["memo"],
            idempotency_key=_key(),
        )
        return recovery_out(row)
