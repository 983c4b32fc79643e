"""Ledger fixtures: one cooperative with a small chart, a bookkeeper and a manager, in scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from coopsaas.core.db import set_tenant
from coopsaas.extensions import db
from coopsaas.ledger import post_entry
from coopsaas.ledger.models import Account
from coopsaas.ledger.posting import EntrySpec, LineSpec
from tests.helpers import make_tenant, make_user

CHART = [
    # code, name, type, normal side, tags
    ("1101", "Kas", "asset", "D", ["kas_bank"]),
    ("1102", "Bank", "asset", "D", ["kas_bank"]),
    ("1201", "Piutang pinjaman anggota", "asset", "D", ["pinjaman"]),
    ("1702", "Inventaris dan peralatan", "asset", "D", ["aset_tetap"]),
    ("1709", "Akumulasi penyusutan aset tetap", "asset", "K", ["aset_tetap"]),
    ("2101", "Simpanan sukarela", "liability", "K", ["KL"]),
    ("3101", "Simpanan pokok", "equity", "K", ["MS"]),
    ("3102", "Simpanan wajib", "equity", "K", ["MS"]),
    ("3502", "SHU tahun berjalan", "equity", "K", []),
    ("4101", "Pendapatan jasa pinjaman anggota", "income", "K", ["PB"]),
    ("4901", "Pendapatan lain-lain", "income", "K", []),
    ("6101", "Beban gaji karyawan", "expense", "D", ["BU", "gaji_karyawan"]),
    ("6102", "Beban operasional kantor", "expense", "D", ["BU"]),
    ("6103", "Beban penyusutan", "expense", "D", ["BU"]),
]


def rp(value: str | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def make_chart() -> dict[str, Account]:
    accounts = {}
    for code, name, type_, side, tags in CHART:
        a = Account(
            code=code,
            name=name,
            type=type_,
            normal_side=side,
            is_contra=code == "1709",
            tags=tags,
            weights={},
        )
        db.session.add(a)
        accounts[code] = a
    db.session.flush()
    return accounts


@dataclass
class Books:
    tenant: Any
    accounts: dict[str, Account]
    bookkeeper: Any
    manager: Any

    def line(self, code: str, debit: str | int = 0, credit: str | int = 0, **kw: Any) -> LineSpec:
        return LineSpec(self.accounts[code].id, rp(debit), rp(credit), **kw)

    def spec(
        self, day: date, *lines: tuple[str, str | int, str | int], memo: str = "", series: str = "JU"
    ) -> EntrySpec:
        return EntrySpec(entry_on=day, lines=[self.line(*ln) for ln in lines], memo=memo, series=series)

    def post(
        self,
        day: date,
        *lines: tuple[str, str | int, str | int],
        actor: Any = None,
        key: str | None = None,
        series: str = "JU",
        memo: str = "",
    ) -> Any:
        return post_entry(
            tenant=self.tenant,
            actor=actor or self.bookkeeper,
            spec=self.spec(day, *lines, memo=memo, series=series),
            idempotency_key=key,
        )


def start_books(slug: str) -> Books:
    tenant = make_tenant(slug)
    bookkeeper = make_user(f"akuntan-{slug}", tenant=tenant, role="bookkeeper")
    manager = make_user(f"ketua-{slug}", tenant=tenant, role="manager")
    db.session.commit()
    set_tenant(db.session, tenant.id)
    return Books(tenant, make_chart(), bookkeeper, manager)


@pytest.fixture
def books(db_session: Any) -> Any:
    # Messages are asserted in English, whatever the Bahasa Indonesia catalogue says.
    with force_locale("en"):
        yield start_books("kop-buku")


@pytest.fixture
def check_deferred(is_postgres: bool) -> Any:
    """Fire PostgreSQL's deferred balance checks now (the test transaction never commits)."""

    def run() -> None:
        if is_postgres:
            db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
            db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))

    return run
