"""Tax on savings interest (PP 15/2009): domain/savings.md section 5."""

from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest

from coopsaas.errors import ValidationError
from coopsaas.savings.tax import (
    DEFAULT_RULES,
    PP_15_2009,
    SavingsTaxRule,
    TaxBase,
    rule_on,
    withhold,
    withhold_member_month,
)


@pytest.mark.parametrize(
    ("gross", "tax", "net"),
    [
        ("235000", "0.00", "235000.00"),
        ("240000", "0.00", "240000.00"),
        ("240001", "24000.00", "216001.00"),
        ("245555", "24556.00", "220999.00"),
        ("250000", "25000.00", "225000.00"),
    ],
)
def test_domain_tax_vectors(gross, tax, net):
    result = withhold(Decimal(gross), PP_15_2009)
    assert result.tax == Decimal(tax)
    assert result.net == Decimal(net)
    assert result.gross == Decimal(gross)


def test_one_rupiah_below_the_threshold_is_not_taxed():
    assert withhold(Decimal("239999"), PP_15_2009).tax == Decimal("0.00")


def test_one_rupiah_over_the_threshold_taxes_the_whole_amount():
    assert withhold(Decimal("240001"), PP_15_2009).tax == Decimal("24000.00")


def test_the_default_rule_is_240000_at_10_percent_per_member_month():
    rule = rule_on(DEFAULT_RULES, date(2026, 6, 30))
    assert rule.threshold == Decimal("240000.00")
    assert rule.rate_percent == Decimal("10")
    assert rule.base is TaxBase.MEMBER_MONTH


def test_interest_from_several_accounts_is_summed_for_the_threshold():
    sukarela, berjangka = withhold_member_month([Decimal("200000"), Decimal("45555")], PP_15_2009)
    assert (sukarela.tax, sukarela.net) == (Decimal("20000.00"), Decimal("180000.00"))
    assert (berjangka.tax, berjangka.net) == (Decimal("4556.00"), Decimal("40999.00"))


def test_summed_interest_exactly_at_the_threshold_is_not_taxed():
    results = withhold_member_month([Decimal("200000"), Decimal("40000")], PP_15_2009)
    assert [r.tax for r in results] == [Decimal("0.00"), Decimal("0.00")]
    assert [r.net for r in results] == [Decimal("200000.00"), Decimal("40000.00")]


def test_summed_interest_one_rupiah_over_is_taxed_on_every_credit():
    results = withhold_member_month([Decimal("200000"), Decimal("40001")], PP_15_2009)
    assert [r.tax for r in results] == [Decimal("20000.00"), Decimal("4000.00")]


def test_shares_of_the_tax_add_up_to_the_tax_on_the_total():
    # 240.010 * 10 % = 24.001, while each half alone would round 12.000,5 up to 12.001.
    results = withhold_member_month([Decimal("120005"), Decimal("120005")], PP_15_2009)
    assert sum(r.tax for r in results) == Decimal("24001.00")
    assert [r.tax for r in results] == [Decimal("12000.00"), Decimal("12001.00")]
    assert [r.net for r in results] == [Decimal("108005.00"), Decimal("108004.00")]


def test_per_posting_base_tests_each_credit_alone():
    rule = SavingsTaxRule(effective_from=date(2009, 1, 1), base=TaxBase.PER_POSTING)
    results = withhold_member_month([Decimal("200000"), Decimal("245555")], rule)
    assert [r.tax for r in results] == [Decimal("0.00"), Decimal("24556.00")]


def test_no_credits_in_the_month_give_no_withholdings():
    assert withhold_member_month([], PP_15_2009) == []


def test_a_newer_rule_applies_from_its_effective_date():
    newer = SavingsTaxRule(
        effective_from=date(2027, 1, 1), threshold=Decimal("500000"), rate_percent=Decimal("15")
    )
    rules = [PP_15_2009, newer]
    assert withhold(Decimal("300000"), rule_on(rules, date(2026, 12, 31))).tax == Decimal("30000.00")
    assert withhold(Decimal("300000"), rule_on(rules, date(2027, 1, 1))).tax == Decimal("0.00")
    assert withhold(Decimal("600000"), rule_on(rules, date(2027, 1, 31))).tax == Decimal("90000.00")


def test_no_rule_in_force_is_an_error():
    with pytest.raises(ValidationError, match="No savings tax rule is in force on 2008-12-31"):
        rule_on(DEFAULT_RULES, date(2008, 12, 31))


def test_tax_rounding_is_a_rule_setting():
    rule = SavingsTaxRule(effective_from=date(2009, 1, 1), rounding=ROUND_DOWN)
    assert withhold(Decimal("245555"), rule).tax == Decimal("24555.00")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate_percent": Decimal("101")}, "at most 100"),
        ({"rate_percent": 0.1}, "must be a Decimal"),
        ({"threshold": Decimal("-1")}, "threshold must be zero or more"),
        ({"rounding": "ROUND_NEAREST"}, "rounding must be"),
        ({"base": "PER_YEAR"}, "base must be one of"),
    ],
)
def test_bad_tax_rules_are_refused(settings, message):
    with pytest.raises(ValidationError, match=message):
        SavingsTaxRule(effective_from=date(2009, 1, 1), **settings)


def test_float_interest_is_refused():
    with pytest.raises(ValidationError, match="float"):
        withhold(245555.0, PP_15_2009)
