"""Another cooperative's shop rows answer 404, on pages and in the API, and stock movements are
append-only in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from coopsaas.auth.services import create_token
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.retail import services
from coopsaas.retail.models import StockMovement
from tests.api.conftest import FreshContextClient
from tests.helpers import csrf_token, login
from tests.retail.conftest import start_shop


@pytest.fixture
def two_shops(db_session):
    a = start_shop("toko-a")
    db.session.commit()
    clear_tenant(db.session)
    b = start_shop("toko-b")
    item = b.item("B1", "Barang B")
    supplier = b.supplier("Pemasok B")
    order = b.order(supplier, (item, "5", "1000"))
    b.receive_all(order)
    invoice = services.record_supplier_invoice(
        tenant=b.tenant, actor=b.manager, supplier=supplier, number="FB-1", amount="5000", order=order
    )
    sale = b.sell((item, "1"), key="b-1")
    take = services.record_stock_take(tenant=b.tenant, actor=b.manager, counts={item.id: "4"})
    ids = {
        "item_id": item.id,
        "order_id": order.id,
        "invoice_id": invoice.id,
        "sale_id": sale.id,
        "stock_take_id": take.id,
    }
    db.session.commit()
    clear_tenant(db.session)
    return a, ids


PAGES = [
    ("GET", "/items/{item_id}"),
    ("GET", "/items/{item_id}/edit"),
    ("POST", "/items/{item_id}/edit"),
    ("GET", "/orders/{order_id}"),
    ("POST", "/orders/{order_id}/cancel"),
    ("POST", "/orders/{order_id}/receive"),
    ("POST", "/orders/{order_id}/invoice"),
    ("GET", "/invoices/{invoice_id}"),
    ("POST", "/invoices/{invoice_id}/pay"),
    ("GET", "/sales/{sale_id}"),
    ("GET", "/sales/{sale_id}/receipt.pdf"),
    ("POST", "/sales/{sale_id}/void"),
    ("POST", "/sales/{sale_id}/return"),
    ("GET", "/stock-takes/{stock_take_id}"),
]


def test_b_ids_under_a_shop_pages_are_404(app, two_shops):
    a, ids = two_shops
    client = app.test_client()
    assert login(client, a.manager.username).status_code == 302
    token = csrf_token(client, "/t/toko-a/toko/")
    for method, path in PAGES:
        url = "/t/toko-a/toko" + path.format(**ids)
        resp = client.open(
            url, method=method, data={"csrf_token": token, "reason": "x", "amount": "1", "number": "X"}
        )
        assert resp.status_code == 404, f"{method} {url} -> {resp.status_code}"
        assert "Barang B" not in resp.get_data(as_text=True)


def test_b_ids_under_a_shop_api_are_404(app, two_shops):
    a, ids = two_shops
    set_tenant(db.session, a.tenant.id)
    _row, raw = create_token(user=a.manager, tenant=a.tenant, name="A")
    db.session.commit()
    clear_tenant(db.session)
    client = FreshContextClient(app, app.response_class, use_cookies=False)
    base = "/api/v1/t/toko-a/retail"
    calls = [
        ("GET", f"/items/{ids['item_id']}", None),
        (
            "PUT",
            f"/items/{ids['item_id']}",
            {"sku": "Z", "name": "Z", "member_price": "1.00", "public_price": "1.00"},
        ),
        ("GET", f"/purchase-orders/{ids['order_id']}", None),
        (
            "POST",
            f"/purchase-orders/{ids['order_id']}/receipts",
            {"lines": [{"line_id": str(ids["item_id"]), "qty": "1"}]},
        ),
        ("GET", f"/sales/{ids['sale_id']}", None),
        ("POST", f"/sales/{ids['sale_id']}/void", {"reason": "x"}),
        (
            "POST",
            f"/sales/{ids['sale_id']}/returns",
            {"reason": "x", "lines": [{"line_id": str(ids["sale_id"]), "qty": "1"}]},
        ),
        ("POST", f"/supplier-invoices/{ids['invoice_id']}/payments", {"amount": "1.00"}),
    ]
    for method, path, body in calls:
        resp = client.open(base + path, method=method, json=body, headers={"Authorization": f"Bearer {raw}"})
        assert resp.status_code == 404, f"{method} {path} -> {resp.status_code}"
        assert resp.get_json()["error"] == "not_found"
    value = client.get(base + "/stock-value", headers={"Authorization": f"Bearer {raw}"}).get_json()
    assert (value["items"], value["total"]) == ([], "0.00")


def test_stock_movements_cannot_be_changed_in_the_database(shop):
    item = shop.item("X", "Barang")
    shop.stock_in(item, "1", "1000")
    movement_id = db.session.scalars(select(StockMovement.id)).one()
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(update(StockMovement).where(StockMovement.id == movement_id).values(kind="sale"))
