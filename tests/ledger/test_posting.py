"""The pure posting rules: no database, no app."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from coopsaas.errors import ClosedPeriodError, ValidationError
from coopsaas.ledger.posting import (
    EntrySpec,
    LineSpec,
    closing_lines,
    month_end,
    reversal_lines,
    rupiah,
    validate_entry,
    voucher_number,
)

TODAY = date(2026, 3, 10)


@dataclass
class Acc:
    code: str
    name: str
    is_active: bool = True


KAS, SIMPANAN, LAMA = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ACCOUNTS = {
    KAS: Acc("1101", "Kas"),
    SIMPANAN: Acc("2101", "Simpanan sukarela"),
    LAMA: Acc("1199", "Kas lama", is_active=False),
}


def entry(*lines: LineSpec, on: date = TODAY) -> EntrySpec:
    return EntrySpec(entry_on=on, lines=list(lines))


def deposit(amount: str = "250000", on: date = TODAY) -> EntrySpec:
    return entry(LineSpec(KAS, debit=Decimal(amount)), LineSpec(SIMPANAN, credit=Decimal(amount)), on=on)


def check(spec: EntrySpec, **kw):
    kw.setdefault("today", TODAY)
    return validate_entry(spec, ACCOUNTS, **kw)


def test_a_balanced_entry_passes_with_its_total():
    checked = check(deposit("1250000.50"))
    assert checked.total == Decimal("1250000.50")
    assert [ln.debit for ln in checked.lines] == [Decimal("1250000.50"), Decimal("0.00")]


def test_unbalanced_entry_names_the_difference():
    spec = entry(LineSpec(KAS, debit=Decimal("1000000")), LineSpec(SIMPANAN, credit=Decimal("900000")))
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert err.value.code == "unbalanced"
    assert str(err.value.message) == (
        "The entry does not balance: debits Rp 1.000.000, credits Rp 900.000, difference Rp 100.000."
    )


def test_a_difference_of_fifty_sen_is_shown_with_sen():
    spec = entry(LineSpec(KAS, debit=Decimal("100.50")), LineSpec(SIMPANAN, credit=Decimal("100")))
    with pytest.raises(ValidationError, match=r"difference Rp 0,50\."):
        check(spec)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("0.00")])
def test_zero_line_is_refused(amount):
    spec = entry(LineSpec(KAS, debit=amount), LineSpec(SIMPANAN, credit=amount))
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert err.value.fields["lines.1"] == ["Line 1: the amount must be more than zero."]
    assert err.value.fields["lines.2"] == ["Line 2: the amount must be more than zero."]


def test_negative_amount_is_refused():
    spec = entry(LineSpec(KAS, debit=Decimal("-5000")), LineSpec(SIMPANAN, credit=Decimal("-5000")))
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert err.value.fields["lines.1.debit"] == ["Line 1: amounts cannot be negative."]
    assert err.value.fields["lines.2.credit"] == ["Line 2: amounts cannot be negative."]


def test_debit_and_credit_on_one_line_is_refused():
    spec = entry(
        LineSpec(KAS, debit=Decimal("100"), credit=Decimal("100")), LineSpec(SIMPANAN, credit=Decimal("0"))
    )
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert err.value.fields["lines.1"] == ["Line 1: a line is either a debit or a credit, not both."]


def test_three_decimals_are_refused_not_rounded():
    spec = entry(LineSpec(KAS, debit=Decimal("100.005")), LineSpec(SIMPANAN, credit=Decimal("100.005")))
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert err.value.fields["lines.1.debit"] == ["Line 1: amounts have at most 2 decimal places (sen)."]


def test_a_float_amount_is_refused():
    spec = entry(LineSpec(KAS, debit=100.5), LineSpec(SIMPANAN, credit=Decimal("100.50")))  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert err.value.fields["lines.1.debit"] == [
        "Line 1: amounts must be exact decimals, not floating point numbers."
    ]


def test_integer_amounts_are_accepted_as_whole_rupiah():
    checked = check(entry(LineSpec(KAS, debit=75000), LineSpec(SIMPANAN, credit=75000)))  # type: ignore[arg-type]
    assert checked.total == Decimal("75000.00")


def test_unknown_account_is_refused():
    spec = entry(LineSpec(uuid.uuid4(), debit=Decimal("100")), LineSpec(SIMPANAN, credit=Decimal("100")))
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert err.value.fields["lines.1.account"] == ["Line 1: unknown account."]


def test_inactive_account_is_refused_unless_allowed():
    spec = entry(LineSpec(LAMA, debit=Decimal("100")), LineSpec(SIMPANAN, credit=Decimal("100")))
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert err.value.fields["lines.1.account"] == ["Line 1: account 1199 Kas lama is inactive."]
    assert check(spec, allow_inactive=True).total == Decimal("100.00")


def test_every_line_problem_is_reported_at_once():
    spec = entry(LineSpec(uuid.uuid4(), debit=Decimal("1.001")), LineSpec(SIMPANAN, credit=Decimal("0")))
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert set(err.value.fields) == {"lines.1.debit", "lines.1.account", "lines.2"}


def test_one_line_is_not_an_entry():
    with pytest.raises(ValidationError) as err:
        check(entry(LineSpec(KAS, debit=Decimal("100"))))
    assert err.value.fields["lines"] == ["An entry needs at least two lines."]


def test_date_in_a_closed_period_is_refused():
    with pytest.raises(ClosedPeriodError) as err:
        check(deposit(on=date(2026, 2, 28)), closed_through=date(2026, 2, 28))
    assert err.value.http_status == 409
    assert "closed through 2026-02-28" in str(err.value.message)
    assert check(deposit(on=date(2026, 3, 1)), closed_through=date(2026, 2, 28)).total == Decimal("250000.00")


def test_future_date_is_refused_beyond_the_tenant_limit():
    with pytest.raises(ValidationError) as err:
        check(deposit(on=date(2026, 3, 11)))
    assert err.value.fields["entry_on"] == [
        "The date 2026-03-11 is in the future; the latest date allowed is 2026-03-10."
    ]
    assert check(deposit(on=date(2026, 3, 13)), max_future_days=3).total == Decimal("250000.00")
    with pytest.raises(ValidationError):
        check(deposit(on=date(2026, 3, 14)), max_future_days=3)


def test_series_must_be_capital_letters():
    spec = EntrySpec(entry_on=TODAY, lines=deposit().lines, series="ju-1")
    with pytest.raises(ValidationError) as err:
        check(spec)
    assert "series" in err.value.fields


def test_reversal_lines_swap_sides_and_keep_references():
    member = uuid.uuid4()
    lines = [
        LineSpec(KAS, debit=Decimal("500000.00"), member_id=member),
        LineSpec(SIMPANAN, credit=Decimal("500000.00")),
    ]
    rev = reversal_lines(lines)
    assert [(r.account_id, r.debit, r.credit) for r in rev] == [
        (KAS, Decimal("0.00"), Decimal("500000.00")),
        (SIMPANAN, Decimal("500000.00"), Decimal("0.00")),
    ]
    assert rev[0].member_id == member


def test_closing_lines_zero_income_and_expense_and_credit_the_surplus_to_shu():
    income, salaries, shu = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    lines = closing_lines({income: Decimal("-3000000.00"), salaries: Decimal("1200000.00")}, shu)
    assert [(ln.account_id, ln.debit, ln.credit) for ln in lines] == [
        (income, Decimal("3000000.00"), Decimal("0.00")),
        (salaries, Decimal("0.00"), Decimal("1200000.00")),
        (shu, Decimal("0.00"), Decimal("1800000.00")),
    ]


def test_closing_lines_debit_a_deficit_to_shu():
    income, salaries, shu = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    lines = closing_lines({income: Decimal("-500000.00"), salaries: Decimal("800000.00")}, shu)
    assert (lines[-1].account_id, lines[-1].debit) == (shu, Decimal("300000.00"))


def test_voucher_numbers_month_ends_and_rupiah():
    assert voucher_number("JU", 2026, 123) == "JU-2026-000123"
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2026, 12) == date(2026, 12, 31)
    assert rupiah(Decimal("1250000.00")) == "Rp 1.250.000"
    assert rupiah(Decimal("0.50")) == "Rp 0,50"
