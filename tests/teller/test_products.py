"""Savings product settings: a manager's change is checked, audited, used by the next calculation,
and never overwritten by the tenant file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from coopsaas.core.audit import AuditEvent
from coopsaas.errors import ValidationError
from coopsaas.savings import products
from coopsaas.savings import services as savings
from coopsaas.savings.deposits import terms_for
from coopsaas.savings.month_end import product_terms
from tests.teller.conftest import rp


def test_manager_changes_sukarela_settings_and_the_next_calculation_uses_them(coop):
    sirela = coop.products["SIRELA"]
    products.update_product(
        tenant=coop.tenant,
        actor=coop.manager,
        product=sirela,
        changes={
            "rate_pa": "3.125",
            "interest_method": "AVERAGE_BALANCE",
            "admin_fee": "2500",
            "min_balance": "30000",
        },
    )
    terms = product_terms(sirela)
    assert terms.rate_pa == Decimal("3.125")
    assert terms.method == "AVERAGE_BALANCE"
    assert terms.admin_fee == rp(2500)
    assert savings.product_param_money(sirela, "min_balance") == rp(30000)
    event = db_event("savings.product.update")
    assert event.summary["before"] == {
        "admin_fee": None,
        "interest_method": "LOWEST_BALANCE",
        "min_balance": "25000.00",
        "rate_pa": "3",
    }
    assert event.summary["after"]["rate_pa"] == "3.125"


def db_event(action):
    from coopsaas.extensions import db

    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).one()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rate_pa": "101"}, "rate_pa"),
        ({"rate_pa": "2.12345"}, "rate_pa"),
        ({"rate_pa": "-1"}, "rate_pa"),
        ({"rate_pa": "abc"}, "rate_pa"),
        ({"min_balance": "10.001"}, "min_balance"),
        ({"interest_method": "HIGHEST_BALANCE"}, "interest_method"),
        ({"terms": []}, "terms"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(coop, changes, field):
    sirela = coop.products["SIRELA"]
    before = dict(sirela.parameters)
    with pytest.raises(ValidationError) as err:
        products.update_product(tenant=coop.tenant, actor=coop.manager, product=sirela, changes=changes)
    assert field in err.value.fields
    assert sirela.parameters == before


def test_daily_balance_needs_act_365(coop):
    with pytest.raises(ValidationError) as err:
        products.update_product(
            tenant=coop.tenant,
            actor=coop.manager,
            product=coop.products["SIRELA"],
            changes={"interest_method": "DAILY_BALANCE", "day_count": "30_360"},
        )
    assert "ACT_365" in str(err.value.message)


def test_time_deposit_terms_and_penalty(coop):
    depo = coop.products["DEPO"]
    products.update_product(
        tenant=coop.tenant,
        actor=coop.manager,
        product=depo,
        changes={
            "terms": products.parse_terms_text("12=7,5; 3=6.25"),
            "break_penalty": "FORFEIT_CURRENT_INTEREST",
            "min_amount": "5000000",
        },
    )
    assert depo.parameters["terms"] == [{"months": 3, "rate_pa": "6.25"}, {"months": 12, "rate_pa": "7.5"}]
    assert terms_for(depo, 12).rate_pa == Decimal("7.5")
    with pytest.raises(ValidationError):
        terms_for(depo, 6)
    with pytest.raises(ValidationError):
        products.update_product(
            tenant=coop.tenant,
            actor=coop.manager,
            product=depo,
            changes={"terms": [{"months": 3, "rate_pa": "6"}] * 2},
        )
    with pytest.raises(ValidationError):
        products.update_product(
            tenant=coop.tenant, actor=coop.manager, product=depo, changes={"rate_pa": "5"}
        )


def test_tenant_file_seeds_a_product_once_and_never_overwrites_it(coop):
    sirela = coop.products["SIRELA"]
    products.update_product(tenant=coop.tenant, actor=coop.manager, product=sirela, changes={"rate_pa": "4"})
    settings = dict(coop.tenant.settings)
    changed = [dict(p, rate_pa="2") if p["code"] == "SIRELA" else p for p in settings["savings_products"]]
    changed.append({"code": "SIBUK", "name": "Simpanan Hari Raya", "kind": "sukarela", "rate_pa": "1"})
    coop.tenant.settings = {**settings, "savings_products": changed}
    again = savings.ensure_products(coop.tenant)
    assert again["SIRELA"].parameters["rate_pa"] == "4"
    assert again["SIBUK"].parameters["rate_pa"] == "1"


def test_tenant_file_spelling_of_time_deposit_keys_is_understood(coop):
    settings = dict(coop.tenant.settings)
    settings["savings_products"] = [
        *settings["savings_products"],
        {
            "code": "ARTHA",
            "name": "Berjangka Artha",
            "kind": "berjangka",
            "min_amount": "2000000.00",
            "terms": [{"months": 3, "rate_pa": "5"}],
            "payout": "AT_MATURITY",
            "maturity_instruction": "ROLLOVER_ALL",
            "break_penalty": "PERCENT_OF_PRINCIPAL",
            "break_penalty_pct": "1",
        },
    ]
    coop.tenant.settings = settings
    artha = savings.ensure_products(coop.tenant)["ARTHA"]
    terms = terms_for(artha, 3)
    assert terms.maturity_instruction == "ROLLOVER_WITH_INTEREST"
    assert terms.break_penalty_percent == Decimal(1)
