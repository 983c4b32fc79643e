"""Savings documents through the API: a transaction's receipt, a member's statement for a date
range, and a member's own statement. The same PDFs as the pages; another member's or another
cooperative's answers 404."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import marshmallow as ma
from flask import g, make_response
from flask.views import MethodView
from flask_login import current_user

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.auth.models import User
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.members import services as members
from coopsaas.members.models import Member
from coopsaas.savings import receipts, statements
from coopsaas.savings.models import SavingsTransaction
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_savings_documents", __name__, "", description="Savings receipts and member statements as PDF."
)


class PeriodArgs(ma.Schema):
    start = ma.fields.Date(load_default=None, metadata={"description": "First day (YYYY-MM-DD)."})
    end = ma.fields.Date(load_default=None, metadata={"description": "Last day (YYYY-MM-DD); default today."})


def _pdf(body: bytes, filename: str) -> Any:
    resp = make_response(body)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


def _statement(member: Member, start: date | None, end: date | None) -> Any:
    first, last = statements.check_range(start, end, today=today_for(g.tenant))
    st = statements.member_statement(member, first, last)
    return _pdf(
        statements.statement_pdf(st, coop_name=g.tenant.name),
        f"simpanan-{member.member_no}-{first.isoformat()}-{last.isoformat()}.pdf",
    )


@blp.route("/savings/transactions/<uuid:savings_transaction_id>/receipt.pdf")
class Receipt(MethodView):
    @require_permission("savings.view")
    @blp.response(
        200, description="The 80 mm receipt (bukti setoran / penarikan).", content_type="application/pdf"
    )
    def get(self, savings_transaction_id: uuid.UUID) -> Any:
        """The receipt of one deposit or withdrawal, as printed at the counter."""
        from coopsaas.savings.views import receipt_data

        txn = get_scoped(db.session, SavingsTransaction, savings_transaction_id)
        if txn is None:
            raise NotFound(_l("Savings transaction not found."))
        teller = ""
        if txn.created_by_id is not None:
            user = db.session.get(User, txn.created_by_id)
            teller = user.full_name if user is not None else ""
        return _pdf(receipts.receipt_pdf(receipt_data(txn, teller)), f"bukti-{txn.id}.pdf")


@blp.route("/members/<uuid:member_id>/statement.pdf")
class MemberStatementPdf(MethodView):
    @require_permission("members.view")
    @blp.arguments(PeriodArgs, location="query", as_kwargs=True)
    @blp.response(200, description="The member's savings statement.", content_type="application/pdf")
    def get(self, member_id: uuid.UUID, start: date | None, end: date | None) -> Any:
        """Every savings account of the member with opening balance, movements and closing balance."""
        member = get_scoped(db.session, Member, member_id)
        if member is None:
            raise NotFound(_l("Member not found."))
        return _statement(member, start, end)


@blp.route("/me/statement.pdf")
class MyStatementPdf(MethodView):
    @require_permission("self.view")
    @blp.arguments(PeriodArgs, location="query", as_kwargs=True)
    @blp.response(200, description="The signed-in member's own statement.", content_type="application/pdf")
    def get(self, start: date | None, end: date | None) -> Any:
        """The signed-in member's own savings statement; nobody else's."""
        member = members.member_of_user(current_user)
        if member is None:
            raise NotFound(_l("Member not found."))
        return _statement(member, start, end)
