"""Period reports computed in SQL, checked against figures worked out by hand, to the unit and the
rupiah: movement, average stock, turnover, stock days, stock-outs and low stock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.retail import reports, services
from coopsaas.retail.reports import check_period
from tests.retail.conftest import rp, start_shop


def days(n):
    return timedelta(days=n)


@pytest.fixture
def gula(dated):
    """Gula over a ten-day period T..T+9 (T = 20 days ago):

    T-5  receive 10 @ 1.000          on hand 10, value 10.000
    T    sell 4   cost 4.000         on hand  6, value  6.000
    T+2  receive 10 @ 1.300          on hand 16, value 19.000
    T+5  sell 6   cost 6 x 19.000/16 = 7.125      on hand 10, value 11.875
    T+7  1 of those 6 returned, cost 7.125/6 = 1.187,50   on hand 11, value 13.062,50
    T+12 sell 2 (after the period)   cost 2 x 13.062,50/11 = 2.375
    """
    t = dated.today - days(20)
    item = dated.item("GL", "Gula pasir", unit="kg")
    dated.receive(item, "10", "1000", t - days(5))
    dated.sell(item, "4", t)
    dated.receive(item, "10", "1300", t + days(2))
    sale = dated.sell(item, "6", t + days(5))
    assert sale.cost_total == rp("7125")
    dated.give_back(sale, "1", t + days(7))
    dated.sell(item, "2", t + days(12))
    return t, item


def test_period_movement_opening_and_closing_to_the_rupiah(dated, gula):
    t, item = gula
    report = reports.period_report(t, t + days(9))
    (row,) = report.rows
    assert (row.opening_qty, row.opening_value) == (D("10.000"), rp(10000))
    assert (row.received_qty, row.received_value) == (D("10.000"), rp(13000))
    assert (row.sold_qty, row.sold_cost) == (D("10.000"), rp(11125))
    assert (row.returned_qty, row.returned_cost) == (D("1.000"), rp("1187.50"))
    assert (row.adjusted_qty, row.adjusted_value) == (D("0.000"), rp(0))
    assert (row.closing_qty, row.closing_value) == (D("11.000"), rp("13062.50"))
    # The sale after the period is not in it, but it is in today's figures.
    assert (item.on_hand, item.stock_value) == (D("9.000"), rp("10687.50"))


def test_average_stock_turnover_and_stock_days_by_hand(dated, gula):
    t, _item = gula
    report = reports.period_report(t, t + days(9))
    (row,) = report.rows
    # End-of-day quantities T..T+9: 6 6 16 16 16 10 10 11 11 11 = 113 -> 11,3 a day.
    assert row.average_qty == D("11.300")
    # End-of-day values: 6.000 x2, 19.000 x3, 11.875 x2, 13.062,50 x3 = 131.937,50 -> 13.193,75.
    assert row.average_value == rp("13193.75")
    assert row.cogs == rp("9937.50")  # 11.125 sold less 1.187,50 back
    assert row.turnover == D("0.75")  # 9.937,50 / 13.193,75 = 0,7532
    assert row.sold_net_qty == D("9.000")
    assert row.stock_days == D("12.2")  # 11 on hand / (9 sold / 10 days) = 12,22 days
    assert (report.days, report.cogs, report.average_value) == (10, rp("9937.50"), rp("13193.75"))
    assert report.turnover == D("0.75")
    assert report.inventory_days == D("13.1")  # 13.062,50 x 10 / 9.937,50 = 13,14


def test_an_item_that_did_not_move_keeps_its_stock_and_has_no_ratio(dated, gula):
    t, _gula = gula
    kopi = dated.item("KP", "Kopi bubuk")
    dated.receive(kopi, "5", "8000", t - days(3))
    rows = {r.sku: r for r in reports.period_report(t, t + days(9)).rows}
    row = rows["KP"]
    assert (row.opening_qty, row.closing_qty, row.average_qty) == (D("5.000"), D("5.000"), D("5.000"))
    assert row.average_value == rp(40000)
    assert (row.turnover, row.stock_days) == (D("0.00"), None)


def test_stock_taken_short_is_an_adjustment_not_a_sale(dated, gula):
    t, item = gula
    services.record_stock_take(
        tenant=dated.tenant, actor=dated.shop.manager, counts={item.id: "8"}, counted_on=t + days(14)
    )
    row = reports.period_report(t + days(10), t + days(15)).rows[0]
    # 11 at the start; 2 sold on T+12 (2.375); 9 -> 8 at the average 10.687,50 / 9 = 1.187,50.
    assert (row.opening_qty, row.sold_qty, row.adjusted_qty, row.closing_qty) == (
        D("11.000"),
        D("2.000"),
        D("-1.000"),
        D("8.000"),
    )
    assert (row.sold_cost, row.adjusted_value, row.closing_value) == (rp(2375), rp("-1187.50"), rp(9500))
    assert row.cogs == rp(2375)


@pytest.fixture
def stock_history(dated):
    """Over T..T+9 (T = 20 days ago):
    Sabun: 5 in on T-3; 5 sold T+1 (empty T+1..T+3); 5 in T+4; 5 sold T+8 (empty T+8, T+9).
    Mie: 3 in on T-10, sold out T-8: empty the whole period.
    Kopi: first received T+3, never empty. Teh: never stocked."""
    t = dated.today - days(20)
    sabun, mie = dated.item("SB", "Sabun mandi"), dated.item("MI", "Mi instan")
    kopi, teh = dated.item("KP", "Kopi bubuk"), dated.item("TH", "Teh celup")
    dated.receive(sabun, "5", "3000", t - days(3))
    dated.sell(sabun, "5", t + days(1))
    dated.receive(sabun, "5", "3000", t + days(4))
    dated.sell(sabun, "5", t + days(8))
    dated.receive(mie, "3", "2500", t - days(10))
    dated.sell(mie, "3", t - days(8))
    dated.receive(kopi, "2", "8000", t + days(3))
    return t, sabun, mie, kopi, teh


def test_stock_outs_count_days_first_and_last(dated, stock_history):
    t, *_ = stock_history
    rows = reports.stock_outs(t, t + days(9))
    assert [(r.sku, r.days_out, r.first_out, r.last_out) for r in rows] == [
        ("MI", 10, t, t + days(9)),
        ("SB", 5, t + days(1), t + days(9)),
    ]
    by_sku = {r.sku: r for r in rows}
    assert (by_sku["SB"].sold_qty, by_sku["SB"].is_out_now) == (D("10.000"), True)
    assert (by_sku["MI"].sold_qty, by_sku["MI"].on_hand) == (D("0.000"), D("0.000"))


def test_a_shorter_period_sees_only_its_own_days(dated, stock_history):
    t, *_ = stock_history
    rows = reports.stock_outs(t + days(2), t + days(5))
    # Sabun empty on T+2 and T+3 only; Mie all four days.
    assert [(r.sku, r.days_out, r.first_out, r.last_out) for r in rows] == [
        ("MI", 4, t + days(2), t + days(5)),
        ("SB", 2, t + days(2), t + days(3)),
    ]


def test_an_item_sold_in_the_period_and_empty_only_after_it_is_listed_as_empty_now(dated):
    t = dated.today - days(10)
    air = dated.item("AIR", "Air mineral")
    dated.receive(air, "4", "2500", t - days(1))
    dated.sell(air, "3", t + days(3))
    dated.sell(air, "1", t + days(7))  # ran out after the period T..T+5
    (row,) = reports.stock_outs(t, t + days(5))
    assert (row.sku, row.days_out, row.first_out, row.last_out) == ("AIR", 0, None, None)
    assert (row.sold_qty, row.on_hand, row.is_out_now) == (D("3.000"), D("0.000"), True)


def test_low_stock_shows_days_of_stock_at_the_period_pace(dated):
    t = dated.today - days(9)
    beras = dated.item("BR", "Beras 5 kg", reorder_point="5")
    dated.receive(beras, "10", "60000", t - days(1))
    dated.sell(beras, "6", t + days(2))
    ((item, sold, stock_days),) = reports.low_stock_rows(t, t + days(9))
    assert (item.sku, item.on_hand, sold) == ("BR", D("4.000"), D("6.000"))
    assert stock_days == D("6.7")  # 4 on hand / (6 sold / 10 days)


def test_a_period_ending_before_it_starts_is_refused(dated):
    today = dated.today
    with pytest.raises(ValidationError) as err:
        check_period(today, today - days(1), today=today)
    assert str(err.value.message) == "The end date is before the start date."
    assert check_period(None, None, today=today) == (today.replace(day=1), today)


def test_reports_read_only_the_tenant_in_scope(dated, gula, db_session):
    t, _ = gula
    from coopsaas.core.db import clear_tenant

    db.session.commit()
    clear_tenant(db.session)
    other = start_shop("kop-lain")
    assert reports.period_report(t, t + days(9)).rows == []
    assert reports.stock_outs(t, t + days(9)) == []
    other_item = other.item("GL", "Gula lain")
    other.stock_in(other_item, "3", "900")
    assert [r.closing_qty for r in reports.period_report(t, dated.today).rows] == [D("3.000")]
