"""Loans API, repayment side: repayments (Idempotency-Key), the early-settlement quote, the loan's
transactions, the arrears list and the portfolio quality report.

Refusals are problem bodies: 422 for a bad amount or one above what the loan owes, 409
`loan_closed` / `loan_written_off`, 409 `insufficient_funds` from savings.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask import g, request
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from coopsaas.api.blueprint import get_or_not_found, tenant_blueprint
from coopsaas.api.fields import Money
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.core.i18n import _l
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.ledger.services import today_for
from coopsaas.loans import repayments, reports
from coopsaas.loans.models import Loan, LoanTransaction
from coopsaas.savings.models import SavingsAccount
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_loans_repay", __name__, "/loans", description="Loan repayments, arrears and portfolio quality."
)


class RepaySchema(ma.Schema):
    amount = Money(required=True, metadata={"description": 'Whole rupiah, e.g. "1081667.00".'})
    channel = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(repayments.CHANNELS))
    paid_on = ma.fields.Date(load_default=None, allow_none=True, metadata={"description": "Default today."})
    settle = ma.fields.Boolean(
        load_default=False, metadata={"description": "Early settlement: pay the loan off; excess to savings."}
    )
    savings_account_id = ma.fields.UUID(load_default=None, allow_none=True)
    memo = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))


class TransactionSchema(ma.Schema):
    id = ma.fields.UUID()
    loan_id = ma.fields.UUID()
    kind = ma.fields.String()
    channel = ma.fields.String(allow_none=True)
    entry_on = ma.fields.Date()
    amount = Money()
    principal = Money()
    interest = Money()
    penalty = Money()
    fee = Money()
    excess_to_savings = Money()
    outstanding_after = Money()
    loan_status = ma.fields.String()
    voucher_no = ma.fields.String()
    allocation = ma.fields.Dict(allow_none=True)


class SettlementArgs(ma.Schema):
    on = ma.fields.Date(load_default=None)


class SettlementSchema(ma.Schema):
    on = ma.fields.Date()
    principal = Money()
    interest = Money()
    penalty = Money()
    fee = Money()
    waived_interest = Money()
    total = Money()


class AsOfArgs(ma.Schema):
    as_of = ma.fields.Date(load_default=None, metadata={"description": "Report date; default today."})


class ArrearsSchema(ma.Schema):
    loan_id = ma.fields.UUID()
    loan_no = ma.fields.String()
    member_id = ma.fields.UUID()
    member_no = ma.fields.String()
    member_name = ma.fields.String()
    phone = ma.fields.String()
    product_code = ma.fields.String()
    oldest_due_on = ma.fields.Date()
    days_past_due = ma.fields.Integer()
    principal_due = Money()
    interest_due = Money()
    penalty_due = Money()
    amount_due = Money()
    outstanding = Money()
    kolektibilitas = ma.fields.String()


class ArrearsListSchema(ma.Schema):
    as_of = ma.fields.Date()
    count = ma.fields.Integer()
    amount_due = Money()
    items = ma.fields.List(ma.fields.Nested(ArrearsSchema))


class ParSchema(ma.Schema):
    name = ma.fields.String()
    min_dpd = ma.fields.Integer()
    amount = Money()
    percent = ma.fields.String(allow_none=True)


class ProductLineSchema(ma.Schema):
    product_code = ma.fields.String()
    product_name = ma.fields.String()
    count = ma.fields.Integer()
    outstanding = Money()
    by_class = ma.fields.Dict(keys=ma.fields.String(), values=Money())


class PortfolioSchema(ma.Schema):
    as_of = ma.fields.Date()
    loan_count = ma.fields.Integer()
    gross_outstanding = Money()
    par = ma.fields.List(ma.fields.Nested(ParSchema))
    npl_amount = Money()
    npl_percent = ma.fields.String(allow_none=True)
    by_class = ma.fields.Dict(keys=ma.fields.String(), values=Money())
    ppap_required = Money()
    written_off_count = ma.fields.Integer()
    written_off_amount = Money()
    by_product = ma.fields.List(ma.fields.Nested(ProductLineSchema))


def _loan(ident: Any) -> Loan:
    return get_or_not_found(Loan, ident, _l("Loan not found."))


def _key() -> str | None:
    raw = request.headers.get(HEADER, "").strip()
    return f"api:{current_user.id}:{raw}" if raw else None


def _percent(value: Any) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def transaction_out(txn: LoanTransaction, loan: Loan) -> dict[str, Any]:
    voucher = db.session.scalar(
        select(JournalEntry.voucher_no).where(JournalEntry.id == txn.journal_entry_id)
    )
    return {
        "id": txn.id,
        "loan_id": txn.loan_id,
        "kind": txn.kind,
        "channel": txn.channel,
        "entry_on": txn.entry_on,
        "amount": txn.amount,
        "principal": txn.principal,
        "interest": txn.interest,
        "penalty": txn.penalty,
        "fee": txn.fee,
        "excess_to_savings": repayments.excess_of(txn),
        "outstanding_after": txn.outstanding_after,
        "loan_status": loan.status,
        "voucher_no": voucher or "",
        "allocation": txn.allocation,
    }


@blp.route("/<uuid:loan_id>/repayments")
class Repayments(MethodView):
    @require_permission("loans.view")
    @blp.response(200, TransactionSchema(many=True))
    def get(self, loan_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every transaction of the loan (disbursement and repayments), oldest first."""
        loan = _loan(loan_id)
        return [transaction_out(t, loan) for t in repayments.transactions_of(loan)]

    @require_permission("loans.transact")
    @idempotent
    @blp.arguments(RepaySchema)
    @blp.response(201, TransactionSchema)
    def post(self, data: dict[str, Any], loan_id: uuid.UUID) -> dict[str, Any]:
        """Record a repayment (penalty, then interest, then principal) or, with `settle`, pay the loan off."""
        loan = _loan(loan_id)
        account = None
        if data["savings_account_id"] is not None:
            account = get_or_not_found(
                SavingsAccount, data["savings_account_id"], _l("Savings account not found.")
            )
        txn = repayments.repay(
            tenant=g.tenant,
            actor=current_user,
            loan=loan,
            amount=data["amount"],
            channel=data["channel"],
            on=data["paid_on"],
            settle=data["settle"],
            savings_account=account,
            memo=data["memo"],
            idempotency_key=_key(),
        )
        return transaction_out(txn, loan)


@blp.route("/<uuid:loan_id>/settlement")
class Settlement(MethodView):
    @require_permission("loans.view")
    @blp.arguments(SettlementArgs, location="query", as_kwargs=True)
    @blp.response(200, SettlementSchema)
    def get(self, loan_id: uuid.UUID, on: date | None) -> dict[str, Any]:
        """What pays the loan off on a date (default today); saves nothing."""
        loan = _loan(loan_id)
        quote = repayments.quote_settlement(loan, on or today_for(g.tenant))
        return {
            "on": quote.on,
            "principal": quote.principal,
            "interest": quote.interest,
            "penalty": quote.penalty,
            "fee": quote.fee,
            "waived_interest": quote.waived_interest,
            "total": quote.total,
        }


@blp.route("/reports/arrears")
class Arrears(MethodView):
    @require_permission("loans.view")
    @blp.arguments(AsOfArgs, location="query", as_kwargs=True)
    @blp.response(200, ArrearsListSchema)
    def get(self, as_of: date | None) -> dict[str, Any]:
        """Loans late on the report date, longest late first, with phone and amount due."""
        day = as_of or today_for(g.tenant)
        rows = reports.arrears_list(g.tenant, day)
        items = [
            {
                **{
                    k: getattr(r, k)
                    for k in ArrearsSchema._declared_fields
                    if k not in ("amount_due", "kolektibilitas")
                },
                "amount_due": r.amount_due,
                "kolektibilitas": r.kolektibilitas.value,
            }
            for r in rows
        ]
        return {
            "as_of": day,
            "count": len(rows),
            "amount_due": sum((r.amount_due for r in rows), reports.ZERO),
            "items": items,
        }


@blp.route("/reports/portfolio")
class Portfolio(MethodView):
    @require_permission("loans.view")
    @blp.arguments(AsOfArgs, location="query", as_kwargs=True)
    @blp.response(200, PortfolioSchema)
    def get(self, as_of: date | None) -> dict[str, Any]:
        """PAR1/PAR30/PAR90, NPL, outstanding by class and by product, the required PPAP."""
        day = as_of or today_for(g.tenant)
        report = reports.portfolio_report(g.tenant, day)
        q = report.quality
        return {
            "as_of": day,
            "loan_count": q.loan_count,
            "gross_outstanding": q.gross_outstanding,
            "par": [
                {"name": p.name, "min_dpd": p.min_dpd, "amount": p.amount, "percent": _percent(p.percent)}
                for p in q.par
            ],
            "npl_amount": q.npl_amount,
            "npl_percent": _percent(q.npl_percent),
            "by_class": {k.value: v for k, v in q.by_class.items()},
            "ppap_required": q.ppap.total,
            "written_off_count": q.written_off_count,
            "written_off_amount": q.written_off_amount,
            "by_product": [
                {
                    "product_code": p.product_code,
                    "product_name": p.product_name,
                    "count": p.count,
                    "outstanding": p.outstanding,
                    "by_class": {k.value: v for k, v in p.by_class.items()},
                }
                for p in report.by_product
            ],
        }
