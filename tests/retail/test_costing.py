"""Moving-average costing, worked by hand to the sen (coopsaas.retail.costing)."""

from __future__ import annotations

from decimal import Decimal as D

from coopsaas.retail import costing
from coopsaas.retail.costing import Stock


def test_receipts_at_different_prices_move_the_average():
    s = costing.receive(Stock(), D("10"), D("1000")).after
    assert (s.on_hand, s.value, s.avg_cost) == (D("10.000"), D("10000.00"), D("1000.0000"))
    m = costing.receive(s, D("5"), D("1300"))
    assert m.value == D("6500.00")
    # (10 x 1.000 + 5 x 1.300) / 15 = 1.100
    assert (m.after.on_hand, m.after.value, m.after.avg_cost) == (D("15.000"), D("16500.00"), D("1100.0000"))


def test_issues_use_the_exact_ratio_and_the_last_unit_takes_the_rest():
    s = costing.receive(Stock(), D("11"), D("1100")).after  # 12.100
    s = costing.receive(s, D("3"), D("1000")).after  # 15.100 for 14: average 1.078,5714
    assert s.avg_cost == D("1078.5714")
    m = costing.issue(s, D("7"))
    assert (m.qty, m.value) == (D("-7"), D("-7550.00"))  # 7 x 15.100 / 14 exactly
    m = costing.issue(m.after, D("3"))
    assert m.value == D("-3235.71")  # 3 x 7.550 / 7 = 3.235,714...
    assert m.after.value == D("4314.29")
    m = costing.issue(m.after, D("4"))
    assert m.value == D("-4314.29")
    assert (m.after.on_hand, m.after.value) == (D("0.000"), D("0.00"))


def test_thirds_never_leave_a_sen_behind():
    s = costing.receive(Stock(), D("3"), D("1000.01")).after  # 3.000,03
    values = []
    for _ in range(3):
        m = costing.issue(s, D("1"))
        values.append(m.value)
        s = m.after
    assert values == [D("-1000.01"), D("-1000.01"), D("-1000.01")]
    assert s.value == D("0.00")


def test_fractional_quantities_round_each_value_half_up_to_the_sen():
    m = costing.receive(Stock(), D("2.500"), D("12345.67"))  # 30.864,175
    assert m.value == D("30864.18")
    assert m.after.avg_cost == D("12345.6720")


def test_negative_stock_is_priced_at_the_last_average():
    s = costing.receive(Stock(), D("2"), D("500")).after
    m = costing.issue(s, D("3"))
    assert m.value == D("-1500.00")
    assert (m.after.on_hand, m.after.value) == (D("-1.000"), D("-500.00"))
    back = costing.receive(m.after, D("4"), D("600"))  # -500 + 2.400 = 1.900 for 3
    assert (back.after.on_hand, back.after.value, back.after.avg_cost) == (
        D("3.000"),
        D("1900.00"),
        D("633.3333"),
    )


def test_a_return_comes_back_at_the_cost_it_left_with():
    # 3 units sold for a cost of 3.235,71: one back, then the other two.
    first = costing.return_value(D("3"), D("3235.71"), D("1"), D("0"), D("0.00"))
    assert first == D("1078.57")
    rest = costing.return_value(D("3"), D("3235.71"), D("2"), D("1"), first)
    assert rest == D("2157.14")
    s = costing.give_back(Stock(), D("1"), first).after
    assert (s.on_hand, s.value, s.avg_cost) == (D("1.000"), D("1078.57"), D("1078.5700"))


def test_stock_take_shortage_goes_out_at_average_and_surplus_comes_in_at_average():
    s = costing.receive(Stock(), D("15"), D("1100")).after
    short = costing.count(s, D("12"))
    assert (short.qty, short.value) == (D("-3"), D("-3300.00"))
    over = costing.count(short.after, D("13.5"))
    assert (over.qty, over.value) == (D("1.500"), D("1650.00"))
    assert over.after.value == D("14850.00")
    assert costing.count(over.after, D("13.500")) is None


def test_counting_zero_clears_the_value_with_the_quantity():
    s = costing.receive(Stock(), D("3"), D("333.33")).after
    m = costing.count(s, D("0"))
    assert (m.value, m.after.value, m.after.on_hand) == (D("-999.99"), D("0.00"), D("0.000"))
