"""Teller pages: a savings account, deposit and withdrawal forms, the transaction and its receipt."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, g, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from coopsaas.auth.models import User
from coopsaas.core.db import get_scoped
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.savings import receipts, services
from coopsaas.savings.forms import MovementForm
from coopsaas.savings.models import DEPOSIT, SavingsAccount, SavingsProduct, SavingsTransaction
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint
from coopsaas.web.pagination import paginate

bp = tenant_blueprint("savings", __name__, "/savings", template_folder="templates")

FORM_KEY_PREFIX = "form:"


def _account(account_id: uuid.UUID) -> SavingsAccount:
    account = get_scoped(db.session, SavingsAccount, account_id)
    if account is None:
        abort(404)
    return account


def _transaction(txn_id: uuid.UUID) -> SavingsTransaction:
    txn = get_scoped(db.session, SavingsTransaction, txn_id)
    if txn is None:
        abort(404)
    return txn


@bp.get("/")
@require_permission("savings.view")
def index() -> Any:
    services.ensure_products(g.tenant)
    db.session.commit()
    rows = db.session.execute(
        select(
            SavingsProduct, func.count(SavingsAccount.id), func.coalesce(func.sum(SavingsAccount.balance), 0)
        )
        .outerjoin(
            SavingsAccount,
            (SavingsAccount.tenant_id == SavingsProduct.tenant_id)
            & (SavingsAccount.product_id == SavingsProduct.id),
        )
        .group_by(SavingsProduct.tenant_id, SavingsProduct.id)
        .order_by(SavingsProduct.code)
    ).all()
    return render_template("savings/index.html", rows=rows)


@bp.get("/accounts/<uuid:savings_account_id>")
@require_permission("savings.view")
def account(savings_account_id: uuid.UUID) -> Any:
    acc = _account(savings_account_id)
    page = paginate(services.transactions_query(acc), per_page=25)
    return render_template(
        "savings/account.html",
        account=acc,
        page=page,
        available=services.available_balance(acc),
        can_transact=has_permission("savings.transact"),
    )


def _movement(savings_account_id: uuid.UUID, kind: str) -> Any:
    acc = _account(savings_account_id)
    form = MovementForm()
    template = "savings/movement.html"
    context = {"account": acc, "kind": kind, "available": services.available_balance(acc)}
    if form.validate_on_submit():
        service = services.deposit if kind == DEPOSIT else services.withdraw
        try:
            txn = service(
                tenant=g.tenant,
                actor=current_user,
                account=acc,
                amount=form.parsed_amount(),
                channel=form.channel.data or "cash",
                on=form.entry_on.data,
                memo=form.memo.data,
                idempotency_key=FORM_KEY_PREFIX + (form.submit_key.data or ""),
                check_date=True,
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            acc = _account(savings_account_id)
            context.update(account=acc, available=services.available_balance(acc))
            return render_template(template, form=form, **context), exc.http_status
        db.session.commit()
        return redirect(url_for("savings.transaction", savings_transaction_id=txn.id))
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status


@bp.route("/accounts/<uuid:savings_account_id>/deposit", methods=["GET", "POST"])
@require_permission("savings.transact")
def deposit(savings_account_id: uuid.UUID) -> Any:
    return _movement(savings_account_id, DEPOSIT)


@bp.route("/accounts/<uuid:savings_account_id>/withdraw", methods=["GET", "POST"])
@require_permission("savings.transact")
def withdraw(savings_account_id: uuid.UUID) -> Any:
    return _movement(savings_account_id, "withdrawal")


def _entry(txn: SavingsTransaction) -> JournalEntry:
    return db.session.scalars(select(JournalEntry).where(JournalEntry.id == txn.journal_entry_id)).one()


@bp.get("/transactions/<uuid:savings_transaction_id>")
@require_permission("savings.view")
def transaction(savings_transaction_id: uuid.UUID) -> Any:
    txn = _transaction(savings_transaction_id)
    return render_template("savings/transaction.html", txn=txn, account=txn.account, entry=_entry(txn))


def receipt_data(txn: SavingsTransaction, teller: str) -> receipts.ReceiptData:
    acc, entry = txn.account, _entry(txn)
    title = "BUKTI PENARIKAN" if txn.kind == "withdrawal" else "BUKTI SETORAN"
    return receipts.ReceiptData(
        coop_name=g.tenant.name,
        coop_address=g.tenant.address or "",
        title=title,
        voucher_no=entry.voucher_no,
        entry_on=txn.entry_on,
        member_no=acc.member.member_no,
        member_name=acc.member.name,
        account_no=acc.account_no,
        product_name=acc.product.name,
        channel="Tunai" if txn.channel == "cash" else "Transfer",
        amount=txn.amount,
        balance_after=txn.balance_after,
        teller=teller,
    )


@bp.get("/transactions/<uuid:savings_transaction_id>/receipt.pdf")
@require_permission("savings.view")
def receipt(savings_transaction_id: uuid.UUID) -> Any:
    txn = _transaction(savings_transaction_id)
    teller = ""
    if txn.created_by_id is not None:
        user = db.session.get(User, txn.created_by_id)
        teller = user.full_name if user is not None else ""
    pdf = receipts.receipt_pdf(receipt_data(txn, teller))
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'inline; filename="bukti-{txn.id}.pdf"'
    return resp
