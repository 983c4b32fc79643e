"""A savings-and-loan cooperative for repayment tests: the loan-book cooperative plus interest,
penalty, reserve and provision accounts, and a helper that pays out a loan."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from coopsaas.extensions import db
from coopsaas.ledger.models import Account, JournalEntry
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products
from coopsaas.savings import services as savings
from tests.loans_book.builders import NIK_BUDI, NIK_SITI, NOW, TODAY, lines_of, rp, start_loan_coop

__all__ = [
    "NIK_BUDI",
    "NIK_SITI",
    "NOW",
    "TODAY",
    "at",
    "entries",
    "lines_of",
    "make_loan",
    "rp",
    "start_repay_coop",
]

EXTRA_ACCOUNTS = [
    ("1209", "Cadangan kerugian pinjaman (PPAP)", "asset", "K", ["cadangan_risiko", "ppap"], True),
    (
        "4101",
        "Pendapatan jasa pinjaman anggota",
        "income",
        "K",
        ["PB", "pendapatan_jasa_pinjaman_anggota"],
        False,
    ),
    (
        "4102",
        "Pendapatan jasa pinjaman non-anggota",
        "income",
        "K",
        ["NA", "pendapatan_jasa_pinjaman_non_anggota"],
        False,
    ),
    ("4104", "Pendapatan denda pinjaman", "income", "K", ["pendapatan_denda"], False),
    ("6104", "Beban penyisihan kerugian pinjaman", "expense", "D", ["BU", "beban_penyisihan"], False),
]


def start_repay_coop(
    slug: str = "ksp-angsur", *, staff: bool = True, with_penalty_account: bool = True
) -> Any:
    coop = start_loan_coop(slug, staff=staff)
    for code, name, type_, side, tags, contra in EXTRA_ACCOUNTS:
        if code == "4104" and not with_penalty_account:
            continue
        coop.accounts[code] = Account(
            code=code, name=name, type=type_, normal_side=side, is_contra=contra, tags=tags, weights={}
        )
        db.session.add(coop.accounts[code])
    db.session.flush()
    return coop


def at(day: date) -> datetime:
    """10:00 WIB on `day`, for `frozen()`."""
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


def make_loan(
    coop: Any, member: Any, *, amount: str = "11000000", term: int = 12, code: str = "PINJ-UMUM"
) -> Any:
    """An approved application paid out in cash today."""
    product = products.ensure_products(coop.tenant)[code]
    application = apps.submit_application(
        tenant=coop.tenant,
        actor=coop.teller,
        member=member,
        product=product,
        amount=Decimal(amount),
        term_months=term,
        purpose="Modal warung",
    )
    apps.approve_application(tenant=coop.tenant, actor=coop.manager, application=application)
    return disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application)


def sukarela_of(member: Any) -> Any:
    return next(a for a in savings.accounts_of(member) if a.product.kind == "sukarela")


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))
