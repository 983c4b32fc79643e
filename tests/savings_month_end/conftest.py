"""A cooperative with one sukarela product per interest method and three time deposit products."""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale

from coopsaas.core.clock import frozen
from coopsaas.extensions import db
from coopsaas.ledger.models import Account
from coopsaas.savings import services as savings
from tests.savings_services.builders import NOW, start_coop

EXTRA_CHART = [
    ("2121", "Beban yang masih harus dibayar", "liability", "K", ["beban_ymh_dibayar"]),
    ("2122", "Utang pajak", "liability", "K", ["utang_pajak"]),
    ("5101", "Beban jasa simpanan sukarela", "expense", "D", ["beban_jasa_sukarela"]),
    ("5102", "Beban jasa simpanan berjangka", "expense", "D", ["beban_jasa_berjangka"]),
]


def sukarela(code: str, method: str, day_count: str = "ACT_365", **extra: str) -> dict[str, str]:
    return {
        "code": code,
        "name": f"Sukarela {code}",
        "kind": "sukarela",
        "rate_pa": "3",
        "interest_method": method,
        "day_count": day_count,
        "min_balance": "0.00",
        "min_balance_for_interest": "0.00",
        **extra,
    }


def berjangka(
    code: str, payout: str, instruction: str, penalty: str = "FORFEIT_CURRENT_INTEREST", percent: str = "0"
) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Berjangka {code}",
        "kind": "berjangka",
        "min_amount": "1000000",
        "terms": [{"months": 3, "rate_pa": 6}, {"months": 6, "rate_pa": "6.5"}],
        "payout": payout,
        "maturity_instruction": instruction,
        "break_penalty": penalty,
        "break_penalty_percent": percent,
    }


PRODUCTS = [
    sukarela("A-LOW", "LOWEST_BALANCE"),
    sukarela("AVG", "AVERAGE_BALANCE"),
    sukarela("DAY", "DAILY_BALANCE"),
    sukarela("T360", "LOWEST_BALANCE", "30_360"),
    sukarela("FEE", "LOWEST_BALANCE", admin_fee="5000.00"),
    berjangka("BJ-M", "MONTHLY", "TRANSFER"),
    berjangka("BJ-R", "MONTHLY", "ROLLOVER_PRINCIPAL", "PERCENT_OF_PRINCIPAL", "1"),
    berjangka("BJ-X", "AT_MATURITY", "TRANSFER"),
]


@pytest.fixture
def coop(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        c = start_coop()
        settings = dict(c.tenant.settings)
        settings["savings_products"] = PRODUCTS
        c.tenant.settings = settings
        for code, name, type_, side, tags in EXTRA_CHART:
            c.accounts[code] = Account(
                code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
            )
            db.session.add(c.accounts[code])
        db.session.flush()
        c.products = savings.ensure_products(c.tenant)
        yield c
