"""A savings-and-loan cooperative for loan-book tests: the savings test cooperative plus the loan
accounts of the chart (1201, 1202, 4103) and two loan products from its file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.ledger.models import Account
from tests.savings_services.builders import NIK_BUDI, NIK_SITI, NOW, TODAY, Coop, rp, start_coop

__all__ = ["LOAN_PRODUCTS", "NIK_BUDI", "NIK_SITI", "NOW", "TODAY", "lines_of", "rp", "start_loan_coop"]

LOAN_ACCOUNTS = [
    ("1201", "Piutang pinjaman anggota", "asset", "D", ["pinjaman", "piutang_pinjaman_anggota"]),
    (
        "1202",
        "Piutang pinjaman calon anggota / non-anggota",
        "asset",
        "D",
        ["pinjaman", "piutang_pinjaman_non_anggota"],
    ),
    ("4103", "Pendapatan provisi & administrasi pinjaman", "income", "K", ["pendapatan_provisi_admin"]),
]

# As `flask tenants sync` stores [[loan_products]] in Tenant.settings.
LOAN_PRODUCTS = [
    {
        "code": "PINJ-UMUM",
        "name": "Pinjaman Umum Anggota",
        "method": "FLAT",
        "rate_pa": "18",
        "rate_pm": None,
        "min_amount": "1000000.00",
        "max_amount": "50000000.00",
        "min_term_months": 6,
        "max_term_months": 36,
        "provision_pct": "1",
        "admin_fee": "25000.00",
        "allocation_order": "DENDA_BUNGA_POKOK",
        "denda_rate_pd": "0.1",
        "denda_grace_days": 3,
        "collectibility_profile": None,
        "flat_early_settlement_interest": "CURRENT_PERIOD",
    },
    {
        "code": "PINJ-USAHA",
        "name": "Pinjaman Modal Usaha",
        "method": "ANUITAS",
        "rate_pa": "18",
        "rate_pm": None,
        "min_amount": "5000000.00",
        "max_amount": "150000000.00",
        "min_term_months": 12,
        "max_term_months": 60,
        "provision_pct": "0",
        "admin_fee": "0.00",
        "allocation_order": "DENDA_BUNGA_POKOK",
        "denda_rate_pd": "0",
        "denda_grace_days": 0,
        "collectibility_profile": None,
    },
    {
        "code": "MURABAHAH",
        "name": "Pembiayaan Murabahah",
        "method": "MURABAHAH",
        "rate_pa": "12",
        "rate_pm": None,
        "min_amount": "500000.00",
        "max_amount": "15000000.00",
        "min_term_months": 3,
        "max_term_months": 24,
        "provision_pct": "0",
        "admin_fee": "10000.00",
        "allocation_order": "DENDA_BUNGA_POKOK",
        "denda_rate_pd": "0",
        "denda_grace_days": 0,
        "collectibility_profile": None,
    },
]


def start_loan_coop(slug: str = "ksp-pinjam", *, staff: bool = True) -> Coop:
    coop = start_coop(slug, staff=staff)
    coop.tenant.settings = {**coop.tenant.settings, "loan_products": [dict(p) for p in LOAN_PRODUCTS]}
    for code, name, type_, side, tags in LOAN_ACCOUNTS:
        coop.accounts[code] = Account(
            code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
        )
        db.session.add(coop.accounts[code])
    db.session.flush()
    return coop


def lines_of(entry: Any) -> list[tuple[str, Decimal, Decimal]]:
    """(account code, debit, credit) of each line of a journal entry, sorted."""
    codes = {a.id: a.code for a in db.session.scalars(select(Account))}
    return sorted((codes[ln.account_id], ln.debit, ln.credit) for ln in entry.lines)
