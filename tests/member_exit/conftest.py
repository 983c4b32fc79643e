"""Member exit fixtures: the savings test cooperative with interest, tax, payable and loan accounts
and a time deposit product, in scope, its clock frozen, messages in English; and a fake obligation
provider that records every settle call."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from flask_babel import force_locale

from coopsaas.core.clock import frozen
from coopsaas.extensions import db
from coopsaas.ledger.models import Account
from coopsaas.members.obligations import Obligation, register_obligation, unregister_obligation
from tests.savings_services.builders import NOW, SETTINGS, start_coop

EXTRA_CHART = [
    ("1201", "Piutang pinjaman anggota", "asset", "D", ["pinjaman", "piutang_pinjaman_anggota"]),
    ("2121", "Beban yang masih harus dibayar", "liability", "K", ["KL", "hutang_biaya", "beban_ymh_dibayar"]),
    ("2122", "Utang pajak", "liability", "K", ["KL", "utang_pajak"]),
    ("5101", "Beban jasa simpanan sukarela", "expense", "D", ["beban_jasa_sukarela"]),
    ("5102", "Beban jasa simpanan berjangka", "expense", "D", ["beban_jasa_berjangka"]),
]
BERJANGKA = {
    "code": "SIBERJA",
    "name": "Simpanan Berjangka",
    "kind": "berjangka",
    "min_amount": "1000000.00",
    "terms": [{"months": 6, "rate_pa": "6"}],
    "payout": "MONTHLY",
    "maturity_instruction": "TRANSFER",
    "break_penalty": "PERCENT_OF_PRINCIPAL",
    "break_penalty_percent": "1",
}


def exit_settings(method: str = "LOWEST_BALANCE") -> dict[str, Any]:
    products = [dict(p) for p in SETTINGS["savings_products"]]
    products[0]["interest_method"] = method
    return {**SETTINGS, "savings_products": [*products, BERJANGKA]}


def extend_chart(coop: Any) -> None:
    for code, name, type_, side, tags in EXTRA_CHART:
        coop.accounts[code] = Account(
            code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
        )
        db.session.add(coop.accounts[code])
    db.session.flush()


def exit_coop(slug: str = "ksp-keluar", method: str = "LOWEST_BALANCE") -> Any:
    coop = start_coop(slug)
    coop.tenant.settings = exit_settings(method)
    extend_chart(coop)
    return coop


@pytest.fixture
def coop(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        yield exit_coop()


@dataclass
class FakeLoans:
    """A loans feature stand-in: what each member owes, and the settle calls received."""

    owed: dict[Any, Decimal] = field(default_factory=dict)
    account_id: Any = None
    settled: list[tuple[Any, Any]] = field(default_factory=list)
    settleable: bool = True

    def provider(self, member: Any) -> list[Obligation]:
        amount = self.owed.get(member.id)
        if amount is None:
            return []
        return [
            Obligation(
                kind="loan",
                label="Pinjaman",
                amount=amount,
                reference=f"PJ-{member.member_no}",
                account_id=self.account_id,
                settle=self.settle if self.settleable else None,
            )
        ]

    def settle(self, obligation: Obligation, entry: Any) -> None:
        self.settled.append((obligation, entry))


@pytest.fixture
def loans() -> Any:
    fake = FakeLoans()
    register_obligation("zz_test_loans", fake.provider)
    try:
        yield fake
    finally:
        unregister_obligation("zz_test_loans")
