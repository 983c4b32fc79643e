"""Shop pages: the till without JavaScript, the receipt PDF, purchasing, forms refusing bad input."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

from pypdf import PdfReader
from sqlalchemy import func, select

from coopsaas.extensions import db
from coopsaas.retail.models import Item, Sale, SupplierInvoice
from tests.helpers import csrf_token, login
from tests.retail.conftest import rp, scope

BASE = "/t/kop-toko/toko"


def logged_in(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def submit_key(html):
    return re.search(r'name="submit_key"[^>]*value="([^"]+)"', html).group(1)


def sales_count(shop):
    scope(shop)
    return db.session.scalar(select(func.count()).select_from(Sale))


def test_the_till_adds_items_and_takes_cash_without_javascript(app, stocked):
    client = logged_in(app, stocked.shopkeeper)
    html = client.get(f"{BASE}/pos").get_data(as_text=True)
    key, token = submit_key(html), csrf_token(client, f"{BASE}/pos")
    added = client.post(
        f"{BASE}/pos",
        data={"csrf_token": token, "submit_key": key, "code": "8991001", "qty": "2", "action": "add"},
    )
    page = added.get_data(as_text=True)
    assert added.status_code == 200
    assert "Sabun mandi" in page and "Rp 3.000" in page
    pay = {
        "csrf_token": token,
        "submit_key": key,
        "lines-0-code": "SBN",
        "lines-0-qty": "2",
        "cash_tendered": "5.000",
        "action": "pay",
    }
    done = client.post(f"{BASE}/pos", data=pay)
    assert done.status_code == 302
    again = client.post(f"{BASE}/pos", data=pay)  # a double click: the same sale
    assert again.headers["Location"] == done.headers["Location"]
    assert sales_count(stocked) == 1
    sale = db.session.scalars(select(Sale)).one()
    assert (sale.total, sale.change) == (rp(3000), rp(2000))
    number = sale.number
    detail = client.get(done.headers["Location"]).get_data(as_text=True)
    assert number in detail and "Rp 2.000" in detail


def test_the_till_refuses_more_than_on_hand_and_writes_nothing(app, stocked):
    client = logged_in(app, stocked.shopkeeper)
    html = client.get(f"{BASE}/pos").get_data(as_text=True)
    resp = client.post(
        f"{BASE}/pos",
        data={
            "csrf_token": csrf_token(client, f"{BASE}/pos"),
            "submit_key": submit_key(html),
            "lines-0-code": "SBN",
            "lines-0-qty": "11",
            "action": "pay",
        },
    )
    assert resp.status_code == 409
    assert "Not enough Sabun mandi in stock" in resp.get_data(as_text=True) or "Sabun mandi" in resp.get_data(
        as_text=True
    )
    assert sales_count(stocked) == 0


def test_the_receipt_pdf_shows_the_sale(app, stocked):
    scope(stocked)
    sabun = db.session.scalars(select(Item).where(Item.sku == "SBN")).one()
    sale = stocked.sell((sabun, "3"), key="struk-1", cash="10000")
    sale_id, number = sale.id, sale.number
    db.session.commit()
    client = logged_in(app, stocked.shopkeeper)
    resp = client.get(f"{BASE}/sales/{sale_id}/receipt.pdf")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(resp.data)).pages[0].extract_text()
    for expected in (
        "Koperasi kop-toko",
        "Struk Penjualan",
        number,
        "Sabun mandi",
        "3 x 1.500",
        "4.500",
        "Total",
        "Rp 4.500",
        "Tunai",
        "Rp 10.000",
        "Kembali",
        "Rp 5.500",
    ):
        assert expected in text, expected


def test_item_form_refuses_a_zero_price_and_accepts_indonesian_amounts(app, stocked):
    client = logged_in(app, stocked.manager)
    token = csrf_token(client, f"{BASE}/items/new")
    form = {
        "csrf_token": token,
        "sku": "MNY",
        "name": "Minyak goreng",
        "unit": "liter",
        "member_price": "0",
        "public_price": "19.000",
        "reorder_point": "5",
        "is_active": "y",
    }
    bad = client.post(f"{BASE}/items/new", data=form)
    assert bad.status_code == 422
    assert "The amount must be more than zero." in bad.get_data(as_text=True)
    ok = client.post(f"{BASE}/items/new", data={**form, "member_price": "18.250,50", "packs": "dus=12"})
    assert ok.status_code == 302
    scope(stocked)
    item = db.session.scalars(select(Item).where(Item.sku == "MNY")).one()
    assert (item.member_price, item.public_price, item.pack_conversions) == (
        rp("18250.50"),
        rp(19000),
        {"dus": "12.000"},
    )


def test_purchase_order_receive_invoice_and_pay_through_the_pages(app, stocked):
    scope(stocked)
    supplier_id = stocked.supplier("UD Makmur").id
    db.session.commit()
    client = logged_in(app, stocked.shopkeeper)
    token = csrf_token(client, f"{BASE}/orders/new")
    resp = client.post(
        f"{BASE}/orders/new",
        data={
            "csrf_token": token,
            "supplier_id": str(supplier_id),
            "lines-0-code": "GL",
            "lines-0-qty": "20",
            "lines-0-unit_cost": "14.250",
        },
    )
    assert resp.status_code == 302
    order_url = resp.headers["Location"]
    order_html = client.get(order_url).get_data(as_text=True)
    line_id = re.search(r'name="lines-0-line_id"[^>]*value="([^"]+)"', order_html).group(1)
    over = client.post(
        f"{order_url}/receive", data={"csrf_token": token, "lines-0-line_id": line_id, "lines-0-qty": "25"}
    )
    assert over.status_code == 422
    assert "25 received but only 20 still ordered" in over.get_data(as_text=True)
    got = client.post(
        f"{order_url}/receive", data={"csrf_token": token, "lines-0-line_id": line_id, "lines-0-qty": "20"}
    )
    assert got.status_code == 302
    inv = client.post(
        f"{order_url}/invoice", data={"csrf_token": token, "number": "F-1", "amount": "285.000"}
    )
    assert inv.status_code == 302
    too_much = client.post(
        f"{inv.headers['Location']}/pay", data={"csrf_token": token, "amount": "300.000", "method": "cash"}
    )
    assert too_much.status_code == 422
    assert "more than the invoice balance of Rp 285.000" in too_much.get_data(as_text=True)
    paid = client.post(
        f"{inv.headers['Location']}/pay",
        data={"csrf_token": token, "amount": "285.000", "method": "transfer"},
    )
    assert paid.status_code == 302
    scope(stocked)
    invoice = db.session.scalars(select(SupplierInvoice)).one()
    assert (invoice.status, invoice.paid) == ("paid", rp(285000))
    assert stocked.balance("2111") == rp(10000)  # the fixture's own delivery is still unpaid
    assert stocked.balance("1401") == rp(10000 + 285000)


def test_stock_take_page_posts_the_variance_and_the_report_agrees(app, stocked):
    scope(stocked)
    sabun_id = db.session.scalars(select(Item.id).where(Item.sku == "SBN")).one()
    client = logged_in(app, stocked.shopkeeper)
    html = client.get(f"{BASE}/stock-take?q=sabun").get_data(as_text=True)
    assert "Sabun mandi" in html
    resp = client.post(
        f"{BASE}/stock-take?q=sabun",
        data={
            "csrf_token": csrf_token(client, f"{BASE}/pos"),
            "lines-0-item_id": str(sabun_id),
            "lines-0-counted": "8",
        },
    )
    assert resp.status_code == 302
    detail = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "-Rp 2.000,00" in detail
    report = client.get(f"{BASE}/reports").get_data(as_text=True)
    assert "Rp 8.000,00" in report
    assert "The stock value agrees with the inventory account." in report
    scope(stocked)
    assert db.session.scalars(select(Item).where(Item.sku == "SBN")).one().on_hand == D("8.000")


def test_an_auditor_reads_the_shop_but_cannot_sell(app, stocked):
    from tests.helpers import make_user

    scope(stocked)
    auditor = make_user("pengawas-toko", tenant=stocked.tenant, role="auditor")
    db.session.commit()
    client = logged_in(app, auditor)
    assert client.get(f"{BASE}/").status_code == 200
    assert client.get(f"{BASE}/pos").status_code == 403


def test_return_and_void_from_the_sale_page(app, stocked):
    scope(stocked)
    sabun = db.session.scalars(select(Item).where(Item.sku == "SBN")).one()
    first = stocked.sell((sabun, "3"), key="ret-1")
    second = stocked.sell((sabun, "1"), key="void-1")
    first_id, line_id, second_id = first.id, first.lines[0].id, second.id
    db.session.commit()
    client = logged_in(app, stocked.shopkeeper)
    token = csrf_token(client, f"{BASE}/sales/{first_id}")
    no_reason = client.post(
        f"{BASE}/sales/{first_id}/return",
        data={"csrf_token": token, "lines-0-line_id": str(line_id), "lines-0-qty": "1"},
    )
    assert no_reason.status_code == 422
    back = client.post(
        f"{BASE}/sales/{first_id}/return",
        data={
            "csrf_token": token,
            "reason": "Kemasan sobek",
            "lines-0-line_id": str(line_id),
            "lines-0-qty": "1",
        },
    )
    assert back.status_code == 302
    assert "Rp 1.500" in client.get(back.headers["Location"]).get_data(as_text=True)
    voided = client.post(f"{BASE}/sales/{second_id}/void", data={"csrf_token": token, "reason": "Dobel"})
    assert voided.status_code == 302
    scope(stocked)
    assert db.session.scalars(select(Sale.status).where(Sale.id == second_id)).one() == "voided"
    assert db.session.scalars(select(Item).where(Item.sku == "SBN")).one().on_hand == D("8.000")
    assert stocked.balance("4202") == rp(3000)
    assert stocked.balance("1401") == rp(8000)


def test_stock_value_exports_carry_exact_figures(app, stocked):
    client = logged_in(app, stocked.manager)
    resp = client.get(f"{BASE}/reports/stock-value.csv")
    assert resp.status_code == 200
    lines = resp.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "SKU,Nama barang,Satuan,Jumlah,Harga pokok rata-rata,Nilai persediaan"
    assert lines[1] == "SBN,Sabun mandi,pcs,10.000,1000.0000,10000.00"
    assert lines[-2:] == [",Jumlah,,,,10000.00", ",Saldo akun persediaan,,,,10000.00"]
    xlsx = client.get(f"{BASE}/reports/stock-value.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in ws[3]][:2] == ["SBN", "Sabun mandi"]
    assert D(str(ws.cell(3, 6).value)) == rp(10000)


def test_the_receipt_is_byte_identical_for_the_same_sale(stocked):
    from coopsaas.retail.receipts import receipt_pdf

    scope(stocked)
    sabun = db.session.scalars(select(Item).where(Item.sku == "SBN")).one()
    sale = stocked.sell((sabun, "1"), key="same-bytes")
    assert receipt_pdf(sale, coop_name="Kop") == receipt_pdf(sale, coop_name="Kop")


def test_the_till_applies_member_prices_for_a_member_number(app, stocked):
    scope(stocked)
    stocked.member("A-000007", "Ustadz Hasan")
    db.session.commit()
    client = logged_in(app, stocked.shopkeeper)
    html = client.get(f"{BASE}/pos").get_data(as_text=True)
    token = csrf_token(client, f"{BASE}/pos")
    form = {
        "csrf_token": token,
        "submit_key": submit_key(html),
        "lines-0-code": "SBN",
        "lines-0-qty": "2",
        "action": "pay",
    }
    unknown = client.post(f"{BASE}/pos", data={**form, "member_id": "A-999999"})
    assert unknown.status_code == 422
    assert "No active member with this number." in unknown.get_data(as_text=True)
    done = client.post(f"{BASE}/pos", data={**form, "member_id": "A-000007"})
    assert done.status_code == 302
    scope(stocked)
    sale = db.session.scalars(select(Sale)).one()
    assert (sale.total, sale.member_id is not None) == (rp(2800), True)
    assert stocked.balance("4201") == rp(2800)
