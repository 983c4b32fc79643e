"""Supply network fixtures: an agency with a hub cooperative, a cooperative linked to it, one
supervised but not linked, and one outside the agency; each with a shop chart and staff."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask_babel import force_locale

from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.ledger import balance_of
from coopsaas.ledger.models import Account
from coopsaas.network import services as net
from coopsaas.retail import services as retail
from coopsaas.retail.services import ItemData, OrderLineData
from tests.helpers import make_agency, make_tenant, make_user
from tests.retail.conftest import SHOP_CHART

CHART = [*SHOP_CHART, ("1301", "Piutang usaha (toko)", "asset", "D", ["piutang_usaha"])]


def rp(value: str | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass
class Coop:
    tenant: Any
    manager: Any
    shopkeeper: Any

    def balance(self, code: str) -> Decimal:
        account = db.session.scalars(db.select(Account).where(Account.code == code)).one()
        return balance_of(account)

    def trial_balance_nets_to_zero(self) -> bool:
        total = Decimal("0.00")
        for account in db.session.scalars(db.select(Account)):
            bal = balance_of(account)
            total += bal if account.normal_side == "D" else -bal
        return total == 0


def enter(tenant: Any) -> None:
    """Commit what is open and put `tenant` in scope (one tenant per transaction)."""
    db.session.commit()
    clear_tenant(db.session)
    set_tenant(db.session, tenant.id)


def leave() -> None:
    db.session.commit()
    clear_tenant(db.session)


def _coop(slug: str) -> Coop:
    tenant = make_tenant(slug, name=f"Kopontren {slug.title()}", legal_form="koppontren")
    manager = make_user(f"ketua-{slug}", tenant=tenant, role="manager")
    shopkeeper = make_user(f"toko-{slug}", tenant=tenant, role="shopkeeper")
    manager.locale = shopkeeper.locale = "en"
    enter(tenant)
    for code, name, type_, side, tags in CHART:
        db.session.add(
            Account(
                code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
            )
        )
    leave()
    return Coop(tenant, manager, shopkeeper)


@dataclass
class Network:
    agency: Any
    admin: Any
    viewer: Any
    hub: Coop
    buyer: Coop
    outsider: Coop
    stranger: Coop
    link: Any
    hub_row: Any
    beras: Any = None  # hub item
    gula: Any = None
    offer_beras: Any = None
    offer_gula: Any = None
    # Ids kept apart: reading an expired row of the hub from the buyer's scope finds nothing.
    offer_beras_id: Any = None
    offer_gula_id: Any = None

    def in_(self, coop: Coop) -> None:
        enter(coop.tenant)


def build_network() -> Network:
    from coopsaas.auth import services as auth

    hub, buyer, outsider, stranger = (_coop(s) for s in ("hub", "pembeli", "luar", "asing"))
    agency = make_agency("dinas-jaringan", tenants=[hub.tenant, buyer.tenant, outsider.tenant])
    other_agency = make_agency("dinas-lain", tenants=[stranger.tenant])
    assert other_agency.id != agency.id
    admin = make_user("admin-jaringan")
    viewer = make_user("pengamat-jaringan")
    admin.locale = viewer.locale = "en"
    auth.grant_agency_role(user=admin, agency_id=agency.id, role="agency_admin")
    auth.grant_agency_role(user=viewer, agency_id=agency.id, role="agency_viewer")
    hub_row = net.designate_hub(agency=agency, actor=admin, tenant_id=hub.tenant.id)
    link = net.link_to_hub(agency=agency, actor=admin, hub=hub_row, tenant_id=buyer.tenant.id)
    leave()
    n = Network(agency, admin, viewer, hub, buyer, outsider, stranger, link, hub_row)
    # The hub's shop: rice and sugar in stock, both in the catalogue.
    enter(hub.tenant)
    beras = retail.create_item(
        tenant=hub.tenant,
        actor=hub.manager,
        data=ItemData(sku="BRS5", name="Beras 5 kg", unit="sak", member_price="70000", public_price="75000"),
    )
    gula = retail.create_item(
        tenant=hub.tenant,
        actor=hub.manager,
        data=ItemData(sku="GLP", name="Gula pasir", unit="kg", member_price="16000", public_price="17000"),
    )
    supplier = retail.create_supplier(tenant=hub.tenant, actor=hub.manager, name="Distributor Beras Jaya")
    po = retail.create_purchase_order(
        tenant=hub.tenant,
        actor=hub.manager,
        supplier=supplier,
        lines=[OrderLineData(beras, "100", "60000"), OrderLineData(gula, "200", "14000")],
    )
    retail.receive_goods(
        tenant=hub.tenant, actor=hub.manager, order=po, quantities={ln.id: ln.qty for ln in po.lines}
    )
    n.offer_beras = net.publish_item(
        tenant=hub.tenant, actor=hub.manager, item=beras, network_price="65000", min_qty="10"
    )
    n.offer_gula = net.publish_item(
        tenant=hub.tenant, actor=hub.manager, item=gula, network_price="15000", min_qty="20"
    )
    n.beras, n.gula = beras, gula
    n.offer_beras_id, n.offer_gula_id = n.offer_beras.id, n.offer_gula.id
    leave()
    return n


@pytest.fixture
def network(db_session: Any) -> Iterator[Network]:
    with force_locale("en"):
        yield build_network()
