"""Savings API: a member's accounts, one account with its balance, deposits and withdrawals
(with Idempotency-Key), and an account's transactions."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.members.models import Member
from coopsaas.savings import services
from coopsaas.savings.models import SavingsAccount, SavingsTransaction
from coopsaas.savings.schemas import (
    AccountListArgs,
    MovementSchema,
    SavingsAccountListSchema,
    SavingsAccountSchema,
    SavingsTransactionSchema,
)
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint("api_savings", __name__, "/savings", description="Member savings accounts.")


def account_out(account: SavingsAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "account_no": account.account_no,
        "member_id": account.member_id,
        "member_no": account.member.member_no,
        "member_name": account.member.name,
        "product_code": account.product.code,
        "product_name": account.product.name,
        "kind": account.product.kind,
        "status": account.status,
        "balance": account.balance,
        "hold_amount": account.hold_amount,
        "available": services.available_balance(account),
        "opened_on": account.opened_on,
    }


def transactions_out(rows: list[SavingsTransaction]) -> list[dict[str, Any]]:
    ids = [t.journal_entry_id for t in rows]
    vouchers = (
        dict(
            db.session.execute(
                select(JournalEntry.id, JournalEntry.voucher_no).where(JournalEntry.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return [
        {
            "id": t.id,
            "account_id": t.account_id,
            "kind": t.kind,
            "channel": t.channel,
            "amount": t.amount,
            "balance_after": t.balance_after,
            "entry_on": t.entry_on,
            "memo": t.memo,
            "journal_entry_id": t.journal_entry_id,
            "voucher_no": vouchers.get(t.journal_entry_id, ""),
            "created_at": t.created_at,
        }
        for t in rows
    ]


def _account(account_id: uuid.UUID) -> SavingsAccount:
    account = get_scoped(db.session, SavingsAccount, account_id)
    if account is None:
        raise NotFound(_l("Savings account not found."))
    return account


@blp.route("/accounts")
class Accounts(MethodView):
    @require_permission("savings.view")
    @blp.arguments(AccountListArgs, location="query", as_kwargs=True)
    @blp.response(200, SavingsAccountListSchema)
    def get(self, member_id: uuid.UUID) -> dict[str, Any]:
        """Every savings account of one member, equity savings first."""
        member = get_scoped(db.session, Member, member_id)
        if member is None:
            raise NotFound(_l("Member not found."))
        return {"items": [account_out(a) for a in services.accounts_of(member)]}


@blp.route("/accounts/<uuid:savings_account_id>")
class AccountItem(MethodView):
    @require_permission("savings.view")
    @blp.response(200, SavingsAccountSchema)
    def get(self, savings_account_id: uuid.UUID) -> dict[str, Any]:
        """One account with its balance and what may be withdrawn now."""
        return account_out(_account(savings_account_id))


def _key() -> str | None:
    raw = request.headers.get(HEADER, "").strip()
    # Scoped to the caller, as the API's own replay store is: two users may pick the same key.
    return f"api:{current_user.id}:{raw}" if raw else None


def _move(savings_account_id: uuid.UUID, data: dict[str, Any], service: Any) -> dict[str, Any]:
    account = _account(savings_account_id)
    txn = service(
        tenant=g.tenant,
        actor=current_user,
        account=account,
        amount=data["amount"],
        channel=data["channel"],
        on=data["entry_on"],
        memo=data["memo"],
        idempotency_key=_key(),
        check_date=True,
    )
    return transactions_out([txn])[0]


@blp.route("/accounts/<uuid:savings_account_id>/deposits")
class Deposits(MethodView):
    @require_permission("savings.transact")
    @idempotent
    @blp.arguments(MovementSchema)
    @blp.response(201, SavingsTransactionSchema)
    def post(self, data: dict[str, Any], savings_account_id: uuid.UUID) -> dict[str, Any]:
        """Deposit into the account (`Dr kas/bank / Cr` the product's control account)."""
        return _move(savings_account_id, data, services.deposit)


@blp.route("/accounts/<uuid:savings_account_id>/withdrawals")
class Withdrawals(MethodView):
    @require_permission("savings.transact")
    @idempotent
    @blp.arguments(MovementSchema)
    @blp.response(201, SavingsTransactionSchema)
    def post(self, data: dict[str, Any], savings_account_id: uuid.UUID) -> dict[str, Any]:
        """Withdraw at most the available balance; pokok and wajib of an active member are refused (409)."""
        return _move(savings_account_id, data, services.withdraw)


@blp.route("/accounts/<uuid:savings_account_id>/transactions")
class Transactions(MethodView):
    @require_permission("savings.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(SavingsTransactionSchema))
    def get(self, savings_account_id: uuid.UUID, page: int, per_page: int) -> dict[str, Any]:
        """The account's transactions, newest first."""
        account = _account(savings_account_id)
        return paginate(
            services.transactions_query(account), page=page, per_page=per_page, transform=transactions_out
        )
