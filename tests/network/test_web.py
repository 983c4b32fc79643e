"""Pages and API of the supply network: a whole order clicked through by both cooperatives, the
agency pages, and every network route swept with the other side's and outsiders' ids."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.network.models import NetworkPurchase, SalesOrder
from tests.helpers import csrf_token, login
from tests.network.conftest import enter, leave, rp

NETWORK_RULE = re.compile(r"/(jaringan|network)(/|$)")
# Pages and endpoints that list one's own side: they take no id of another party.
OWN_LISTS = {
    "network.index",
    "network.directory",
    "network.catalogue",
    "network.publish",
    "network.sales",
    "api_network.Directory",
    "api_network.Catalogue",
    "api_network.Hubs",
    "api_network.Orders",
    "api_network.Purchases",
    "api_network.Sales",
}


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _post(client, path, data=None, token_page="/"):
    token = csrf_token(client, token_page)
    return client.post(path, data={"csrf_token": token, **(data or {})})


def test_an_order_clicked_through_by_the_buyer_and_the_hub(app, network):
    n = network
    buyer_slug, hub_slug = n.buyer.tenant.slug, n.hub.tenant.slug
    link_id = n.link.id
    buyer = _client(app, "toko-pembeli")
    page = buyer.get(f"/t/{buyer_slug}/jaringan/hub/{link_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Beras 5 kg" in html and "Rp 65.000" in html

    # Below the minimum: refused with the reason, nothing ordered.
    resp = _post(
        buyer,
        f"/t/{buyer_slug}/jaringan/hub/{link_id}/pesan",
        {f"qty-{n.offer_gula_id}": "5"},
        f"/t/{buyer_slug}/jaringan/",
    )
    assert resp.status_code == 422
    assert "the hub sells Gula pasir from 20 kg" in resp.get_data(as_text=True)

    resp = _post(
        buyer,
        f"/t/{buyer_slug}/jaringan/hub/{link_id}/pesan",
        {f"qty-{n.offer_beras_id}": "10", f"qty-{n.offer_gula_id}": "20", "memo": "Untuk bulan depan"},
        f"/t/{buyer_slug}/jaringan/",
    )
    assert resp.status_code == 302
    order_id = uuid.UUID(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])

    hub = _client(app, "ketua-hub")
    listing = hub.get(f"/t/{hub_slug}/jaringan/penjualan?status=ordered").get_data(as_text=True)
    assert n.buyer.tenant.name in listing and "Rp 950.000" in listing
    base = f"/t/{hub_slug}/jaringan/penjualan/{order_id}"
    for step in ("konfirmasi", "kirim", "faktur"):
        assert _post(hub, f"{base}/{step}", token_page=base).status_code == 302, step
    pdf = hub.get(f"{base}/faktur.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Faktur Penjualan Jaringan" in text
    assert n.buyer.tenant.name in text
    assert "Beras 5 kg" in text and "650.000" in text and "Rp 950.000" in text

    base = f"/t/{buyer_slug}/jaringan/pembelian/{order_id}"
    assert _post(buyer, f"{base}/terima", token_page=base).status_code == 302
    manager = _client(app, "ketua-pembeli")
    resp = _post(manager, f"{base}/bayar", {"amount": "1.000.000", "method": "cash"}, base)
    assert resp.status_code == 422
    assert "more than the Rp 950.000 still owed" in resp.get_data(as_text=True)
    assert (
        _post(manager, f"{base}/bayar", {"amount": "950.000", "method": "transfer"}, base).status_code == 302
    )
    assert "paid" in manager.get(base).get_data(as_text=True)

    enter(n.buyer.tenant)
    assert n.buyer.balance("1401") == rp(950_000)
    assert n.buyer.balance("2111") == rp(0)
    assert n.buyer.balance("1102") == rp(-950_000)
    enter(n.hub.tenant)
    so = db.session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)).one()
    assert (so.status, so.paid, so.memo) == ("paid", rp(950_000), "Untuk bulan depan")
    assert n.hub.balance("1301") == rp(0)
    assert n.hub.balance("1102") == rp(950_000)
    assert n.hub.balance("4202") == rp(950_000)
    leave()


def test_the_api_orders_and_refuses_a_hub_without_a_link(app, network):
    n = network
    buyer_slug = n.buyer.tenant.slug
    client = _client(app, "ketua-pembeli")
    token = csrf_token(client, f"/t/{buyer_slug}/jaringan/")
    headers = {"X-CSRFToken": token}
    hubs = client.get(f"/api/v1/t/{buyer_slug}/network/hubs").get_json()
    assert [h["hub"] for h in hubs] == ["hub"]
    offers = client.get(f"/api/v1/t/{buyer_slug}/network/hubs/hub/catalogue").get_json()
    assert [(o["sku"], o["network_price"], o["min_qty"]) for o in offers] == [
        ("BRS5", "65000.00", "10.000"),
        ("GLP", "15000.00", "20.000"),
    ]
    body = {"hub": "hub", "lines": [{"catalogue_item_id": str(n.offer_gula_id), "qty": "25"}]}
    first = client.post(
        f"/api/v1/t/{buyer_slug}/network/orders", json=body, headers={**headers, "Idempotency-Key": "pesan-1"}
    )
    assert first.status_code == 201, first.get_json()
    out = first.get_json()
    assert (out["status"], out["total"], out["hub"]) == ("ordered", "375000.00", n.hub.tenant.name)
    again = client.post(
        f"/api/v1/t/{buyer_slug}/network/orders", json=body, headers={**headers, "Idempotency-Key": "pesan-1"}
    )
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(client.get(f"/api/v1/t/{buyer_slug}/network/purchases").get_json()["items"]) == 1

    # The outsider is supervised by the same agency but not linked to the hub.
    outsider = _client(app, "ketua-luar")
    token = csrf_token(outsider, f"/t/{n.outsider.tenant.slug}/jaringan/")
    resp = outsider.post(
        f"/api/v1/t/{n.outsider.tenant.slug}/network/orders", json=body, headers={"X-CSRFToken": token}
    )
    assert resp.status_code == 409
    assert resp.get_json()["error"] == "not_linked"
    assert "no open network link" in resp.get_json()["message"]
    assert outsider.get(f"/api/v1/t/{n.outsider.tenant.slug}/network/hubs/hub/catalogue").status_code == 404
    enter(n.hub.tenant)
    assert len(db.session.scalars(select(SalesOrder)).all()) == 1
    leave()


def _ids(network):
    """A full set of the network's objects: one order delivered and invoiced, one adopted partner."""
    from coopsaas.network import services as net

    n = network
    leave()
    partner = net.create_partner(
        agency=n.agency, actor=n.admin, data=net.PartnerData(name="CV Sumber Pangan")
    )
    partner_id = partner.id
    enter(n.buyer.tenant)
    order_id = net.place_order(
        tenant=n.buyer.tenant,
        actor=n.buyer.manager,
        link=n.link,
        lines=[net.OrderLineRequest(n.offer_gula_id, "20")],
    ).id
    enter(n.hub.tenant)
    so = db.session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)).one()
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.deliver_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.issue_invoice(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    leave()
    return {"order_id": order_id, "entry_id": n.offer_gula_id, "partner_id": partner_id, "link_id": n.link.id}


def _network_requests(app, slug, ids):
    for rule in app.url_map.iter_rules():
        if "<slug>" not in rule.rule or not NETWORK_RULE.search(rule.rule):
            continue
        values = {"slug": slug}
        for name in rule._converters:
            if name != "slug":
                values[name] = ids.get(name, "hub")
        _domain, path = rule.build(values, append_unknown=False)
        for method in sorted(set(rule.methods) - {"HEAD", "OPTIONS"}):
            yield rule, method, path


def _api_body(path):
    if path.endswith("/payments"):
        return {"amount": "1000.00"}
    if path.endswith("/cancel"):
        return {"reason": "Coba"}
    return {}


def _send(client, method, path, token):
    if method == "GET":
        return client.get(path)
    if "/api/" in path:
        return client.open(path, method=method, json=_api_body(path), headers={"X-CSRFToken": token})
    return client.open(path, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token})


@pytest.mark.parametrize("who", ["ketua-luar", "ketua-asing"])
def test_every_network_route_is_404_to_a_cooperative_that_is_not_a_party(app, network, who):
    n = network
    ids = _ids(n)
    slug = {"ketua-luar": n.outsider.tenant.slug, "ketua-asing": n.stranger.tenant.slug}[who]
    client = _client(app, who)
    token = csrf_token(client, f"/t/{slug}/jaringan/")
    leaks, swept = [], 0
    for rule, method, path in _network_requests(app, slug, ids):
        if rule.endpoint in OWN_LISTS:
            continue  # lists of one's own side, and lookups by slug (answered with not_linked)
        if who == "ketua-luar" and rule.endpoint in ("network.adopt", "api_network.Adopt"):
            continue  # the directory is shared by every cooperative of the agency
        resp = _send(client, method, path, token)
        swept += 1
        body = resp.get_data(as_text=True)
        if resp.status_code != 404 or n.hub.tenant.name in body or n.buyer.tenant.name in body:
            leaks.append(f"{method} {path} ({rule.endpoint}) -> {resp.status_code} {body[:200]}")
    assert swept >= 20
    assert leaks == [], "\n".join(leaks)
    # Its own lists show nothing of the two parties.
    for path in (
        f"/t/{slug}/jaringan/",
        f"/api/v1/t/{slug}/network/sales",
        f"/api/v1/t/{slug}/network/purchases",
    ):
        body = client.get(path).get_data(as_text=True)
        assert n.buyer.tenant.name not in body and "JN-" not in body, path


def test_each_party_sees_only_its_own_side(app, network):
    n = network
    ids = _ids(n)
    order_id = ids["order_id"]
    buyer = _client(app, "ketua-pembeli")
    hub = _client(app, "ketua-hub")
    b, h = n.buyer.tenant.slug, n.hub.tenant.slug
    assert buyer.get(f"/t/{b}/jaringan/pembelian/{order_id}").status_code == 200
    assert hub.get(f"/t/{h}/jaringan/penjualan/{order_id}").status_code == 200
    # The same id, the other side's page: not found.
    assert buyer.get(f"/t/{b}/jaringan/penjualan/{order_id}").status_code == 404
    assert buyer.get(f"/t/{b}/jaringan/penjualan/{order_id}/faktur.pdf").status_code == 404
    assert buyer.get(f"/api/v1/t/{b}/network/sales/{order_id}").status_code == 404
    assert hub.get(f"/t/{h}/jaringan/pembelian/{order_id}").status_code == 404
    assert hub.get(f"/api/v1/t/{h}/network/purchases/{order_id}").status_code == 404
    # The hub's catalogue entries are not the buyer's to unpublish.
    token = csrf_token(buyer, f"/t/{b}/jaringan/")
    resp = buyer.post(f"/t/{b}/jaringan/katalog/{ids['entry_id']}/tarik", data={"csrf_token": token})
    assert resp.status_code in (403, 404)
    # Nor the hub's to read the buyer's costs: the API sale shows the hub's own cost.
    sale = hub.get(f"/api/v1/t/{h}/network/sales/{order_id}").get_json()
    assert (sale["status"], sale["total"], sale["cost_total"]) == ("invoiced", "300000.00", "280000.00")
    enter(n.buyer.tenant)
    assert db.session.scalars(select(NetworkPurchase)).one().id == order_id
    leave()


def test_agency_pages_show_volumes_and_only_admins_change_the_network(app, network):
    n = network
    _ids(n)
    admin = _client(app, "admin-jaringan")
    page = admin.get("/agency/jaringan/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert n.hub.tenant.name in html and "Rp 300.000" in html
    token = csrf_token(admin, "/agency/jaringan/")
    resp = admin.post(
        "/agency/jaringan/mitra",
        data={
            "csrf_token": token,
            "name": "UD Berkah",
            "kind": "supplier",
            "region": "Kota Bogor",
            "categories": "sembako",
        },
    )
    assert resp.status_code == 302
    resp = admin.post(
        "/agency/jaringan/tautan",
        data={"csrf_token": token, "hub_id": str(n.hub_row.id), "tenant_id": str(n.stranger.tenant.id)},
    )
    assert resp.status_code == 422
    assert "Choose a cooperative this agency supervises." in resp.get_data(as_text=True)

    viewer = _client(app, "pengamat-jaringan")
    assert viewer.get("/agency/jaringan/").status_code == 200
    token = csrf_token(viewer, "/agency/jaringan/")
    resp = viewer.post("/agency/jaringan/mitra", data={"csrf_token": token, "name": "UD Lain"})
    assert resp.status_code == 403
    vols = viewer.get(f"/api/v1/agency/network/volumes?start={_today()}&end={_today()}").get_json()
    assert [(v["tenant"], v["role"], v["delivered_value"], v["outstanding"]) for v in vols] == [
        ("hub", "hub", "300000.00", "300000.00"),
        ("pembeli", "buyer", "300000.00", "300000.00"),
    ]

    shopkeeper = _client(app, "toko-pembeli")
    assert shopkeeper.get("/agency/jaringan/").status_code == 404
    assert (
        shopkeeper.get(f"/api/v1/agency/network/volumes?start={_today()}&end={_today()}").status_code == 403
    )
    # The cooperative sees the new directory entry, read-only, and adds it in one click.
    b = n.buyer.tenant.slug
    assert "UD Berkah" in shopkeeper.get(f"/t/{b}/jaringan/direktori").get_data(as_text=True)


def _today():
    from coopsaas.core.clock import business_date

    return business_date("Asia/Jakarta").isoformat()


def test_the_api_takes_an_order_through_every_step(app, network):
    n = network
    b, h = n.buyer.tenant.slug, n.hub.tenant.slug
    buyer = _client(app, "ketua-pembeli")
    bh = {"X-CSRFToken": csrf_token(buyer, f"/t/{b}/jaringan/")}
    body = {"hub": "hub", "lines": [{"catalogue_item_id": str(n.offer_beras_id), "qty": "12"}], "memo": "API"}
    order_id = buyer.post(f"/api/v1/t/{b}/network/orders", json=body, headers=bh).get_json()["id"]

    hub = _client(app, "ketua-hub")
    hh = {"X-CSRFToken": csrf_token(hub, f"/t/{h}/jaringan/")}
    # Out of order: delivering before confirming is a conflict and changes nothing.
    resp = hub.post(f"/api/v1/t/{h}/network/sales/{order_id}/deliver", headers=hh)
    assert resp.status_code == 409 and resp.get_json()["error"] == "wrong_status"
    for step in ("confirm", "deliver", "invoice"):
        resp = hub.post(f"/api/v1/t/{h}/network/sales/{order_id}/{step}", headers=hh)
        assert resp.status_code == 200, (step, resp.get_json())
    sale = resp.get_json()
    assert (sale["status"], sale["total"], sale["cost_total"]) == ("invoiced", "780000.00", "720000.00")
    assert sale["lines"][0]["qty"] == "12.000"

    resp = buyer.post(
        f"/api/v1/t/{b}/network/purchases/{order_id}/payments", json={"amount": "780000.00"}, headers=bh
    )
    assert resp.status_code == 409 and resp.get_json()["error"] == "not_received"
    assert buyer.post(f"/api/v1/t/{b}/network/purchases/{order_id}/receive", headers=bh).status_code == 200
    resp = buyer.post(
        f"/api/v1/t/{b}/network/purchases/{order_id}/payments", json={"amount": "780000.001"}, headers=bh
    )
    assert resp.status_code == 422
    resp = buyer.post(
        f"/api/v1/t/{b}/network/purchases/{order_id}/payments",
        json={"amount": "780000.00", "method": "transfer"},
        headers=bh,
    )
    assert resp.status_code == 201
    out = resp.get_json()
    assert (out["status"], out["paid"], out["purchase_order_status"]) == ("paid", "780000.00", "received")
    assert hub.get(f"/api/v1/t/{h}/network/sales/{order_id}").get_json()["paid"] == "780000.00"
