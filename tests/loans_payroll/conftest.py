"""Payroll deduction fixtures: the repayment cooperative plus the shop receivable (1301), two
members working for PT Maju Jaya (one with a loan and shop credit), one working elsewhere, messages in
English. The clock is frozen on the disbursement day (19 November 2026); tests move it to the
payroll date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from coopsaas.core.clock import frozen
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry
from coopsaas.ledger.models import Account
from coopsaas.retail import credit
from tests.loans_repay.builders import NOW, TODAY, make_loan, start_repay_coop

EMPLOYER = "PT Maju Jaya"
PAYDAY = date(2026, 12, 25)


@dataclass
class Payroll:
    coop: Any
    budi: Any  # loan PJ + shop credit Rp 150.000
    siti: Any  # only simpanan wajib
    andi: Any  # works for another employer
    loan: Any


def charge_shop_credit(coop: Any, member: Any, amount: str, on: date) -> None:
    """A till sale on credit: Dr 1301 / Cr 4901, and the member's credit balance up."""
    value = Decimal(amount)
    entry = post_entry(
        tenant=coop.tenant,
        actor=coop.teller,
        spec=EntrySpec(
            entry_on=on,
            lines=[
                LineSpec(coop.accounts["1301"].id, debit=value, member_id=member.id),
                LineSpec(coop.accounts["4901"].id, credit=value),
            ],
            memo="Penjualan kredit toko",
        ),
    )
    row = credit.lock_credit(member.id)
    credit._move(row, kind="sale", amount=value, on=on, actor=coop.teller, entry=entry, memo="kredit")


@pytest.fixture
def payroll(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        coop = start_repay_coop("ksp-gaji")
        coop.accounts["1301"] = Account(
            code="1301",
            name="Piutang usaha",
            type="asset",
            normal_side="D",
            is_contra=False,
            tags=["piutang_usaha"],
            weights={},
        )
        db.session.add(coop.accounts["1301"])
        db.session.flush()
        budi = coop.register("3201010101010002", "Budi Santoso", employer=EMPLOYER).member
        siti = coop.register("3201010101010003", "Siti Aminah", employer="pt  maju jaya").member
        andi = coop.register("3201010101010004", "Andi Wijaya", employer="CV Lain").member
        loan = make_loan(coop, budi)
        charge_shop_credit(coop, budi, "150000", TODAY)
        yield Payroll(coop, budi, siti, andi, loan)


@pytest.fixture
def check_deferred(is_postgres: bool) -> Any:
    """Fire PostgreSQL's deferred balance checks now (the test transaction never commits)."""

    def run() -> None:
        if is_postgres:
            db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
            db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))

    return run
