"""The demo supply network: Kopontren Al-Hikmah is the agency's hub with a published catalogue, the
other Koppontren are linked to it, the directory holds a few suppliers and distributors, and a
handful of network orders stand in different states (paid, part paid, delivered, confirmed,
ordered, cancelled). Everything goes through the network services, so both ledgers agree.

Idempotent: when the hub has network orders already, nothing is added; an interrupted load runs
again from the start (every step before the orders is safe to repeat). Runs after the demo shops (it
needs the hub's stock); without them, only the directory, hub and links are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import select

from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.network import services as net
from coopsaas.network.models import NetworkLink, NetworkOrder, NetworkPartner, NetworkPurchase, SalesOrder
from coopsaas.retail.models import Item
from coopsaas.tenancy.models import Agency, AgencyLink, Tenant

HUB_SLUG = "kopontren-al-hikmah"
AGENCY_ADMIN = "dinas.admin"
# Goods without an expiry date travel well between pesantren: these go in the catalogue.
CATALOGUE_SKUS = ("SBK-BRS5", "SBK-GLA1", "SBK-SBN", "ATK-BKT", "ATK-PLP", "KTB-JZA", "STR-PCI", "STR-SRG")
PARTNERS = (
    (
        "CV Sumber Pangan Sejahtera",
        "distributor",
        "Kota Sukamakmur",
        "Pak Haji Mansur",
        "0221234567",
        "sembako",
    ),
    ("Koperasi Tani Makmur", "supplier", "Kab. Sukamakmur", "Pak Darto", "081234500011", "beras, gula"),
    ("Penerbit Pustaka Pesantren", "supplier", "Surabaya", "Ustadz Fauzi", "0315551234", "kitab, buku"),
    ("CV Santri Mandiri Busana", "supplier", "Tasikmalaya", "Bu Aisyah", "085711223344", "sarung, peci"),
    ("UD Grosir Pelajar", "distributor", "Kota Sukamakmur", "Koh Hendra", "0227654321", "alat tulis"),
)
# The state each linked cooperative's demo order is left in (by slug order).
STATES = ("paid", "part_paid", "delivered", "confirmed", "ordered")


@dataclass(frozen=True)
class NetworkReport:
    hub: str
    links: int
    offers: int
    orders: int
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return "  supply network: already set up, nothing added"
        return (
            f"  supply network: hub {self.hub}, {self.links} cooperatives linked, "
            f"{self.offers} catalogue items, {self.orders} network orders"
        )


def _enter(session: Any, tenant_id: Any) -> None:
    session.commit()
    clear_tenant(session)
    set_tenant(session, tenant_id)


def _leave(session: Any) -> None:
    session.commit()
    clear_tenant(session)


def _user(username: str) -> Any:
    from coopsaas.auth import services as auth

    return auth.find_user(username)


def _price(avg_cost: Decimal) -> Decimal:
    """The network price: the hub's average cost plus 5 %, rounded up to Rp 100."""
    return (avg_cost * Decimal("1.05") / 100).to_integral_value(rounding=ROUND_CEILING) * 100


def load_network(session: Any) -> list[NetworkReport]:
    """Set up the demo network (see the module docstring); commits per step and tenant."""
    session.rollback()
    clear_tenant(session)
    hub = session.scalars(select(Tenant).where(Tenant.slug == HUB_SLUG)).one_or_none()
    link_row = (
        session.scalars(select(AgencyLink).where(AgencyLink.tenant_id == hub.id)).first() if hub else None
    )
    admin = _user(AGENCY_ADMIN)
    if hub is None or link_row is None or admin is None:
        return []
    agency = session.scalars(select(Agency).where(Agency.id == link_row.agency_id)).one()
    if (
        session.scalars(select(NetworkOrder.id).where(NetworkOrder.hub_tenant_id == hub.id)).first()
        is not None
    ):
        return [NetworkReport(HUB_SLUG, 0, 0, 0, skipped=True)]

    # Each step below is safe to repeat (an interrupted load runs again from the start).
    known = set(session.scalars(select(NetworkPartner.name).where(NetworkPartner.agency_id == agency.id)))
    for name, kind, region, contact, phone, categories in PARTNERS:
        if name in known:
            continue
        net.create_partner(
            agency=agency,
            actor=admin,
            data=net.PartnerData(
                name=name, kind=kind, region=region, contact=contact, phone=phone, categories=categories
            ),
        )
    hub_row = net.designate_hub(agency=agency, actor=admin, tenant_id=hub.id)
    buyers = [t for t in net.agency_tenants(agency) if t.legal_form == "koppontren" and t.id != hub.id]
    links = {t.id: net.link_to_hub(agency=agency, actor=admin, hub=hub_row, tenant_id=t.id) for t in buyers}
    link_ids = {tid: ln.id for tid, ln in links.items()}
    buyer_ids = [t.id for t in buyers]
    hub_id = hub.id
    _leave(session)

    hub_manager = _user(f"manajer.{HUB_SLUG}")
    _enter(session, hub_id)
    hub = session.scalars(select(Tenant).where(Tenant.id == hub_id)).one()
    offers: list[tuple[Any, Decimal]] = []
    stock: dict[Any, Decimal] = {}
    items = session.scalars(select(Item).where(Item.sku.in_(CATALOGUE_SKUS)).order_by(Item.sku)).all()
    for item in items:
        if item.on_hand < 20 or item.avg_cost <= 0 or item.tracks_expiry:
            continue
        minimum = Decimal("5")
        entry = net.publish_item(
            tenant=hub, actor=hub_manager, item=item, network_price=_price(item.avg_cost), min_qty=minimum
        )
        offers.append((entry.id, minimum * 2))
        stock[entry.id] = item.on_hand
    _leave(session)

    orders = 0
    if offers:
        for n, buyer_id in enumerate(buyer_ids[: len(STATES)]):
            orders += _order_in_state(
                session, hub_id, buyer_id, link_ids[buyer_id], offers, stock, n, STATES[n], hub_manager
            )
        # And one the buyer withdrew.
        orders += _order_in_state(
            session, hub_id, buyer_ids[0], link_ids[buyer_ids[0]], offers, stock, 5, "cancelled", hub_manager
        )
    return [NetworkReport(HUB_SLUG, len(buyer_ids), len(offers), orders)]


def _order_in_state(
    session: Any,
    hub_id: Any,
    buyer_id: Any,
    link_id: Any,
    offers: list[tuple[Any, Decimal]],
    stock: dict[Any, Decimal],
    n: int,
    state: str,
    hub_manager: Any,
) -> int:
    """One order of `buyer_id` left in `state`; returns how many orders were made (0 or 1)."""

    buyer_slug = session.scalars(select(Tenant.slug).where(Tenant.id == buyer_id)).one()
    buyer_manager = _user(f"manajer.{buyer_slug}")
    _enter(session, buyer_id)
    buyer = session.scalars(select(Tenant).where(Tenant.id == buyer_id)).one()
    link = session.scalars(select(NetworkLink).where(NetworkLink.id == link_id)).one()
    # Up to three catalogue lines the hub still has stock for (a delivery must not run short).
    lines = []
    for k in range(len(offers)):
        cid, qty = offers[(n + k) % len(offers)]
        want = qty + n
        if stock[cid] >= want and len(lines) < 3:
            stock[cid] -= want
            lines.append(net.OrderLineRequest(cid, want))
    if not lines:
        _leave(session)
        return 0
    purchase = net.place_order(tenant=buyer, actor=buyer_manager, link=link, lines=lines, memo="Pesanan demo")
    order_id = purchase.id
    if state == "cancelled":
        net.cancel_purchase(
            tenant=buyer, actor=buyer_manager, purchase=purchase, reason="Jumlah salah, pesan ulang"
        )
        _leave(session)
        return 1
    _leave(session)
    if state == "ordered":
        return 1

    _enter(session, hub_id)
    hub = session.scalars(select(Tenant).where(Tenant.id == hub_id)).one()
    order = session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)).one()
    net.confirm_order(tenant=hub, actor=hub_manager, order=order)
    if state != "confirmed":
        net.deliver_order(tenant=hub, actor=hub_manager, order=order)
        if state in ("paid", "part_paid"):
            net.issue_invoice(tenant=hub, actor=hub_manager, order=order)
    total = order.total
    _leave(session)
    if state in ("confirmed", "delivered"):
        return 1

    _enter(session, buyer_id)
    buyer = session.scalars(select(Tenant).where(Tenant.id == buyer_id)).one()
    purchase = session.scalars(select(NetworkPurchase).where(NetworkPurchase.id == order_id)).one()
    net.receive_delivery(tenant=buyer, actor=buyer_manager, purchase=purchase)
    amount = total if state == "paid" else (total / 2).quantize(Decimal("1"))
    net.pay_invoice(tenant=buyer, actor=buyer_manager, purchase=purchase, amount=amount, method="transfer")
    _leave(session)
    return 1
