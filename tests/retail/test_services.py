"""Shop services on a real database: stock, costing and the postings, to the rupiah."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from coopsaas.errors import Conflict, ValidationError
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry, JournalLine
from coopsaas.retail import services
from coopsaas.retail.models import Sale, StockMovement
from coopsaas.retail.services import InsufficientStock, ItemData
from tests.retail.conftest import rp


def lines_of(entry_id):
    rows = select(JournalLine).where(JournalLine.entry_id == entry_id).order_by(JournalLine.line_no)
    from coopsaas.extensions import db

    return [(ln.account.code, ln.debit, ln.credit) for ln in db.session.scalars(rows)]


def count(model):
    from coopsaas.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def test_receipts_at_different_prices_give_the_moving_average(shop):
    beras = shop.item("BRS5", "Beras 5 kg", "60000", "65000")
    supplier = shop.supplier()
    shop.receive_all(shop.order(supplier, (beras, "10", "55000")))
    receipt = shop.receive_all(shop.order(supplier, (beras, "5", "58000")))
    assert (beras.on_hand, beras.stock_value, beras.avg_cost) == (D("15.000"), rp(840000), D("56000.0000"))
    assert lines_of(receipt.journal_entry_id) == [("1401", rp(290000), rp(0)), ("2111", rp(0), rp(290000))]
    assert shop.balance("1401") == rp(840000)
    assert shop.balance("2111") == rp(840000)


def test_a_walk_in_sale_posts_revenue_and_cost_at_the_average(shop):
    sabun = shop.item("SBN", "Sabun mandi", "3500", "4000")
    shop.stock_in(sabun, "10", "3000")
    shop.stock_in(sabun, "5", "3300")  # 46.500 for 15: average 3.100
    sale = shop.sell((sabun, "4"), key="k-1", cash="20000")
    assert (sale.total, sale.cash_tendered, sale.change, sale.cost_total) == (
        rp(16000),
        rp(20000),
        rp(4000),
        rp(12400),
    )
    assert lines_of(sale.journal_entry_id) == [
        ("1101", rp(16000), rp(0)),
        ("4202", rp(0), rp(16000)),
        ("5201", rp(12400), rp(0)),
        ("1401", rp(0), rp(12400)),
    ]
    assert (sabun.on_hand, sabun.stock_value) == (D("11.000"), rp(34100))
    assert shop.balance("1401") == rp(34100)
    moves = [(m.kind, m.qty, m.value, m.on_hand_after) for m in shop_movements(sabun)]
    assert moves[-1] == ("sale", D("-4.000"), rp(-12400), D("11.000"))


def shop_movements(item):
    from coopsaas.extensions import db

    return list(
        db.session.scalars(
            select(StockMovement)
            .where(StockMovement.item_id == item.id)
            .order_by(StockMovement.created_at, StockMovement.id)
        )
    )


def test_a_member_sale_uses_the_member_price_and_member_revenue(shop):
    gula = shop.item("GL1", "Gula 1 kg", "15500", "17000")
    shop.stock_in(gula, "20", "14000")
    sale = shop.sell((gula, "2"), key="m-1", member_id=shop.member().id)
    assert sale.total == rp(31000)
    assert shop.balance("4201") == rp(31000)
    assert shop.balance("4202") == rp(0)
    assert shop.balance("5201") == rp(28000)


def test_a_partial_return_mirrors_price_and_cost_of_the_goods_back(shop):
    kopi = shop.item("KP", "Kopi sachet", "1400", "1500")
    shop.stock_in(kopi, "3", "1000.01")  # 3.000,03
    sale = shop.sell((kopi, "3"), key="r-1")
    line = sale.lines[0]
    ret = services.return_sale(
        tenant=shop.tenant,
        actor=shop.shopkeeper,
        sale=sale,
        quantities={line.id: "1"},
        reason="Kemasan rusak",
    )
    assert (ret.total, ret.cost_total) == (rp(1500), rp("1000.01"))
    assert lines_of(ret.journal_entry_id) == [
        ("4202", rp(1500), rp(0)),
        ("1101", rp(0), rp(1500)),
        ("1401", rp("1000.01"), rp(0)),
        ("5201", rp(0), rp("1000.01")),
    ]
    services.return_sale(
        tenant=shop.tenant, actor=shop.shopkeeper, sale=sale, quantities={line.id: "2"}, reason="Salah beli"
    )
    assert (kopi.on_hand, kopi.stock_value) == (D("3.000"), rp("3000.03"))
    assert shop.balance("4202") == rp(0)
    assert shop.balance("5201") == rp(0)
    with pytest.raises(ValidationError, match="only 0 can still be returned"):
        services.return_sale(
            tenant=shop.tenant, actor=shop.shopkeeper, sale=sale, quantities={line.id: "1"}, reason="Lagi"
        )


def test_voiding_a_sale_reverses_its_entry_and_puts_the_goods_back(shop):
    teh = shop.item("TEH", "Teh celup", "4500", "5000")
    shop.stock_in(teh, "6", "4000")
    sale = shop.sell((teh, "2"), key="v-1")
    services.void_sale(tenant=shop.tenant, actor=shop.shopkeeper, sale=sale, reason="Salah input")
    assert sale.status == "voided"
    assert (teh.on_hand, teh.stock_value) == (D("6.000"), rp(24000))
    for code in ("1101", "4202", "5201"):
        assert shop.balance(code) == rp(0)
    assert shop.balance("1401") == rp(24000)
    with pytest.raises(Conflict, match="already voided"):
        services.void_sale(tenant=shop.tenant, actor=shop.shopkeeper, sale=sale, reason="Lagi")


def test_stock_take_posts_the_variance_at_average_cost(shop):
    minyak = shop.item("MNY", "Minyak goreng 1 l", "18000", "19000")
    shop.stock_in(minyak, "10", "16000")
    shop.stock_in(minyak, "5", "17500")  # 247.500 for 15: average 16.500
    telur = shop.item("TLR", "Telur per kg", "27000", "28000", unit="kg")
    shop.stock_in(telur, "4.5", "25000")  # 112.500
    take = services.record_stock_take(
        tenant=shop.tenant, actor=shop.shopkeeper, counts={minyak.id: "12", telur.id: "4.75"}
    )
    by_item = {
        ln.item_id: (ln.book_qty, ln.counted_qty, ln.variance_qty, ln.variance_value) for ln in take.lines
    }
    assert by_item[minyak.id] == (D("15.000"), D("12.000"), D("-3.000"), rp(-49500))
    assert by_item[telur.id] == (D("4.500"), D("4.750"), D("0.250"), rp(6250))
    assert take.variance_value == rp(-43250)
    assert shop.balance("5201") == rp(43250)
    assert shop.balance("1401") == rp(247500 - 49500 + 112500 + 6250)


def test_stock_value_equals_the_inventory_account_after_a_day_of_trading(shop):
    a = shop.item("A", "Air mineral", "2800", "3000")
    b = shop.item("B", "Biskuit", "7000", "7500")
    shop.stock_in(a, "7", "2333.33")
    shop.stock_in(a, "3", "2500")
    shop.stock_in(b, "9", "6111.11")
    shop.sell((a, "3"), (b, "2"), key="d-1")
    shop.sell((a, "1.5"), key="d-2")
    sale = shop.sell((b, "4"), key="d-3")
    services.return_sale(
        tenant=shop.tenant,
        actor=shop.shopkeeper,
        sale=sale,
        quantities={sale.lines[0].id: "1"},
        reason="Kedaluwarsa",
    )
    services.record_stock_take(tenant=shop.tenant, actor=shop.shopkeeper, counts={a.id: "5", b.id: "4"})
    report = services.stock_value(shop.tenant)
    assert report.total == a.stock_value + b.stock_value
    assert report.total == report.control_balance == shop.balance("1401")
    assert report.difference == rp(0)
    assert verify_ledger(shop.tenant) == []


def test_selling_more_than_on_hand_is_refused_and_writes_nothing(shop):
    susu = shop.item("SUSU", "Susu kotak", "5500", "6000")
    shop.stock_in(susu, "2", "5000")
    entries, movements = count(JournalEntry), count(StockMovement)
    with pytest.raises(InsufficientStock, match=r"Not enough Susu kotak in stock: 2 pcs on hand, 3 asked"):
        shop.sell((susu, "1"), (susu, "2"), key="x-1")
    assert (count(JournalEntry), count(StockMovement), count(Sale)) == (entries, movements, 0)
    assert susu.on_hand == D("2.000")


def test_negative_stock_is_allowed_when_the_tenant_says_so(shop):
    shop.tenant.settings = {"allow_negative_stock": True}
    susu = shop.item("SUSU", "Susu kotak", "5500", "6000")
    shop.stock_in(susu, "1", "5000")
    sale = shop.sell((susu, "3"), key="neg-1")
    assert (susu.on_hand, susu.stock_value, sale.cost_total) == (D("-2.000"), rp(-10000), rp(15000))
    assert services.stock_value(shop.tenant).difference == rp(0)


@pytest.mark.parametrize("price", ["0", "-1000", "1000.005", "abc"])
def test_item_prices_must_be_positive_with_at_most_two_decimals(shop, price):
    with pytest.raises(ValidationError) as exc:
        shop.item("X", "Barang", member_price=price)
    assert "member_price" in exc.value.fields


@pytest.mark.parametrize("qty", ["0", "-1", "1.0005", "satu"])
def test_sale_quantities_must_be_positive_with_at_most_three_decimals(shop, qty):
    item = shop.item("X", "Barang")
    shop.stock_in(item, "5", "1000")
    with pytest.raises(ValidationError) as exc:
        shop.sell((item, qty), key="q-1")
    assert "lines.1.qty" in exc.value.fields
    assert count(Sale) == 0


def test_purchase_prices_and_quantities_are_checked(shop):
    item = shop.item("X", "Barang")
    supplier = shop.supplier()
    with pytest.raises(ValidationError, match="more than zero"):
        shop.order(supplier, (item, "1", "0"))
    with pytest.raises(ValidationError, match="at most 3 decimal"):
        shop.order(supplier, (item, "1.2345", "100"))


def test_receiving_more_than_ordered_is_refused_unless_flagged(shop):
    item = shop.item("X", "Barang")
    order = shop.order(shop.supplier(), (item, "10", "1000"))
    line = order.lines[0]
    with pytest.raises(ValidationError, match="11 received but only 10 still ordered"):
        services.receive_goods(
            tenant=shop.tenant, actor=shop.shopkeeper, order=order, quantities={line.id: "11"}
        )
    assert count(StockMovement) == 0
    services.receive_goods(tenant=shop.tenant, actor=shop.shopkeeper, order=order, quantities={line.id: "4"})
    assert order.status == "partially_received"
    services.receive_goods(
        tenant=shop.tenant, actor=shop.shopkeeper, order=order, quantities={line.id: "7"}, allow_over=True
    )
    assert order.status == "received"
    assert (item.on_hand, shop.balance("2111")) == (D("11.000"), rp(11000))


def test_supplier_invoice_paid_in_parts_and_never_overpaid(shop):
    item = shop.item("X", "Barang")
    supplier = shop.supplier()
    order = shop.order(supplier, (item, "10", "1000"))
    shop.receive_all(order)
    invoice = services.record_supplier_invoice(
        tenant=shop.tenant,
        actor=shop.shopkeeper,
        supplier=supplier,
        number="INV-77",
        amount="10000",
        order=order,
    )
    assert invoice.status == "open"
    services.pay_supplier_invoice(tenant=shop.tenant, actor=shop.shopkeeper, invoice=invoice, amount="4000")
    assert (invoice.status, invoice.balance) == ("partially_paid", rp(6000))
    with pytest.raises(
        ValidationError, match=r"Paying Rp 6\.000,01 is more than the invoice balance of Rp 6\.000"
    ):
        services.pay_supplier_invoice(
            tenant=shop.tenant, actor=shop.shopkeeper, invoice=invoice, amount="6000.01"
        )
    services.pay_supplier_invoice(
        tenant=shop.tenant, actor=shop.shopkeeper, invoice=invoice, amount="6000", method="transfer"
    )
    assert (invoice.status, invoice.balance) == ("paid", rp(0))
    assert shop.balance("2111") == rp(0)
    assert shop.balance("1101") == rp(-4000)
    assert shop.balance("1102") == rp(-6000)


def test_payables_ageing_buckets_by_days_past_due(shop):
    supplier = shop.supplier()
    today = services.today_for(shop.tenant)
    for number, amount, due_days_ago in (
        ("A", "1000", -5),
        ("B", "2000", 10),
        ("C", "3000", 45),
        ("D", "4000", 120),
    ):
        services.record_supplier_invoice(
            tenant=shop.tenant,
            actor=shop.shopkeeper,
            supplier=supplier,
            number=number,
            amount=amount,
            invoice_on=today - timedelta(days=150),
            due_on=today - timedelta(days=due_days_ago),
        )
    [row] = services.payables_ageing(today)
    assert row.buckets == {
        "current": rp(1000),
        "1-30": rp(2000),
        "31-60": rp(3000),
        "61-90": rp(0),
        "90+": rp(4000),
    }
    assert row.total == rp(10000)


def test_the_same_submit_key_twice_makes_one_sale(shop):
    item = shop.item("X", "Barang")
    shop.stock_in(item, "5", "1000")
    first = shop.sell((item, "1"), key="sama")
    again = shop.sell((item, "1"), key="sama")
    assert again.id == first.id
    assert count(Sale) == 1
    assert item.on_hand == D("4.000")


def test_gross_margin_per_item_leaves_out_returns_and_voids(shop):
    a = shop.item("A", "Air mineral", "2800", "3000")
    shop.stock_in(a, "10", "2000")
    s1 = shop.sell((a, "4"), key="g-1")
    s2 = shop.sell((a, "2"), key="g-2")
    services.return_sale(
        tenant=shop.tenant, actor=shop.shopkeeper, sale=s1, quantities={s1.lines[0].id: "1"}, reason="Bocor"
    )
    services.void_sale(tenant=shop.tenant, actor=shop.shopkeeper, sale=s2, reason="Batal")
    today = services.today_for(shop.tenant)
    [row] = services.gross_margin(today, today)
    assert (row.qty, row.revenue, row.cost, row.margin) == (D("3.000"), rp(9000), rp(6000), rp(3000))


def test_duplicate_sku_and_barcode_are_refused(shop):
    shop.item("X", "Barang", barcode="899100")
    with pytest.raises(Conflict, match="SKU X"):
        shop.item("X", "Lain")
    with pytest.raises(Conflict, match="barcode 899100"):
        shop.item("Y", "Lain", barcode="899100")
    services.update_item(
        tenant=shop.tenant,
        actor=shop.manager,
        item=services.item_by_code("899100"),
        data=ItemData(sku="X", name="Barang baru", member_price="1", public_price="2"),
    )
    assert services.item_by_code("x").name == "Barang baru"


def test_a_chart_without_a_cost_of_goods_account_refuses_the_sale_and_writes_nothing(shop):
    item = shop.item("X", "Barang")
    shop.stock_in(item, "2", "1000")
    for account in shop.accounts.values():
        if account.code == "5201":
            account.tags, account.code = [], "5299"
    entries = count(JournalEntry)
    with pytest.raises(ValidationError, match="no account tagged hpp"):
        shop.sell((item, "1"), key="no-hpp")
    assert (count(JournalEntry), count(Sale)) == (entries, 0)


def test_a_sale_to_an_unknown_or_exited_member_is_refused(shop):
    gula = shop.item("GL1", "Gula 1 kg", "15500", "17000")
    shop.stock_in(gula, "5", "14000")
    gone = shop.member("A-000002", "Pak Darto", status="exited")
    for member_id in (uuid.uuid4(), gone.id):
        with pytest.raises(ValidationError, match="No active member with this number"):
            shop.sell((gula, "1"), key=f"m-{member_id}", member_id=member_id)
    assert count(Sale) == 0
    assert services.find_member("a-000001") is None
    siti = shop.member()
    assert services.find_member("a-000001") is siti
    assert services.find_member("siti") is siti


def test_an_order_is_cancelled_only_before_goods_arrive(shop):
    item = shop.item("X", "Barang")
    supplier = shop.supplier()
    draft = services.create_purchase_order(
        tenant=shop.tenant,
        actor=shop.shopkeeper,
        supplier=supplier,
        lines=[services.OrderLineData(item, "2", "1000")],
        place=False,
    )
    with pytest.raises(Conflict, match="Goods can only be received on a placed order"):
        shop.receive_all(draft)
    services.place_order(tenant=shop.tenant, actor=shop.shopkeeper, order=draft)
    assert draft.status == "ordered"
    services.cancel_order(tenant=shop.tenant, actor=shop.shopkeeper, order=draft)
    assert draft.status == "cancelled"
    received = shop.order(supplier, (item, "2", "1000"))
    shop.receive_all(received)
    with pytest.raises(Conflict, match="cannot be cancelled"):
        services.cancel_order(tenant=shop.tenant, actor=shop.shopkeeper, order=received)


def test_gross_margin_per_category_sums_its_items(shop):
    air = shop.item("A", "Air mineral", "2800", "3000", category="Minuman")
    teh = shop.item("T", "Teh kotak", "4500", "5000", category="Minuman")
    buku = shop.item("B", "Buku tulis", "3500", "4000", category="Alat tulis")
    tanpa = shop.item("K", "Kantong plastik", "200", "250")
    for item, cost in ((air, "2000"), (teh, "3500"), (buku, "2500"), (tanpa, "100")):
        shop.stock_in(item, "10", cost)
    shop.sell((air, "4"), (teh, "2"), key="k-1")  # walk-in: public prices
    shop.sell((buku, "3"), (tanpa, "5"), key="k-2")
    today = services.today_for(shop.tenant)
    rows = services.margin_by_category(services.gross_margin(today, today))
    assert [(r.category, r.items, r.revenue, r.cost, r.margin, r.margin_pct) for r in rows] == [
        # 4 x 3.000 + 2 x 5.000 = 22.000 revenue; 4 x 2.000 + 2 x 3.500 = 15.000 cost
        ("Minuman", 2, rp(22000), rp(15000), rp(7000), D("31.8")),
        # 3 x 4.000 = 12.000; 3 x 2.500 = 7.500
        ("Alat tulis", 1, rp(12000), rp(7500), rp(4500), D("37.5")),
        # 5 x 250 = 1.250; 5 x 100 = 500
        ("", 1, rp(1250), rp(500), rp(750), D("60.0")),
    ]
