from decimal import Decimal

import pytest

from coopsaas.core.money import (
    MoneyError,
    floor_rupiah,
    format_number,
    format_rupiah,
    money_str,
    parse_money,
    round_rupiah,
    to_money,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1.250.000", "1250000.00"),
        ("1250000", "1250000.00"),
        ("1250000,50", "1250000.50"),
        ("1.250.000,50", "1250000.50"),
        ("Rp 1.250.000", "1250000.00"),
        ("Rp1.250.000", "1250000.00"),
        ("1250000.50", "1250000.50"),
        ("0,01", "0.01"),
        ("-75.000", "-75000.00"),
        ("1.250", "1250.00"),  # a dot groups thousands in Indonesian
    ],
)
def test_parse_money_accepts_indonesian_input(typed, expected):
    assert parse_money(typed) == Decimal(expected)


@pytest.mark.parametrize(
    "typed", ["", "abc", "1,250,000", "1.25.000", "12,345", "1250000,505", "NaN", "1.2e5"]
)
def test_parse_money_rejects_ambiguous_or_invalid_input(typed):
    with pytest.raises(MoneyError):
        parse_money(typed)


def test_to_money_refuses_floats_and_three_decimals():
    with pytest.raises(MoneyError):
        to_money(0.1)
    with pytest.raises(MoneyError):
        to_money(Decimal("10.001"))
    with pytest.raises(MoneyError):
        to_money("10.001")
    assert to_money(10) == Decimal("10.00")
    assert to_money("10.5") == Decimal("10.50")


def test_format_rupiah_groups_with_dots_and_rounds_half_up():
    assert format_rupiah(Decimal("1250000")) == "Rp 1.250.000"
    assert format_rupiah(Decimal("1250001.50")) == "Rp 1.250.002"
    assert format_rupiah(Decimal("1250002.50")) == "Rp 1.250.003"  # half-up, not banker's
    assert format_rupiah(Decimal("-75000")) == "-Rp 75.000"
    assert format_rupiah(Decimal("1081666.67"), sen=True) == "Rp 1.081.666,67"
    assert format_rupiah(Decimal("0")) == "Rp 0"


def test_format_number_and_wire_format():
    assert format_number(Decimal("1250000.5"), 2) == "1.250.000,50"
    assert format_number(Decimal("999")) == "999"
    assert money_str(Decimal("1250000")) == "1250000.00"


def test_rounding_helpers_name_their_rule():
    assert round_rupiah(Decimal("1081666.50")) == Decimal("1081667.00")
    assert round_rupiah(Decimal("1081666.49")) == Decimal("1081666.00")
    assert floor_rupiah(Decimal("1081666.99")) == Decimal("1081666.00")


def test_format_refuses_float():
    with pytest.raises(MoneyError):
        format_rupiah(1.5)  # type: ignore[arg-type]
