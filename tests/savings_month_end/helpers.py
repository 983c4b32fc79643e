"""Builders for month-end tests: members with a history, a month-end run, ledger figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from coopsaas.core.db import set_tenant
from coopsaas.extensions import db
from coopsaas.jobs.kinds import run_kind
from coopsaas.ledger import trial_balance
from coopsaas.savings import services as savings
from coopsaas.savings.models import SavingsAccount, SavingsTransaction


def nik(n: int) -> str:
    # Kota Surabaya, a man born 17 March 1985, serial n: valid for validate_nik.
    return f"35780117038{n:05d}"


def member_with(
    coop: Any, n: int, product_code: str, *, joined: date = date(2026, 1, 5), opened: date | None = None
) -> tuple[Any, SavingsAccount]:
    admission = coop.register(nik=nik(n), name=f"Anggota {n}", joined_on=joined)
    product = coop.products[product_code]
    account = next((a for a in admission.accounts if a.product_id == product.id), None)
    if account is None:
        account = savings.open_account(
            tenant=coop.tenant,
            actor=coop.teller,
            member=admission.member,
            product=product,
            on=opened or joined,
        )
    return admission.member, account


def move(coop: Any, account: SavingsAccount, on: date, amount: int) -> None:
    if amount > 0:
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=account, amount=Decimal(amount), on=on)
    else:
        savings.withdraw(
            tenant=coop.tenant, actor=coop.teller, account=account, amount=Decimal(-amount), on=on
        )


def june_history(coop: Any, account: SavingsAccount) -> None:
    """savings.md section 3, the worked example: Rp 2.400.000 before June, then three movements."""
    move(coop, account, date(2026, 5, 20), 2400000)
    move(coop, account, date(2026, 6, 10), 1200000)
    move(coop, account, date(2026, 6, 21), -1650000)
    move(coop, account, date(2026, 6, 27), 600000)


def run_month(coop: Any, as_of: str) -> Any:
    result = run_kind("savings_month_end", coop.tenant.id, as_of)
    set_tenant(db.session, coop.tenant.id)
    return result


def posted(account: SavingsAccount, kind: str) -> list[Decimal]:
    return list(
        db.session.scalars(
            select(SavingsTransaction.amount)
            .where(SavingsTransaction.account_id == account.id, SavingsTransaction.kind == kind)
            .order_by(SavingsTransaction.entry_on)
        )
    )


def balance(account: SavingsAccount) -> Decimal:
    return db.session.scalars(select(SavingsAccount.balance).where(SavingsAccount.id == account.id)).one()


def tb(coop: Any, code: str) -> Decimal:
    row = trial_balance(coop.tenant).row(code)
    return row.balance if row is not None else Decimal("0.00")
