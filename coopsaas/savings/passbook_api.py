"""Passbook API: where printing continues and what will print, the PDF, "printed OK", and the
manager's reset (coopsaas/savings/passbook.py explains the book's layout and the rules)."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import g, make_response
from flask.views import MethodView
from flask_login import current_user

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.fields import Money
from coopsaas.api.idempotency import idempotent
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound
from coopsaas.extensions import db
from coopsaas.savings import passbook
from coopsaas.savings.models import SavingsAccount
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_passbook", __name__, "/savings/accounts", description="Passbook (buku tabungan) printing."
)


class PassbookLineSchema(ma.Schema):
    page_no = ma.fields.Integer(required=True)
    line_no = ma.fields.Integer(
        required=True, metadata={"description": "1 is the first line below the header area."}
    )
    entry_on = ma.fields.Date(required=True)
    code = ma.fields.String(
        required=True, metadata={"enum": ["SETOR", "TARIK", "BUNGA", "PAJAK", "ADMIN", "SALDO"]}
    )
    debit = Money(required=True, metadata={"description": "Money out; 0 when none."})
    credit = Money(required=True, metadata={"description": "Money in; 0 when none."})
    balance = Money(required=True)
    initials = ma.fields.String(
        required=True, metadata={"description": "Who recorded it; SYS for system postings."}
    )
    transaction_id = ma.fields.UUID(required=True, allow_none=True)


class PassbookPositionSchema(ma.Schema):
    book_no = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    page_no = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    line_no = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=0),
        metadata={"description": "The last printed line on the page; 0 when the page is untouched."},
    )
    last_transaction_id = ma.fields.UUID(required=True, allow_none=True)
    carry_forward = ma.fields.Boolean(required=True)


class PassbookSchema(ma.Schema):
    account_id = ma.fields.UUID(required=True)
    account_no = ma.fields.String(required=True)
    lines_per_page = ma.fields.Integer(required=True)
    position = ma.fields.Nested(PassbookPositionSchema, required=True)
    next_page_no = ma.fields.Integer(required=True)
    next_line_no = ma.fields.Integer(required=True)
    through_transaction_id = ma.fields.UUID(
        required=True,
        allow_none=True,
        metadata={"description": "The last transaction a print now would show."},
    )
    pending = ma.fields.List(ma.fields.Nested(PassbookLineSchema), required=True)


class PassbookConfirmSchema(ma.Schema):
    started_from = ma.fields.Nested(
        PassbookPositionSchema,
        required=True,
        metadata={"description": "The `position` the printed PDF was made from."},
    )
    through_transaction_id = ma.fields.UUID(
        required=True, metadata={"description": "The last transaction printed."}
    )


class PassbookResetSchema(ma.Schema):
    new_book = ma.fields.Boolean(load_default=False)
    from_transaction_id = ma.fields.UUID(load_default=None, allow_none=True)
    page_no = ma.fields.Integer(load_default=None, allow_none=True)
    line_no = ma.fields.Integer(load_default=None, allow_none=True)


def _account(savings_account_id: uuid.UUID) -> SavingsAccount:
    account = get_scoped(db.session, SavingsAccount, savings_account_id)
    if account is None:
        raise NotFound(_l("Savings account not found."))
    return account


def passbook_out(account: SavingsAccount) -> dict[str, Any]:
    run = passbook.print_run(g.tenant, account)
    page, line = passbook.next_slot(run.start, run.lines_per_page)
    s = run.start
    return {
        "account_id": account.id,
        "account_no": account.account_no,
        "lines_per_page": run.lines_per_page,
        "position": {
            "book_no": s.book_no,
            "page_no": s.page_no,
            "line_no": s.line_no,
            "last_transaction_id": s.last_transaction_id,
            "carry_forward": s.carry_forward,
        },
        "next_page_no": page,
        "next_line_no": line,
        "through_transaction_id": run.through_transaction_id,
        "pending": [ln.__dict__ for ln in run.lines],
    }


@blp.route("/<uuid:savings_account_id>/passbook")
class PassbookItem(MethodView):
    @require_permission("savings.view")
    @blp.response(200, PassbookSchema)
    def get(self, savings_account_id: uuid.UUID) -> dict[str, Any]:
        """The print position and the lines a print now would place (page and line of each)."""
        return passbook_out(_account(savings_account_id))


class PassbookPrintArgs(ma.Schema):
    through = ma.fields.UUID(
        load_default=None,
        metadata={
            "description": "Print only up to this transaction (the `through_transaction_id` you were shown)."
        },
    )


@blp.route("/<uuid:savings_account_id>/passbook/print")
class PassbookPrint(MethodView):
    @require_permission("savings.transact")
    @blp.arguments(PassbookPrintArgs, location="query", as_kwargs=True)
    @blp.response(
        200, description="The passbook page(s) as PDF; changes nothing.", content_type="application/pdf"
    )
    @blp.alt_response(409, description="Everything is printed already.")
    def get(self, savings_account_id: uuid.UUID, through: uuid.UUID | None) -> Any:
        """The not-yet-printed lines as a PDF placed on the book's page and line. Confirm afterwards."""
        account = _account(savings_account_id)
        run = passbook.print_run(g.tenant, account, through=through)
        resp = make_response(passbook.passbook_pdf(run, coop_name=g.tenant.name))
        resp.headers["Content-Type"] = "application/pdf"
        return resp


def _position(data: dict[str, Any]) -> passbook.Position:
    return passbook.Position(
        data["book_no"], data["page_no"], data["line_no"], data["last_transaction_id"], data["carry_forward"]
    )


@blp.route("/<uuid:savings_account_id>/passbook/confirm")
class PassbookConfirm(MethodView):
    @require_permission("savings.transact")
    @idempotent
    @blp.arguments(PassbookConfirmSchema)
    @blp.response(200, PassbookSchema)
    @blp.alt_response(409, description="The position moved since that print: print again.")
    def post(self, data: dict[str, Any], savings_account_id: uuid.UUID) -> dict[str, Any]:
        """Printed OK: advance the position past `through_transaction_id`. Repeating it changes nothing."""
        account = _account(savings_account_id)
        passbook.confirm_print(
            tenant=g.tenant,
            actor=current_user,
            account=account,
            started_from=_position(data["started_from"]),
            through_transaction_id=data["through_transaction_id"],
        )
        return passbook_out(account)


@blp.route("/<uuid:savings_account_id>/passbook/reset")
class PassbookReset(MethodView):
    @require_permission("savings.manage")
    @idempotent
    @blp.arguments(PassbookResetSchema)
    @blp.response(200, PassbookSchema)
    def post(self, data: dict[str, Any], savings_account_id: uuid.UUID) -> dict[str, Any]:
        """Managers: start a new book (`new_book`), or reprint from a transaction at a page and line."""
        account = _account(savings_account_id)
        passbook.reset_position(tenant=g.tenant, actor=current_user, account=account, **data)
        return passbook_out(account)
