"""A pesantren cooperative's sharia unit for financing tests: the repayment test cooperative (its
conventional accounts stay, so a test can show nothing reaches them) plus the sharia pack's
accounts and two products, murabahah at 15 % (the worked example of domain/sharia.md 2) and qardh.

The clock is frozen on Thursday 19 November 2026: the akad falls on that day and the instalments
on the 19th of each month from December."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.ledger.models import Account, JournalEntry
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products, repayments
from coopsaas.savings import services as savings
from tests.loans_repay.builders import NIK_BUDI, NIK_SITI, NOW, TODAY, at, lines_of, rp, start_repay_coop

__all__ = [
    "NIK_BUDI",
    "NIK_SITI",
    "NOW",
    "TODAY",
    "at",
    "entry_of",
    "finance",
    "lines_of",
    "pay",
    "rp",
    "start_sharia_coop",
    "sukarela_of",
]

SHARIA_ACCOUNTS = [
    ("1211", "Piutang murabahah", "asset", "D", ["pinjaman", "piutang_murabahah"], False),
    (
        "1212",
        "Margin murabahah ditangguhkan",
        "asset",
        "K",
        ["pinjaman", "margin_murabahah_ditangguhkan"],
        True,
    ),
    ("1214", "Pinjaman qardh", "asset", "D", ["pinjaman", "pinjaman_qardh"], False),
    ("2151", "Dana kebajikan / ZIS", "liability", "K", ["dana_kebajikan"], False),
    ("4111", "Pendapatan margin murabahah", "income", "K", ["PB", "pendapatan_margin_murabahah"], False),
]

SHARIA_PRODUCTS = [
    {
        "code": "MRB",
        "name": "Pembiayaan Murabahah",
        "method": "MURABAHAH",
        "rate_pa": "15",
        "rate_pm": None,
        "min_amount": "500000.00",
        "max_amount": "15000000.00",
        "min_term_months": 3,
        "max_term_months": 24,
        "provision_pct": "0",
        "admin_fee": "10000.00",
        "allocation_order": "DENDA_BUNGA_POKOK",
        "denda_rate_pd": "0.1",
        "denda_grace_days": 3,
        "collectibility_profile": None,
    },
    {
        "code": "QRD",
        "name": "Pinjaman Qardh (kebajikan)",
        "method": "QARDH",
        "rate_pa": None,
        "rate_pm": None,
        "min_amount": "100000.00",
        "max_amount": "2000000.00",
        "min_term_months": 1,
        "max_term_months": 10,
        "provision_pct": "0",
        "admin_fee": "5000.00",
        "allocation_order": "DENDA_BUNGA_POKOK",
        "denda_rate_pd": "0",
        "denda_grace_days": 0,
        "collectibility_profile": None,
    },
]


def start_sharia_coop(slug: str = "kopontren-uji", *, staff: bool = True) -> Any:
    coop = start_repay_coop(slug, staff=staff)
    settings = dict(coop.tenant.settings)
    settings["loan_products"] = [*settings.get("loan_products", []), *(dict(p) for p in SHARIA_PRODUCTS)]
    coop.tenant.settings = settings
    for code, name, type_, side, tags, contra in SHARIA_ACCOUNTS:
        coop.accounts[code] = Account(
            code=code, name=name, type=type_, normal_side=side, is_contra=contra, tags=tags, weights={}
        )
        db.session.add(coop.accounts[code])
    db.session.flush()
    return coop


def finance(
    coop: Any, member: Any, *, amount: str = "7400000", term: int = 12, code: str = "MRB", **kw: Any
) -> Any:
    """An approved financing paid out today (cash unless `channel` says otherwise)."""
    product = products.ensure_products(coop.tenant)[code]
    application = apps.submit_application(
        tenant=coop.tenant,
        actor=coop.teller,
        member=member,
        product=product,
        amount=Decimal(amount),
        term_months=term,
        purpose="Pembelian mesin jahit",
    )
    apps.approve_application(tenant=coop.tenant, actor=coop.manager, application=application)
    return disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application, **kw)


def pay(coop: Any, loan: Any, amount: Any, **kw: Any) -> Any:
    return repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount=amount, **kw)


def entry_of(entry_id: Any) -> JournalEntry:
    return db.session.scalars(select(JournalEntry).where(JournalEntry.id == entry_id)).one()


def sukarela_of(member: Any) -> Any:
    return next(a for a in savings.accounts_of(member) if a.product.kind == "sukarela")
