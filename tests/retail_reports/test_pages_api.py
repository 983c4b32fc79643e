"""The report pages, their CSV/XLSX downloads and the API: the figures a shopkeeper reads, bad
filters answered with a message (never a 500), other roles and tenants kept out."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from coopsaas.auth.services import create_token
from coopsaas.extensions import db
from tests.api.conftest import FreshContextClient
from tests.helpers import csrf_token, login, make_user
from tests.retail.conftest import scope

PAGES = "/t/kop-laporan/toko/reports"
API = "/api/v1/t/kop-laporan/retail/reports"


def days(n):
    return timedelta(days=n)


@pytest.fixture
def history(dated):
    """Gula (see test_reports: T..T+9 turnover 0,75, stock days 12,2) and Susu with an expiring lot."""
    t = dated.today - days(20)
    gula = dated.item("GL", "Gula pasir", unit="kg")
    dated.receive(gula, "10", "1000", t - days(5))
    dated.sell(gula, "4", t)
    dated.receive(gula, "10", "1300", t + days(2))
    sale = dated.sell(gula, "6", t + days(5))
    dated.give_back(sale, "1", t + days(7))
    dated.sell(gula, "2", t + days(12))
    susu = dated.item("SUSU", "Susu UHT", tracks_expiry=True)
    dated.receive(susu, "4", "5000", dated.today - days(3), expires_on=dated.today + days(6), lot_no="L-77")
    db.session.commit()
    return t


@pytest.fixture
def web(app, dated):
    client = app.test_client()
    assert login(client, dated.shop.shopkeeper.username).status_code == 302
    scope(dated.shop)  # back in the shop's tenant after the login request
    return client


@pytest.fixture
def api(app, dated):
    scope(dated.shop)
    _token, raw = create_token(user=dated.shop.shopkeeper, tenant=dated.tenant, name="Laporan")
    db.session.commit()
    client = FreshContextClient(app, app.response_class, use_cookies=False)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def period(t):
    return {"start": t.isoformat(), "end": (t + days(9)).isoformat()}


def test_the_turnover_page_shows_the_period_figures(web, history):
    resp = web.get(f"{PAGES}/period", query_string={"view": "turnover", **period(history)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Gula pasir" in html
    assert 'id="total-cogs">Rp 9.937,50' in html
    assert 'id="total-average">Rp 13.193,75' in html
    assert "12,2" in html and "0,75" in html
    assert f"{PAGES}/period.xlsx?start=" in html and f"{PAGES}/period.csv?start=" in html


def test_the_movement_page_shows_opening_in_out_and_closing(web, history):
    html = web.get(f"{PAGES}/period", query_string=period(history)).get_data(as_text=True)
    row = html[html.index("Gula pasir") :]
    row = row[: row.index("</tr>")]
    # Opening 10, in 10 received + 1 returned, out 10, closing 11 worth 13.062,50.
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    assert cells == ["10", "11", "10", "11", "Rp 13.062,50"]


def test_a_period_ending_before_it_starts_is_a_422_with_the_message(web, history):
    resp = web.get(f"{PAGES}/period", query_string={"start": "2026-03-10", "end": "2026-03-01"})
    assert resp.status_code == 422
    assert "The end date is before the start date." in resp.get_data(as_text=True)
    bad = web.get(f"{PAGES}/stock-outs", query_string={"start": "10/03/2026"})
    assert bad.status_code == 422
    assert "Write the date as YYYY-MM-DD." in bad.get_data(as_text=True)
    assert web.get(f"{PAGES}/period.csv", query_string={"start": "x"}).status_code == 422


def test_the_period_csv_and_xlsx_carry_the_exact_figures(web, history):
    resp = web.get(f"{PAGES}/period.csv", query_string=period(history))
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="mutasi-persediaan-')
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    head, gula, total = rows[0], rows[1], rows[-1]
    pick = dict(zip(head, gula, strict=True))
    assert (pick["Stok awal"], pick["Stok akhir"], pick["Nilai akhir"]) == ("10.000", "11.000", "13062.50")
    assert (pick["HPP bersih"], pick["Perputaran (kali)"], pick["Hari stok"]) == ("9937.50", "0.75", "12.2")
    assert total[1] == "Jumlah" and total[head.index("HPP bersih")] == "9937.50"
    xlsx = web.get(f"{PAGES}/period.xlsx", query_string=period(history))
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    header_row = next(i for i, r in enumerate(values) if r[0] == "SKU")
    sheet = dict(zip(values[header_row], values[header_row + 1], strict=True))
    assert (sheet["Nama barang"], float(sheet["Rata-rata nilai persediaan"])) == ("Gula pasir", 13193.75)


def test_stock_outs_page_and_csv(web, dated):
    t = dated.today - days(10)
    sabun = dated.item("SB", "Sabun mandi")
    dated.receive(sabun, "2", "3000", t - days(1))
    dated.sell(sabun, "2", t + days(2))
    db.session.commit()
    q = {"start": t.isoformat(), "end": (t + days(4)).isoformat()}
    html = web.get(f"{PAGES}/stock-outs", query_string=q).get_data(as_text=True)
    assert "Sabun mandi" in html and "3 / 5" in html
    rows = list(
        csv.reader(io.StringIO(web.get(f"{PAGES}/stock-outs.csv", query_string=q).get_data(as_text=True)))
    )
    assert rows[1] == ["SB", "Sabun mandi", "pcs", "3", (t + days(2)).isoformat(), (t + days(4)).isoformat(),
                       "0.000", "2.000"]  # fmt: skip


def test_the_expiry_page_lists_the_lot_and_its_value(web, history):
    html = web.get(f"{PAGES}/expiry").get_data(as_text=True)
    assert "Susu UHT" in html and "L-77" in html
    assert 'id="expiring-value">Rp 20.000' in html
    assert web.get(f"{PAGES}/expiry", query_string={"days": "-5"}).status_code == 422
    rows = list(csv.reader(io.StringIO(web.get(f"{PAGES}/expiry.csv").get_data(as_text=True))))
    assert rows[1][:6] == ["SUSU", "Susu UHT", "L-77", (history + days(26)).isoformat(), "6", "4.000"]


def test_low_stock_downloads(web, dated):
    beras = dated.item("BR", "Beras 5 kg", reorder_point="5")
    dated.receive(beras, "3", "60000", dated.today)
    db.session.commit()
    rows = list(csv.reader(io.StringIO(web.get(f"{PAGES}/low-stock.csv").get_data(as_text=True))))
    assert rows[1][:5] == ["BR", "Beras 5 kg", "pcs", "3.000", "5.000"]
    assert web.get(f"{PAGES}/low-stock.xlsx").status_code == 200


def test_receiving_on_the_order_page_records_the_lot(web, dated):
    from coopsaas.retail import services
    from coopsaas.retail.services import OrderLineData

    susu = dated.item("SUSU", "Susu UHT", tracks_expiry=True)
    order = services.create_purchase_order(
        tenant=dated.tenant,
        actor=dated.shop.manager,
        supplier=dated.shop.supplier(),
        lines=[OrderLineData(susu, "6", "5000")],
    )
    db.session.commit()
    url = f"/t/kop-laporan/toko/orders/{order.id}"
    token = csrf_token(web, url)
    scope(dated.shop)
    form = {"csrf_token": token, "lines-0-line_id": str(order.lines[0].id), "lines-0-qty": "6"}
    missing = web.post(f"{url}/receive", data=form)
    assert missing.status_code == 422
    assert "Enter the expiry date of Susu UHT." in missing.get_data(as_text=True)
    expires = (dated.today + days(90)).isoformat()
    done = web.post(f"{url}/receive", data={**form, "lines-0-expires_on": expires, "lines-0-lot_no": "B7"})
    assert done.status_code == 302
    html = web.get(f"{PAGES}/expiry", query_string={"days": "100"}).get_data(as_text=True)
    assert "B7" in html and "Rp 30.000" in html


def test_the_api_period_report(api, history):
    resp = api.get(f"{API}/period", query_string=period(history))
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["totals"] == {
        "opening_value": "10000.00",
        "received_value": "13000.00",
        "cogs": "9937.50",
        "closing_value": "13062.50",
        "average_value": "13193.75",
        "turnover": "0.75",
        "inventory_days": "13.1",
    }
    (gula,) = [r for r in body["items"] if r["sku"] == "GL"]
    assert (gula["average_qty"], gula["stock_days"], gula["sold_qty"]) == ("11.300", "12.2", "10.000")


def test_the_api_refuses_a_bad_period_with_a_problem_body(api, history):
    resp = api.get(f"{API}/period", query_string={"start": "2026-05-02", "end": "2026-05-01"})
    assert resp.status_code == 422
    assert resp.get_json()["message"] == "The end date is before the start date."
    assert api.get(f"{API}/expiry", query_string={"days": "x"}).status_code == 422


def test_the_api_expiry_stock_outs_and_low_stock(api, history, dated):
    body = api.get(f"{API}/expiry").get_json()
    assert (body["days"], body["expiring_value"], body["expired_value"]) == (30, "20000.00", "0.00")
    assert [(lot["lot_no"], lot["qty_left"], lot["days_left"]) for lot in body["lots"]] == [
        ("L-77", "4.000", 6)
    ]
    outs = api.get(f"{API}/stock-outs", query_string=period(history)).get_json()
    assert outs["items"] == []
    low = api.get(f"{API}/low-stock").get_json()
    assert low == []


def test_receiving_through_the_api_with_a_lot(api, dated):
    from coopsaas.retail import services
    from coopsaas.retail.services import OrderLineData

    scope(dated.shop)
    teh = dated.item("TEH", "Teh kotak", tracks_expiry=True)
    order = services.create_purchase_order(
        tenant=dated.tenant, actor=dated.shop.manager, supplier=dated.shop.supplier(),
        lines=[OrderLineData(teh, "12", "3000")],
    )  # fmt: skip
    line_id = str(order.lines[0].id)
    db.session.commit()
    url = f"/api/v1/t/kop-laporan/retail/purchase-orders/{order.id}/receipts"
    refused = api.post(url, json={"lines": [{"line_id": line_id, "qty": "12"}]})
    assert refused.status_code == 422
    expires = (dated.today + days(20)).isoformat()
    ok = api.post(
        url, json={"lines": [{"line_id": line_id, "qty": "12", "expires_on": expires, "lot_no": "T1"}]}
    )
    assert ok.status_code == 201
    lots = api.get(f"{API}/expiry").get_json()["lots"]
    assert [(lot["lot_no"], lot["qty_left"], lot["value"]) for lot in lots] == [("T1", "12.000", "36000.00")]


def test_a_member_login_cannot_read_the_reports(app, dated, history):
    scope(dated.shop)
    member = make_user("anggota-laporan", tenant=dated.tenant, role="member")
    db.session.commit()
    client = app.test_client()
    login(client, member.username)
    assert client.get(f"{PAGES}/period").status_code == 403
    assert client.get(f"{PAGES}/expiry.csv").status_code == 403


def test_another_cooperative_cannot_reach_these_reports(app, dated, history):
    from coopsaas.core.db import clear_tenant
    from tests.retail.conftest import start_shop

    clear_tenant(db.session)
    other = start_shop("kop-tetangga")
    client = app.test_client()
    login(client, other.shopkeeper.username)
    assert client.get(f"{PAGES}/period").status_code == 404
    assert client.get(f"{PAGES}/stock-outs.csv").status_code == 404
