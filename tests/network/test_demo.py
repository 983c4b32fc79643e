"""The demo network: Al-Hikmah as hub with a catalogue, five Koppontren linked, orders in every state."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import select

from coopsaas.auth import services as auth
from coopsaas.extensions import db
from coopsaas.ledger.models import Account
from coopsaas.network import demo
from coopsaas.network.models import NetworkOrder
from coopsaas.retail import services as retail
from coopsaas.retail.services import ItemData, OrderLineData
from tests.helpers import make_agency, make_tenant, make_user
from tests.network.conftest import CHART, enter, leave

BUYERS = (
    "kopontren-baitul-amin",
    "kopontren-darussalam",
    "kopontren-miftahul-ulum",
    "kopontren-nurul-huda",
    "kopontren-roudlotul-jannah",
)


def _coop(slug):
    tenant = make_tenant(slug, legal_form="koppontren")
    make_user(f"manajer.{slug}", tenant=tenant, role="manager")
    enter(tenant)
    for code, name, type_, side, tags in CHART:
        db.session.add(
            Account(
                code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
            )
        )
    leave()
    return tenant


def test_demo_network_has_orders_in_every_state_and_loads_once(db_session):
    with force_locale("en"):
        hub = _coop(demo.HUB_SLUG)
        buyers = [_coop(s) for s in BUYERS]
        ksp = make_tenant("ksp-sejahtera", legal_form="ksp")
        agency = make_agency("dinkop", tenants=[hub, *buyers, ksp])
        admin = make_user(demo.AGENCY_ADMIN)
        auth.grant_agency_role(user=admin, agency_id=agency.id, role="agency_admin")
        manager = auth.find_user(f"manajer.{demo.HUB_SLUG}")
        enter(hub)
        supplier = retail.create_supplier(tenant=hub, actor=manager, name="Grosir")
        lines = []
        for sku in demo.CATALOGUE_SKUS:
            item = retail.create_item(
                tenant=hub,
                actor=manager,
                data=ItemData(sku=sku, name=f"Barang {sku}", member_price="12000", public_price="13000"),
            )
            lines.append(OrderLineData(item, "200", "10000"))
        po = retail.create_purchase_order(tenant=hub, actor=manager, supplier=supplier, lines=lines)
        retail.receive_goods(
            tenant=hub, actor=manager, order=po, quantities={ln.id: ln.qty for ln in po.lines}
        )
        leave()

        reports = demo.load_network(db.session)
        assert [r.line() for r in reports] == [
            "  supply network: hub kopontren-al-hikmah, 5 cooperatives linked, 8 catalogue items, "
            "6 network orders"
        ]
        leave()
        orders = db.session.scalars(select(NetworkOrder).order_by(NetworkOrder.number)).all()
        assert sorted(o.status for o in orders) == sorted(
            ["paid", "invoiced", "delivered", "confirmed", "ordered", "cancelled"]
        )
        paid = next(o for o in orders if o.status == "paid")
        assert paid.paid == paid.total == paid.delivered_value
        part = next(o for o in orders if o.status == "invoiced")
        assert part.paid == (part.total / 2).quantize(Decimal("1"))
        # Network price: average cost 10.000 plus 5 %.
        assert paid.total % Decimal("10500") == 0
        assert [r.line() for r in demo.load_network(db.session)] == [
            "  supply network: already set up, nothing added"
        ]
