"""Lots with expiry dates: recorded on receipt, left first-expiry-first-out by sales and stock
takes, refilled by returns and voids, and the expiry list valued at the average cost."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.retail import lots, services
from coopsaas.retail.lots import StockLot
from coopsaas.retail.models import GoodsReceipt
from tests.retail.conftest import rp


def days(n):
    return timedelta(days=n)


def lots_left(item):
    rows = db.session.scalars(
        select(StockLot).where(StockLot.item_id == item.id).order_by(StockLot.expires_on)
    )
    return [(lot.lot_no, lot.qty_left) for lot in rows]


@pytest.fixture
def susu(dated):
    """Susu UHT tracking expiry: lot C (5 @ 1.000, expired 2 days ago), lot A (10 @ 1.200, expires
    in 10 days), lot B (10 @ 1.500, in 40 days). 25 units worth 32.000: average 1.280."""
    today = dated.today
    item = dated.item("SUSU", "Susu UHT 200 ml", tracks_expiry=True)
    dated.receive(item, "5", "1000", today - days(20), expires_on=today - days(2), lot_no="C")
    dated.receive(item, "10", "1200", today - days(5), expires_on=today + days(10), lot_no="A")
    dated.receive(item, "10", "1500", today - days(1), expires_on=today + days(40), lot_no="B")
    assert (item.on_hand, item.stock_value, item.avg_cost) == (D("25.000"), rp(32000), D("1280.0000"))
    return item


def test_receiving_records_each_lot_with_its_receipt_line(dated, susu):
    assert lots_left(susu) == [("C", D("5.000")), ("A", D("10.000")), ("B", D("10.000"))]
    lot = db.session.scalars(select(StockLot).where(StockLot.lot_no == "A")).one()
    receipt = db.session.scalars(select(GoodsReceipt).order_by(GoodsReceipt.number.desc()).offset(1)).first()
    assert lot.receipt_line_id == receipt.lines[0].id
    assert (lot.qty_received, lot.received_on) == (D("10.000"), dated.today - days(5))


def test_sales_take_the_lot_that_expires_first_and_cost_stays_average(dated, susu):
    sale = dated.sell(susu, "7", dated.today)
    assert sale.cost_total == rp(8960)  # 7 x 32.000 / 25: the moving average, whatever the lots
    assert lots_left(susu) == [("C", D("0.000")), ("A", D("8.000")), ("B", D("10.000"))]


def test_the_expiry_list_shows_expired_and_expiring_lots_at_the_average_cost(dated, susu):
    dated.sell(susu, "3", dated.today)  # from lot C: 2 left, 22 on hand, value 28.160, average 1.280
    report = lots.expiry_list(as_of=dated.today, days=30)
    assert [(r.lot_no, r.qty_left, r.days_left, r.value, r.is_expired) for r in report.rows] == [
        ("C", D("2.000"), -2, rp(2560), True),
        ("A", D("10.000"), 10, rp(12800), False),
    ]
    assert (report.expired_value, report.expiring_value) == (rp(2560), rp(12800))
    # A wider window reaches lot B too; a window of 0 days shows only what has expired.
    assert [r.lot_no for r in lots.expiry_list(as_of=dated.today, days=40).rows] == ["C", "A", "B"]
    assert [r.lot_no for r in lots.expiry_list(as_of=dated.today, days=0).rows] == ["C"]


def test_a_void_and_a_return_put_units_back_into_the_lots_they_left(dated, susu):
    sale = dated.sell(susu, "7", dated.today)  # C 5 -> 0, A 10 -> 8
    services.return_sale(
        tenant=dated.tenant,
        actor=dated.shop.shopkeeper,
        sale=sale,
        quantities={sale.lines[0].id: "3"},
        reason="Salah beli",
    )
    # Back into the consumed lots, latest expiry first: A 8 -> 10, then C 0 -> 1.
    assert lots_left(susu) == [("C", D("1.000")), ("A", D("10.000")), ("B", D("10.000"))]
    other = dated.sell(susu, "2", dated.today)  # C 1 -> 0, A 10 -> 9
    services.void_sale(tenant=dated.tenant, actor=dated.shop.manager, sale=other, reason="Batal")
    assert lots_left(susu) == [("C", D("1.000")), ("A", D("10.000")), ("B", D("10.000"))]
    assert susu.on_hand == D("21.000")


def test_a_stock_take_shortage_leaves_the_first_expiring_lot_and_a_surplus_has_no_lot(dated, susu):
    services.record_stock_take(tenant=dated.tenant, actor=dated.shop.manager, counts={susu.id: "19"})
    assert lots_left(susu) == [("C", D("0.000")), ("A", D("9.000")), ("B", D("10.000"))]
    services.record_stock_take(tenant=dated.tenant, actor=dated.shop.manager, counts={susu.id: "21"})
    assert lots_left(susu) == [("C", D("0.000")), ("A", D("9.000")), ("B", D("10.000"))]
    assert susu.on_hand == D("21.000")


def test_an_item_tracking_expiry_cannot_be_received_without_the_date(dated):
    roti = dated.item("ROTI", "Roti tawar", tracks_expiry=True)
    with pytest.raises(ValidationError) as err:
        dated.receive(roti, "5", "9000", dated.today)
    assert str(err.value.message) == "Enter the expiry date of Roti tawar."
    assert err.value.fields == {"lines.1.expires_on": ["Enter the expiry date of Roti tawar."]}
    db.session.rollback()


def test_a_lot_number_without_a_date_is_refused_and_nothing_is_received(dated):
    gula = dated.item("GL", "Gula pasir")
    with pytest.raises(ValidationError):
        dated.receive(gula, "5", "15000", dated.today, lot_no="X1")
    assert gula.on_hand == D("0.000")
    assert db.session.scalar(select(func.count()).select_from(StockLot)) == 0


def test_items_without_lots_are_received_and_sold_as_before(dated):
    gula = dated.item("GL", "Gula pasir")
    dated.receive(gula, "5", "15000", dated.today)
    dated.sell(gula, "2", dated.today)
    assert gula.on_hand == D("3.000")
    assert db.session.scalar(select(func.count()).select_from(StockLot)) == 0
    assert lots.expiry_list(as_of=dated.today).rows == []


@pytest.mark.parametrize("raw", ["-1", "abc", "4000"])
def test_the_expiry_window_must_be_a_sensible_number_of_days(raw):
    with pytest.raises(ValidationError) as err:
        lots.check_days(raw)
    assert str(err.value.message) == "Days must be a whole number from 0 to 3660."
    assert lots.check_days("") == 30


def test_the_item_page_lists_its_lots(app, dated, susu):
    from tests.helpers import login

    item_id = susu.id
    db.session.commit()
    client = app.test_client()
    login(client, dated.shop.shopkeeper.username)
    html = client.get(f"/t/kop-laporan/toko/items/{item_id}").get_data(as_text=True)
    assert html.count("<td>C</td>") == html.count("<td>A</td>") == html.count("<td>B</td>") == 1
