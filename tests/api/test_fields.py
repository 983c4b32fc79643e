"""Money on the wire: decimal strings only, two places at most, never rounded."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
import pytest

from coopsaas.api.fields import Money, PositiveMoney


class Payment(ma.Schema):
    amount = Money(required=True)
    fee = PositiveMoney()


@pytest.mark.parametrize(("raw", "value"), [
    ("1250000.00", Decimal("1250000.00")), ("10.5", Decimal("10.50")), ("0", Decimal("0.00")),
    ("-7500", Decimal("-7500.00")), ("9999999999999999.99", Decimal("9999999999999999.99")),
])
def test_money_loads_decimal_strings_exactly(raw, value):
    loaded = Payment().load({"amount": raw})["amount"]
    assert loaded == value
    assert loaded.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", [10, 10.5, "0.001", "1.250.000", "1,5", "Rp 1000", "", "NaN", "1e3", None])
def test_money_refuses_numbers_and_anything_else(raw):
    with pytest.raises(ma.ValidationError) as exc:
        Payment().load({"amount": raw})
    assert list(exc.value.messages) == ["amount"]


@pytest.mark.parametrize("raw", ["0", "0.00", "-1", "0.001"])
def test_positive_money_refuses_zero_and_less(raw):
    with pytest.raises(ma.ValidationError):
        Payment().load({"amount": "1", "fee": raw})


@pytest.mark.parametrize("raw", ["0.01", "0.10", "0.5", "1", "1250000.50"])
def test_positive_money_accepts_more_than_zero(raw):
    assert Payment().load({"amount": "1", "fee": raw})["fee"] == Decimal(raw).quantize(Decimal("0.01"))


def test_money_dumps_as_a_two_place_string():
    assert Payment().dump({"amount": Decimal("1250000"), "fee": Decimal("2.5")}) == {
        "amount": "1250000.00", "fee": "2.50"}


def test_money_is_documented_as_a_decimal_string_with_its_pattern(app):
    converter = app.extensions["coopsaas.api"].ma_plugin.converter
    prop = converter.field2property(Money())
    assert (prop["type"], prop["format"], prop["pattern"]) == ("string", "decimal", Money.regex.pattern)
    assert converter.field2property(PositiveMoney())["pattern"] == PositiveMoney.regex.pattern
