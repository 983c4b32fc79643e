"""Supply network rules: the agency's directory, hubs and links; a hub's catalogue; network orders.

Services take the tenant (or agency) and actor explicitly, flush and never commit, except where
a step must reach the other cooperative: that goes through `coopsaas.network.bridge.crossing`,
which commits the caller's side first and the other side in its own transaction.

A network order, in order of its states (`ordered -> confirmed -> delivered -> invoiced -> paid`,
or `cancelled` before delivery):

- **ordered** (by the buyer, from its hub's published catalogue): the hub's sales order (hub
  tenant) and the register row are written first, through the bridge; then the buyer's purchase
  order from the hub (a supplier row tied to the hub) at the network prices, in the buyer's tenant.
- **confirmed** (by the hub): the hub's side only.
- **delivered** (by the hub): stock leaves the hub at moving-average cost; hub ledger
  Dr 1301 piutang usaha / Cr 4202 penjualan non-anggota for the order total (the buyer is another
  cooperative, not a member) and Dr 5201 HPP / Cr 1401 persediaan for the cost.
- the buyer **receives** the delivery into stock: its purchase order is received in full,
  Dr 1401 / Cr 2111 utang usaha at the network prices (buyer's tenant only).
- **invoiced** (by the hub): invoice number and due date; the invoice PDF (faktur) is the hub's.
- **paid**: the payment is recorded once, by the buyer, who knows the money left. The bridge first
  records it as received in the hub's books (Dr kas or bank / Cr 1301: the same method, so a
  transfer lands in the hub's bank account), then the buyer's side records the supplier invoice (if
  not yet) and pays it (Dr 2111 / Cr kas or bank). Hub staff do not record network payments
  themselves, so the two ledgers never count one payment twice or miss it. Partial payments are
  allowed; the order is paid when nothing is left.

The agency-level register (`NetworkOrder`) keeps each order's parties, state and totals; it is
written in the same transaction as the hub's side and is what the agency's volumes read.

Every step that writes both books is an operation with an id and a `NetworkStep` row per side
(`coopsaas.network.bridge`): each side's part runs once per operation, and `complete_pending`
finishes a step cut off between the two sides (on a retry with the same key, at the start of the
next action on the order, and from the nightly `network_reconcile` job).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from coopsaas.core import audit
from coopsaas.core.counters import next_number
from coopsaas.core.db import current_tenant_id, set_tenant
from coopsaas.core.i18n import _l
from coopsaas.core.ids import parse_uuid, uuid7
from coopsaas.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import LineSpec
from coopsaas.ledger.models import Account
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.network.agency import (  # noqa: F401  (the agency side, re-exported for callers)
    PartnerData,
    VolumeRow,
    agency_links,
    agency_role,
    agency_tenants,
    create_partner,
    designate_hub,
    hubs,
    link_to_hub,
    network_volumes,
    partners,
    require_agency_admin,
    set_link_active,
    set_partner_active,
)
from coopsaas.network.bridge import (
    NotLinked,
    StepRef,
    begin_step,
    check_link,
    claim_step,
    crossing,
    finish_step,
    link_is_open,
    other_side,
    pending_steps,
    request_key,
    step_by_key,
)
from coopsaas.network.models import (
    PAYMENT_METHODS,
    CatalogueItem,
    NetworkHub,
    NetworkLink,
    NetworkOrder,
    NetworkPartner,
    NetworkPurchase,
    NetworkStep,
    PaymentReceived,
    SalesOrder,
    SalesOrderLine,
    SupplierRef,
)
from coopsaas.retail import services as retail
from coopsaas.retail.costing import sen
from coopsaas.retail.models import Item, PurchaseOrder, Supplier, SupplierInvoice
from coopsaas.retail.owners import acting_as_owner
from coopsaas.tenancy.models import AgencyLink, Tenant

ZERO = Decimal("0.00")
PAYMENT_DAYS = 30
RECEIVABLE_CODE = "1301"


def _refuse(field_name: str, message: Any) -> ValidationError:
    return ValidationError(message, fields={field_name: [message]})


def _text(value: Any, field_name: str, max_len: int, *, required: bool = True) -> str | None:
    clean = str(value or "").strip()
    if not clean:
        if required:
            raise _refuse(field_name, _l("This field is required."))
        return None
    if len(clean) > max_len:
        raise _refuse(field_name, _l("At most %(n)s characters.", n=max_len))
    return clean


# ---- a cooperative's view of the network ------------------------------------------------------------


def tenant_agency_ids(tenant: Tenant) -> list[uuid.UUID]:
    return list(db.session.scalars(select(AgencyLink.agency_id).where(AgencyLink.tenant_id == tenant.id)))


def directory(tenant: Tenant) -> Any:
    """The active directory entries of the agencies supervising this cooperative (read-only)."""
    return partners(tenant_agency_ids(tenant), active_only=True)


def adopted_partner_ids() -> set[uuid.UUID]:
    return {
        pid
        for pid in db.session.scalars(
            select(SupplierRef.partner_id).where(SupplierRef.partner_id.is_not(None))
        )
        if pid is not None
    }


def adopt_partner(*, tenant: Tenant, actor: Any, partner_id: Any) -> Supplier:
    """Copy a directory entry into the cooperative's own suppliers, remembering where it came from.
    Raises: NotFound (not in this cooperative's directory), Conflict (already added, name taken)."""
    require_scope(tenant)
    uid = parse_uuid(partner_id)
    partner = (
        db.session.scalars(directory(tenant).where(NetworkPartner.id == uid)).one_or_none() if uid else None
    )
    if partner is None:
        raise NotFound(_l("That supplier is not in your network directory."))
    if uid in adopted_partner_ids():
        raise Conflict(
            _l("%(name)s is already one of your suppliers.", name=partner.name), code="already_added"
        )
    supplier = retail.create_supplier(
        tenant=tenant,
        actor=actor,
        name=partner.name,
        contact=partner.contact,
        phone=partner.phone,
        address=partner.address or partner.region,
    )
    db.session.add(SupplierRef(supplier_id=supplier.id, partner_id=partner.id))
    db.session.flush()
    audit.record(
        "network.partner.adopt",
        actor=actor,
        target=supplier,
        summary={"partner": str(partner.id), "name": partner.name},
    )
    return supplier


def links_as_buyer(tenant: Tenant) -> list[NetworkLink]:
    rows = db.session.scalars(
        select(NetworkLink).where(NetworkLink.member_tenant_id == tenant.id, NetworkLink.is_active.is_(True))
    )
    return [ln for ln in rows if link_is_open(ln)]


def links_as_hub(tenant: Tenant) -> list[NetworkLink]:
    rows = db.session.scalars(
        select(NetworkLink).where(NetworkLink.hub_tenant_id == tenant.id, NetworkLink.is_active.is_(True))
    )
    return [ln for ln in rows if link_is_open(ln)]


def is_hub(tenant: Tenant) -> bool:
    return (
        db.session.scalars(
            select(NetworkHub.id).where(NetworkHub.hub_tenant_id == tenant.id, NetworkHub.is_active.is_(True))
        ).first()
        is not None
    )


def buyer_link(tenant: Tenant, link_id: Any) -> NetworkLink:
    """One of this cooperative's open links to a hub. Raises NotLinked."""
    uid = parse_uuid(link_id)
    link = db.session.scalars(select(NetworkLink).where(NetworkLink.id == uid)).one_or_none() if uid else None
    if link is not None and link.member_tenant_id != tenant.id:
        link = None
    return check_link(link, tenant.id)


def buyer_link_to(tenant: Tenant, hub_slug: str) -> NetworkLink:
    """The open link from this cooperative to the hub with that slug. Raises NotLinked (the same
    answer whether the slug exists or not)."""
    hub = db.session.scalars(select(Tenant).where(Tenant.slug == (hub_slug or "").strip())).one_or_none()
    link = None
    if hub is not None:
        link = db.session.scalars(
            select(NetworkLink).where(
                NetworkLink.member_tenant_id == tenant.id,
                NetworkLink.hub_tenant_id == hub.id,
                NetworkLink.is_active.is_(True),
            )
        ).first()
    return check_link(link, tenant.id)


def tenant_name(tenant_id: uuid.UUID) -> str:
    return db.session.scalars(select(Tenant.name).where(Tenant.id == tenant_id)).one()


# ---- the hub's catalogue ----------------------------------------------------------------------------------


def _require_hub(tenant: Tenant) -> None:
    if not is_hub(tenant):
        raise PermissionDenied(_l("Only a cooperative the agency made a hub publishes a network catalogue."))


def publish_item(
    *, tenant: Tenant, actor: Any, item: Item, network_price: Any, min_qty: Any = "1"
) -> CatalogueItem:
    """Offer one of the hub's items to its linked cooperatives (or change its terms).
    Raises: PermissionDenied (not a hub), ValidationError (bad price or minimum, inactive item)."""
    require_scope(tenant)
    _require_hub(tenant)
    if not item.is_active:
        raise _refuse("item", _l("%(name)s is no longer sold.", name=item.name))
    price = retail.check_price(network_price, "network_price")
    minimum = retail.check_qty(min_qty or "1", "min_qty")
    entry = db.session.scalars(select(CatalogueItem).where(CatalogueItem.item_id == item.id)).one_or_none()
    if entry is None:
        entry = CatalogueItem(item_id=item.id, network_price=price, min_qty=minimum, is_published=True)
        db.session.add(entry)
    entry.network_price, entry.min_qty, entry.is_published = price, minimum, True
    db.session.flush()
    audit.record(
        "network.catalogue.publish",
        actor=actor,
        target=entry,
        summary={"sku": item.sku, "price": str(price), "min_qty": str(minimum)},
    )
    return entry


def unpublish_item(*, tenant: Tenant, actor: Any, entry: CatalogueItem) -> CatalogueItem:
    require_scope(tenant)
    entry.is_published = False
    db.session.flush()
    audit.record(
        "network.catalogue.unpublish", actor=actor, target=entry, summary={"item": str(entry.item_id)}
    )
    return entry


def catalogue(*, published_only: bool = False) -> Any:
    stmt = select(CatalogueItem).join(
        Item, (Item.tenant_id == CatalogueItem.tenant_id) & (Item.id == CatalogueItem.item_id)
    )
    if published_only:
        stmt = stmt.where(CatalogueItem.is_published.is_(True), Item.is_active.is_(True))
    return stmt.order_by(Item.name, Item.sku)


@dataclass(frozen=True)
class Offer:
    """A published catalogue line as a linked cooperative sees it (no stock, no cost)."""

    id: uuid.UUID
    sku: str
    name: str
    unit: str
    category: str | None
    network_price: Decimal
    min_qty: Decimal


def _offers() -> list[Offer]:
    return [
        Offer(c.id, c.item.sku, c.item.name, c.item.unit, c.item.category, c.network_price, c.min_qty)
        for c in db.session.scalars(catalogue(published_only=True))
    ]


def browse_catalogue(*, tenant: Tenant, actor: Any, link: NetworkLink) -> list[Offer]:
    """The hub's published catalogue, read in the hub's tenant through the link."""
    check_link(link, tenant.id, link.hub_tenant_id)
    with crossing(
        link=link, to_tenant_id=link.hub_tenant_id, actor=actor, action="network.catalogue.browse", summary={}
    ):
        offers = _offers()
    return offers


# ---- network orders: placing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineRequest:
    """One line the buyer asks for: a catalogue entry and a quantity, received as one of the buyer's
    own items (`item_id`), or, without one, as the item with the hub's SKU (created if missing)."""

    catalogue_item_id: Any
    qty: Any
    item_id: Any = None


@dataclass(frozen=True)
class _Accepted:
    catalogue_item_id: uuid.UUID
    sku: str
    name: str
    unit: str
    category: str | None
    qty: Decimal
    unit_price: Decimal


def _hub_take_order(
    *,
    hub: Tenant,
    actor: Any,
    order_id: uuid.UUID,
    link: NetworkLink,
    buyer: Tenant,
    wanted: list[tuple[uuid.UUID, Decimal]],
    memo: str,
) -> tuple[str, list[_Accepted]]:
    """In the hub's tenant: check every line against the published catalogue, write the sales order
    and the register row."""
    on = today_for(hub)
    entries = {
        c.id: c
        for c in db.session.scalars(
            catalogue(published_only=True).where(CatalogueItem.id.in_([cid for cid, _ in wanted]))
        )
    }
    accepted: list[_Accepted] = []
    for n, (cid, qty) in enumerate(wanted, start=1):
        entry = entries.get(cid)
        if entry is None:
            raise _refuse(
                f"lines.{n}.catalogue_item_id",
                _l("Line %(n)s: that item is not in the hub's catalogue.", n=n),
            )
        if qty < entry.min_qty:
            message = _l(
                "Line %(n)s: the hub sells %(name)s from %(min)s %(unit)s.",
                n=n,
                name=entry.item.name,
                min=retail.show_qty(entry.min_qty),
                unit=entry.item.unit,
            )
            raise ValidationError(message, fields={f"lines.{n}.qty": [message]}, code="below_minimum")
        accepted.append(
            _Accepted(
                cid,
                entry.item.sku,
                entry.item.name,
                entry.item.unit,
                entry.item.category,
                qty,
                entry.network_price,
            )
        )
    order = SalesOrder(
        id=order_id,
        number=f"JN-{on.year}-{next_number(f'network:JN:{on.year}'):06d}",
        link_id=link.id,
        buyer_tenant_id=buyer.id,
        buyer_name=buyer.name,
        status="ordered",
        ordered_on=on,
        total=ZERO,
        memo=memo[:500],
    )
    total = ZERO
    for n, a in enumerate(accepted, start=1):
        amount = sen(a.qty * a.unit_price)
        order.lines.append(
            SalesOrderLine(
                line_no=n,
                catalogue_item_id=a.catalogue_item_id,
                item_id=entries[a.catalogue_item_id].item_id,
                name=a.name,
                unit=a.unit,
                qty=a.qty,
                unit_price=a.unit_price,
                amount=amount,
            )
        )
        total += amount
    order.total = total
    db.session.add(order)
    db.session.add(
        NetworkOrder(
            id=order_id,
            agency_id=link.agency_id,
            link_id=link.id,
            hub_tenant_id=hub.id,
            buyer_tenant_id=buyer.id,
            number=order.number,
            status="ordered",
            ordered_on=on,
            total=total,
        )
    )
    db.session.flush()
    audit.record(
        "network.sales_order.receive",
        actor=actor,
        target=order,
        summary={"number": order.number, "buyer": buyer.slug, "total": str(total)},
    )
    return order.number, accepted


def hub_supplier(*, tenant: Tenant, actor: Any, hub_tenant_id: uuid.UUID) -> Supplier:
    """The buyer's supplier row for a hub, made on the first order and tied to the hub."""
    ref = db.session.scalars(
        select(SupplierRef).where(SupplierRef.hub_tenant_id == hub_tenant_id)
    ).one_or_none()
    if ref is not None:
        return db.session.scalars(select(Supplier).where(Supplier.id == ref.supplier_id)).one()
    hub = db.session.scalars(select(Tenant).where(Tenant.id == hub_tenant_id)).one()
    name = hub.name
    if db.session.scalars(select(Supplier.id).where(Supplier.name == name)).first() is not None:
        name = f"{hub.name} (jaringan)"
    supplier = retail.create_supplier(tenant=tenant, actor=actor, name=name, address=hub.address)
    db.session.add(SupplierRef(supplier_id=supplier.id, hub_tenant_id=hub_tenant_id))
    db.session.flush()
    return supplier


def _buyer_items(lines: Sequence[OrderLineRequest]) -> list[Item | None]:
    out: list[Item | None] = []
    for n, ln in enumerate(lines, start=1):
        if ln.item_id in (None, ""):
            out.append(None)
            continue
        uid = parse_uuid(ln.item_id)
        item = db.session.scalars(select(Item).where(Item.id == uid)).one_or_none() if uid else None
        if item is None:
            raise _refuse(f"lines.{n}.item_id", _l("Line %(n)s: choose one of your own items.", n=n))
        out.append(item)
    return out


def _key_reused() -> ValidationError:
    return ValidationError(
        _l("This request key was already used for a different request."),
        fields={"submit_key": [_l("Use a new key for a new request.")]},
        code="idempotency_key_reused",
    )


def wanted_of(lines: Sequence[OrderLineRequest]) -> list[tuple[uuid.UUID | None, Any]]:
    """The (catalogue entry, quantity) pairs of a request as typed, for comparing two requests."""
    out: list[tuple[uuid.UUID | None, Any]] = []
    for ln in lines:
        try:
            qty: Any = retail.check_qty(ln.qty, "qty")
        except ValidationError:
            qty = ln.qty
        out.append((parse_uuid(ln.catalogue_item_id), qty))
    return out


def _accepted_out(accepted: list[_Accepted]) -> list[list[Any]]:
    return [
        [str(a.catalogue_item_id), a.sku, a.name, a.unit, a.category, str(a.qty), str(a.unit_price)]
        for a in accepted
    ]


def _accepted_in(rows: list[list[Any]]) -> list[_Accepted]:
    return [
        _Accepted(uuid.UUID(cid), sku, name, unit, category, Decimal(qty), Decimal(price))
        for cid, sku, name, unit, category, qty, price in rows
    ]


def place_order(
    *,
    tenant: Tenant,
    actor: Any,
    link: NetworkLink,
    lines: Sequence[OrderLineRequest],
    memo: str = "",
    key: Any = None,
) -> NetworkPurchase:
    """Order from the hub's catalogue. The hub's side is written first (through the bridge), then the
    buyer's purchase order at the network prices. `key` (Idempotency-Key or form submit key): a
    retry of the same request completes the first one instead of ordering twice.
    Raises: NotLinked, ValidationError (no lines, a bad quantity, below the minimum, not in the
    catalogue, unknown own item)."""
    require_scope(tenant)
    rkey = request_key(actor, key)
    earlier = step_by_key(rkey)
    if earlier is not None:
        same = [[str(cid), str(qty)] for cid, qty in wanted_of(lines)]
        if earlier.kind != "place" or earlier.payload.get("wanted") != same:
            raise _key_reused()
        order_id = earlier.order_id
        if earlier.status == "pending":
            complete_pending(order_id, tenant=tenant, actor=actor)
        found = db.session.scalars(
            select(NetworkPurchase).where(NetworkPurchase.id == order_id)
        ).one_or_none()
        if found is not None:
            return found
    check_link(link, tenant.id, link.hub_tenant_id)
    if link.member_tenant_id != tenant.id:
        raise NotLinked(_l("A hub does not order from the cooperatives linked to it."))
    if not lines:
        raise _refuse("lines", _l("An order needs at least one line."))
    wanted: list[tuple[uuid.UUID, Decimal]] = []
    for n, ln in enumerate(lines, start=1):
        cid = parse_uuid(ln.catalogue_item_id)
        if cid is None:
            raise _refuse(
                f"lines.{n}.catalogue_item_id",
                _l("Line %(n)s: that item is not in the hub's catalogue.", n=n),
            )
        wanted.append((cid, retail.check_qty(ln.qty, f"lines.{n}.qty")))
    own_items = _buyer_items(lines)
    # The buyer's books must be able to take the receipt and the payment later.
    retail.shop_account("persediaan")
    retail.shop_account("utang_usaha")
    memo = (memo or "").strip()[:500]
    ref = begin_step(
        kind="place",
        order_id=uuid7(),
        link=link,
        other_tenant_id=link.hub_tenant_id,
        actor=actor,
        payload={
            "wanted": [[str(cid), str(qty)] for cid, qty in wanted],
            "own": [str(i.id) if i is not None else None for i in own_items],
            "memo": memo,
        },
        key=rkey,
    )
    return _run_place(ref, tenant=tenant, actor=actor)


def _run_place(ref: StepRef, *, tenant: Tenant, actor: Any) -> NetworkPurchase:
    """The hub's sales order (once per operation), then the buyer's purchase order (once)."""
    order_id, payload = ref.order_id, ref.payload
    wanted = [(uuid.UUID(cid), Decimal(qty)) for cid, qty in payload["wanted"]]
    memo = payload.get("memo") or ""
    link = _link_by_id(ref.link_id)

    def hub_part(hub: Tenant) -> dict[str, Any]:
        buyer = db.session.scalars(select(Tenant).where(Tenant.id == ref.home_tenant_id)).one()
        number, accepted = _hub_take_order(
            hub=hub, actor=actor, order_id=order_id, link=link, buyer=buyer, wanted=wanted, memo=memo
        )
        return {"number": number, "accepted": _accepted_out(accepted)}

    result = other_side(
        ref, actor=actor, action="network.order.place", summary={"order": str(order_id)}, work=hub_part
    )
    claimed = claim_step(ref)
    done = db.session.scalars(select(NetworkPurchase).where(NetworkPurchase.id == order_id)).one_or_none()
    if done is not None:
        if claimed:
            finish_step(ref)
        return done
    if not claimed:
        raise Conflict(_l("This order was withdrawn; place it again."), code="withdrawn")
    link = _link_by_id(ref.link_id)
    try:
        purchase = _buyer_side_of_order(
            tenant=tenant,
            actor=actor,
            link=link,
            order_id=order_id,
            number=result["number"],
            accepted=_accepted_in(result["accepted"]),
            own_items=[
                db.session.scalars(select(Item).where(Item.id == uuid.UUID(i))).one() if i else None
                for i in payload["own"]
            ],
            memo=memo,
        )
    except DomainError:
        # The buyer's books refuse the order: withdraw the hub's side, so neither keeps half of it.
        db.session.rollback()
        _withdraw(ref, actor=actor)
        raise
    finish_step(ref)
    return purchase


def _withdraw(ref: StepRef, *, actor: Any) -> None:
    """Turn a place step the buyer's side refused into a withdrawal of the hub's order (a step of
    its own, completed like the others if it is interrupted)."""
    step = db.session.scalars(
        select(NetworkStep).where(NetworkStep.operation_id == ref.operation_id, NetworkStep.role == "origin")
    ).one()
    step.status, step.request_key = "refused", None
    withdrawal = begin_step(
        kind="withdraw",
        order_id=ref.order_id,
        link=_link_by_id(ref.link_id),
        other_tenant_id=ref.other_tenant_id,
        actor=actor,
        payload={},
    )
    _run_withdraw(withdrawal, actor=actor)
    db.session.commit()


def _run_withdraw(ref: StepRef, *, actor: Any) -> None:
    def hub_part(hub: Tenant) -> dict[str, Any]:
        order = _locked(ref.order_id)
        if order.status in ("ordered", "confirmed"):
            _cancel_hub_side(ref.order_id, _l("The buyer's side could not be written."))
        return {}

    other_side(
        ref, actor=actor, action="network.order.withdraw", summary={"order": str(ref.order_id)}, work=hub_part
    )
    finish_step(ref)


def _buyer_side_of_order(
    *,
    tenant: Tenant,
    actor: Any,
    link: NetworkLink,
    order_id: uuid.UUID,
    number: str,
    accepted: list[_Accepted],
    own_items: list[Item | None],
    memo: str,
) -> NetworkPurchase:
    supplier = hub_supplier(tenant=tenant, actor=actor, hub_tenant_id=link.hub_tenant_id)
    order_lines = []
    for a, own in zip(accepted, own_items, strict=True):
        item = own or _item_for(tenant, actor, a)
        order_lines.append(retail.OrderLineData(item, a.qty, a.unit_price))
    po = retail.create_purchase_order(
        tenant=tenant,
        actor=actor,
        supplier=supplier,
        lines=order_lines,
        memo=f"Pesanan jaringan {number}" + (f": {memo}" if memo else ""),
    )
    purchase = NetworkPurchase(
        id=order_id, link_id=link.id, hub_tenant_id=link.hub_tenant_id, purchase_order_id=po.id
    )
    db.session.add(purchase)
    db.session.flush()
    audit.record(
        "network.order.place",
        actor=actor,
        target=purchase,
        summary={"number": number, "purchase_order": po.number, "total": str(po.total)},
    )
    return purchase


def _item_for(tenant: Tenant, actor: Any, a: _Accepted) -> Item:
    """The buyer's item with the hub's SKU, or a new one priced at the network price until the
    shop sets its own prices."""
    found = db.session.scalars(select(Item).where(func.lower(Item.sku) == a.sku.lower())).first()
    if found is not None:
        return found
    return retail.create_item(
        tenant=tenant,
        actor=actor,
        data=retail.ItemData(
            sku=a.sku,
            name=a.name,
            unit=a.unit,
            category=a.category,
            member_price=a.unit_price,
            public_price=a.unit_price,
        ),
    )


# ---- network orders: the hub's steps --------------------------------------------------------------------


def _register(order_id: uuid.UUID) -> NetworkOrder:
    return db.session.scalars(select(NetworkOrder).where(NetworkOrder.id == order_id)).one()


def _link_of(order: SalesOrder | NetworkPurchase) -> NetworkLink:
    return _link_by_id(order.link_id)


def _link_by_id(link_id: uuid.UUID) -> NetworkLink:
    return db.session.scalars(select(NetworkLink).where(NetworkLink.id == link_id)).one()


def _wrong_state(order: SalesOrder, allowed: str) -> Conflict:
    return Conflict(
        _l(
            "Order %(number)s is %(status)s; this step needs it %(allowed)s.",
            number=order.number,
            status=status_label(order.status),
            allowed=allowed,
        ),
        code="wrong_status",
    )


def _locked(order_id: uuid.UUID) -> SalesOrder:
    """The hub's order row, locked (PostgreSQL: FOR UPDATE) and read fresh: two clicks on one step
    run one after the other, and the second sees the first one's state."""
    return db.session.scalars(
        select(SalesOrder)
        .where(SalesOrder.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def confirm_order(*, tenant: Tenant, actor: Any, order: SalesOrder) -> SalesOrder:
    """The hub accepts an order. Raises: Conflict (not in state ordered)."""
    require_scope(tenant)
    complete_pending(order.id, tenant=tenant, actor=actor)
    order = _locked(order.id)
    if order.status != "ordered":
        raise _wrong_state(order, status_label("ordered"))
    order.status = "confirmed"
    order.confirmed_on = today_for(tenant)
    _register(order.id).status = "confirmed"
    db.session.flush()
    audit.record("network.sales_order.confirm", actor=actor, target=order, summary={"number": order.number})
    return order


def receivable_account() -> Account:
    accounts = list(db.session.scalars(select(Account).where(Account.is_active.is_(True))))
    tagged = sorted((a for a in accounts if "piutang_usaha" in (a.tags or [])), key=lambda a: a.code)
    if tagged:
        return tagged[0]
    by_code = [a for a in accounts if a.code == RECEIVABLE_CODE]
    if by_code:
        return by_code[0]
    raise ValidationError(
        _l(
            "The chart of accounts has no account tagged %(tag)s (code %(code)s); add it first.",
            tag="piutang_usaha",
            code=RECEIVABLE_CODE,
        ),
        code="account_missing",
    )


def deliver_order(*, tenant: Tenant, actor: Any, order: SalesOrder, on: date | None = None) -> SalesOrder:
    """Goods leave the hub: stock out at moving-average cost, Dr 1301 / Cr 4202 for the order total,
    Dr 5201 / Cr 1401 for the cost. Raises: Conflict (not confirmed), InsufficientStock."""
    require_scope(tenant)
    complete_pending(order.id, tenant=tenant, actor=actor)
    order = _locked(order.id)
    if order.status != "confirmed":
        raise _wrong_state(order, status_label("confirmed"))
    receivable = receivable_account()
    revenue = retail.shop_account("penjualan_non_anggota")
    day = on or today_for(tenant)
    items = {
        i.id: i
        for i in db.session.scalars(select(Item).where(Item.id.in_([ln.item_id for ln in order.lines])))
    }
    price_lines = [LineSpec(receivable.id, debit=order.total, memo=f"{order.buyer_name}"[:300])]
    price_lines += [
        LineSpec(revenue.id, credit=ln.amount, item_id=ln.item_id, memo=ln.name[:300]) for ln in order.lines
    ]
    entry, issued = retail.issue_stock(
        tenant=tenant,
        actor=actor,
        lines=[(items[ln.item_id], ln.qty) for ln in order.lines],
        price_lines=price_lines,
        on=day,
        series="PJ",
        memo=f"Pengiriman jaringan {order.number} ke {order.buyer_name}",
        source_type="network_sales_order",
        source_id=order.id,
        key=f"network-delivery:{order.id}",
    )
    for ln, out in zip(order.lines, issued, strict=True):
        ln.cost_value = out.cost
    order.cost_total = sum((out.cost for out in issued), ZERO)
    order.status = "delivered"
    order.delivered_on = day
    order.delivery_entry_id = entry.id if entry else None
    reg = _register(order.id)
    reg.status, reg.delivered_on, reg.delivered_value = "delivered", day, order.total
    db.session.flush()
    audit.record(
        "network.sales_order.deliver",
        actor=actor,
        target=order,
        summary={"number": order.number, "total": str(order.total), "cost": str(order.cost_total)},
    )
    return order


def issue_invoice(*, tenant: Tenant, actor: Any, order: SalesOrder, on: date | None = None) -> SalesOrder:
    """The hub's invoice (faktur) for a delivered order, due in 30 days. Nothing is posted: the
    receivable was booked at delivery. Raises: Conflict (not delivered)."""
    require_scope(tenant)
    complete_pending(order.id, tenant=tenant, actor=actor)
    order = _locked(order.id)
    if order.status != "delivered":
        raise _wrong_state(order, status_label("delivered"))
    day = on or today_for(tenant)
    order.invoice_number = f"FJ-{day.year}-{next_number(f'network:FJ:{day.year}'):06d}"
    order.invoice_on, order.due_on = day, day + timedelta(days=PAYMENT_DAYS)
    order.status = "invoiced"
    reg = _register(order.id)
    reg.status, reg.invoice_number, reg.invoice_on, reg.due_on = (
        "invoiced",
        order.invoice_number,
        day,
        order.due_on,
    )
    db.session.flush()
    audit.record(
        "network.sales_order.invoice",
        actor=actor,
        target=order,
        summary={"number": order.number, "invoice": order.invoice_number, "total": str(order.total)},
    )
    return order


def _cancel_hub_side(order_id: uuid.UUID, reason: Any) -> SalesOrder:
    order = _locked(order_id)
    if order.status not in ("ordered", "confirmed"):
        raise _wrong_state(order, _l("ordered or confirmed"))
    order.status = "cancelled"
    order.cancel_reason = str(reason)[:300]
    _register(order.id).status = "cancelled"
    db.session.flush()
    return order


def _cancel_buyer_side(actor: Any, tenant: Tenant, order_id: uuid.UUID) -> None:
    purchase = db.session.scalars(select(NetworkPurchase).where(NetworkPurchase.id == order_id)).one_or_none()
    if purchase is None:
        return
    po = db.session.scalars(select(PurchaseOrder).where(PurchaseOrder.id == purchase.purchase_order_id)).one()
    if po.status in ("draft", "ordered"):
        retail.cancel_order(tenant=tenant, actor=actor, order=po)
        db.session.flush()


def cancel_sales_order(*, tenant: Tenant, actor: Any, order: SalesOrder, reason: str) -> SalesOrder:
    """The hub declines an order before delivery; the buyer's purchase order is cancelled too.
    Raises: ValidationError (no reason), Conflict (delivered already)."""
    require_scope(tenant)
    clean = _text(reason, "reason", 300) or ""
    order_id = order.id
    complete_pending(order_id, tenant=tenant, actor=actor)
    order = _locked(order_id)
    if order.status not in ("ordered", "confirmed"):
        raise _wrong_state(order, _l("ordered or confirmed"))
    buyer_id, link = order.buyer_tenant_id, _link_of(order)
    check_link(link, tenant.id, buyer_id)
    _cancel_hub_side(order_id, clean)
    audit.record("network.sales_order.cancel", actor=actor, target=order, summary={"reason": clean})
    ref = begin_step(
        kind="cancel_by_hub",
        order_id=order_id,
        link=link,
        other_tenant_id=buyer_id,
        actor=actor,
        payload={"reason": clean},
    )
    _run_cancel_by_hub(ref, actor=actor)
    return db.session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)).one()


def _run_cancel_by_hub(ref: StepRef, *, actor: Any) -> None:
    """The hub's side is cancelled already (with the intent): the buyer's purchase order follows."""
    other_side(
        ref,
        actor=actor,
        action="network.order.cancelled_by_hub",
        summary={"order": str(ref.order_id), "reason": ref.payload.get("reason", "")},
        work=lambda buyer: _cancel_buyer_side(actor, buyer, ref.order_id),
    )
    finish_step(ref)


# ---- network orders: the buyer's steps ------------------------------------------------------------------


def order_state(purchase: NetworkPurchase) -> NetworkOrder:
    """The register row of the buyer's own order (state, invoice, totals)."""
    reg = _register(purchase.id)
    if reg.buyer_tenant_id != current_tenant_id(db.session):
        raise NotFound(_l("Not found."))
    return reg


def purchase_order_of(purchase: NetworkPurchase) -> PurchaseOrder:
    return db.session.scalars(
        select(PurchaseOrder).where(PurchaseOrder.id == purchase.purchase_order_id)
    ).one()


def cancel_purchase(*, tenant: Tenant, actor: Any, purchase: NetworkPurchase, reason: str) -> NetworkPurchase:
    """The buyer withdraws an order the hub has not confirmed yet. Raises: ValidationError (no
    reason), Conflict (confirmed or later), NotLinked."""
    require_scope(tenant)
    clean = _text(reason, "reason", 300) or ""
    order_id = purchase.id
    complete_pending(order_id, tenant=tenant, actor=actor)
    purchase = db.session.scalars(select(NetworkPurchase).where(NetworkPurchase.id == order_id)).one()
    reg = order_state(purchase)
    if reg.status == "cancelled" and purchase_order_of(purchase).status == "cancelled":
        return purchase  # a retry of a cancellation that went through
    if reg.status != "ordered":
        raise Conflict(
            _l(
                "The hub has already confirmed order %(number)s; ask the hub to cancel it.", number=reg.number
            ),
            code="wrong_status",
        )
    link = _link_of(purchase)
    check_link(link, tenant.id, link.hub_tenant_id)
    ref = begin_step(
        kind="cancel_by_buyer",
        order_id=order_id,
        link=link,
        other_tenant_id=link.hub_tenant_id,
        actor=actor,
        payload={"reason": clean},
    )
    _run_cancel_by_buyer(ref, tenant=tenant, actor=actor)
    return db.session.scalars(select(NetworkPurchase).where(NetworkPurchase.id == order_id)).one()


def _run_cancel_by_buyer(ref: StepRef, *, tenant: Tenant, actor: Any) -> None:
    clean = ref.payload.get("reason", "")
    other_side(
        ref,
        actor=actor,
        action="network.order.cancelled_by_buyer",
        summary={"order": str(ref.order_id), "reason": clean},
        work=lambda hub: _cancel_hub_side(ref.order_id, clean),
    )
    if not claim_step(ref):
        return
    _cancel_buyer_side(actor, tenant, ref.order_id)
    audit.record(
        "network.order.cancel",
        actor=actor,
        target_type="network_purchase",
        target_id=ref.order_id,
        summary={"reason": clean},
    )
    finish_step(ref)


def receive_delivery(
    *,
    tenant: Tenant,
    actor: Any,
    purchase: NetworkPurchase,
    on: date | None = None,
    lot_data: dict[uuid.UUID, Any] | None = None,
) -> Any:
    """The delivered goods into the buyer's stock: its purchase order received in full at the network
    prices (Dr 1401 / Cr 2111). `lot_data` maps purchase order line ids to `retail.lots.LotData`
    (required for items that track expiry). Raises: Conflict (not delivered yet, received already),
    ValidationError (an expiry date missing)."""
    require_scope(tenant)
    order_id = purchase.id
    if complete_pending(order_id, tenant=tenant, actor=actor):
        purchase = db.session.scalars(select(NetworkPurchase).where(NetworkPurchase.id == order_id)).one()
    reg = order_state(purchase)
    if reg.status not in ("delivered", "invoiced", "paid"):
        raise Conflict(
            _l("The hub has not delivered order %(number)s yet.", number=reg.number), code="not_delivered"
        )
    po = purchase_order_of(purchase)
    if po.status not in ("ordered", "partially_received"):
        raise Conflict(_l("Order %(number)s has been received already.", number=reg.number), code="received")
    with acting_as_owner():
        receipt = retail.receive_goods(
            tenant=tenant,
            actor=actor,
            order=po,
            quantities={ln.id: ln.open_qty for ln in po.lines},
            received_on=on,
            lot_data=lot_data,
        )
    audit.record("network.order.receive", actor=actor, target=purchase, summary={"receipt": receipt.number})
    return receipt


def buyer_invoice(purchase: NetworkPurchase) -> SupplierInvoice | None:
    if purchase.invoice_id is None:
        return None
    return db.session.scalars(select(SupplierInvoice).where(SupplierInvoice.id == purchase.invoice_id)).one()


def _record_hub_payment(order_id: uuid.UUID, amount: Decimal, method: str, actor: Any, hub: Tenant) -> None:
    order = _locked(order_id)
    if order.status != "invoiced":
        raise _wrong_state(order, status_label("invoiced"))
    if amount > order.balance:
        raise ValidationError(
            _l(
                "Paying %(amount)s is more than the %(balance)s the hub still expects.",
                amount=retail.costing_rupiah(amount),
                balance=retail.costing_rupiah(order.balance),
            ),
            fields={"amount": [_l("At most %(balance)s.", balance=retail.costing_rupiah(order.balance))]},
            code="overpayment",
        )
    cash = retail.shop_account("kas" if method == "cash" else "bank")
    receivable = receivable_account()
    day = today_for(hub)
    payment = PaymentReceived(order_id=order.id, paid_on=day, amount=amount, method=method)
    db.session.add(payment)
    db.session.flush()
    from coopsaas.ledger import EntrySpec, post_entry

    entry = post_entry(
        tenant=hub,
        actor=actor,
        spec=EntrySpec(
            entry_on=day,
            lines=[
                LineSpec(cash.id, debit=amount),
                LineSpec(receivable.id, credit=amount, memo=order.buyer_name[:300]),
            ],
            memo=f"Pembayaran jaringan {order.invoice_number} dari {order.buyer_name}"[:500],
            series="KM",
            source_type="network_payment_received",
            source_id=payment.id,
        ),
    )
    payment.journal_entry_id = entry.id
    order.paid = order.paid + amount
    reg = _register(order.id)
    reg.paid = order.paid
    if order.paid == order.total:
        order.status = reg.status = "paid"
    db.session.flush()
    audit.record(
        "network.sales_order.payment",
        actor=actor,
        target=order,
        summary={"number": order.number, "amount": str(amount), "method": method},
    )


def pay_invoice(
    *,
    tenant: Tenant,
    actor: Any,
    purchase: NetworkPurchase,
    amount: Any,
    method: str = "cash",
    key: Any = None,
) -> Any:
    """The buyer pays (all or part of) the hub's invoice. The hub's receipt is recorded first, through
    the bridge; then the buyer's supplier invoice (recorded on the first payment) is paid. `key`
    (Idempotency-Key or form submit key): a retry of the same request completes the first payment
    instead of paying twice. Raises: ValidationError (bad amount or method, more than owed),
    Conflict (not invoiced, goods not received yet), NotLinked."""
    require_scope(tenant)
    value = retail.check_price(amount, "amount")
    if method not in PAYMENT_METHODS:
        raise _refuse("method", _l("Pay in cash or by transfer."))
    order_id = purchase.id
    rkey = request_key(actor, key)
    earlier = step_by_key(rkey)
    if earlier is not None:
        if (earlier.kind, earlier.order_id, earlier.payload) != (
            "pay",
            order_id,
            {"amount": str(value), "method": method},
        ):
            raise _key_reused()
        earlier_id = earlier.operation_id
        complete_pending(order_id, tenant=tenant, actor=actor)
        return _payment_of(earlier_id)
    complete_pending(order_id, tenant=tenant, actor=actor)
    purchase = db.session.scalars(select(NetworkPurchase).where(NetworkPurchase.id == order_id)).one()
    reg = order_state(purchase)
    if reg.status != "invoiced":
        if reg.status == "paid":
            raise Conflict(_l("Order %(number)s is paid in full.", number=reg.number), code="already_paid")
        raise Conflict(
            _l("The hub has not invoiced order %(number)s yet.", number=reg.number), code="not_invoiced"
        )
    po = purchase_order_of(purchase)
    if po.status != "received":
        raise Conflict(
            _l("Receive the goods of order %(number)s before paying for them.", number=reg.number),
            code="not_received",
        )
    owed = reg.total - reg.paid
    if value > owed:
        raise ValidationError(
            _l(
                "Paying %(amount)s is more than the %(balance)s still owed.",
                amount=retail.costing_rupiah(value),
                balance=retail.costing_rupiah(owed),
            ),
            fields={"amount": [_l("At most %(balance)s.", balance=retail.costing_rupiah(owed))]},
            code="overpayment",
        )
    retail.shop_account("kas" if method == "cash" else "bank")
    retail.shop_account("utang_usaha")
    link = _link_of(purchase)
    check_link(link, tenant.id, link.hub_tenant_id)
    ref = begin_step(
        kind="pay",
        order_id=order_id,
        link=link,
        other_tenant_id=link.hub_tenant_id,
        actor=actor,
        payload={"amount": str(value), "method": method},
        key=rkey,
    )
    return _run_pay(ref, tenant=tenant, actor=actor)


def _payment_of(operation_id: uuid.UUID) -> Any:
    """The buyer's supplier payment a pay step wrote (None while the step is not done)."""
    from coopsaas.retail.models import SupplierPayment

    step = db.session.scalars(
        select(NetworkStep).where(NetworkStep.operation_id == operation_id, NetworkStep.role == "origin")
    ).one()
    payment_id = (step.result or {}).get("payment")
    if not payment_id:
        return None
    return db.session.scalars(
        select(SupplierPayment).where(SupplierPayment.id == uuid.UUID(payment_id))
    ).one_or_none()


def _run_pay(ref: StepRef, *, tenant: Tenant, actor: Any) -> Any:
    """The hub's receipt (once per operation), then the buyer's supplier invoice and payment."""
    value, method = Decimal(ref.payload["amount"]), ref.payload["method"]
    other_side(
        ref,
        actor=actor,
        action="network.order.payment",
        summary={"order": str(ref.order_id), "amount": str(value), "method": method},
        work=lambda hub: _record_hub_payment(ref.order_id, value, method, actor, hub),
    )
    if not claim_step(ref):
        return _payment_of(ref.operation_id)
    payment = _buyer_side_of_payment(
        tenant=tenant, actor=actor, order_id=ref.order_id, value=value, method=method
    )
    finish_step(ref, {"payment": str(payment.id)})
    return payment


def _buyer_side_of_payment(
    *, tenant: Tenant, actor: Any, order_id: uuid.UUID, value: Decimal, method: str
) -> Any:
    """The buyer's books: the hub's invoice as a supplier invoice (on the first payment), paid."""
    purchase = db.session.scalars(select(NetworkPurchase).where(NetworkPurchase.id == order_id)).one()
    link = _link_of(purchase)
    reg = _register(order_id)
    invoice = buyer_invoice(purchase)
    if invoice is None:
        number, invoice_number, total, invoice_on, due_on = (
            reg.number,
            reg.invoice_number,
            reg.total,
            reg.invoice_on,
            reg.due_on,
        )
        supplier = hub_supplier(tenant=tenant, actor=actor, hub_tenant_id=link.hub_tenant_id)
        with acting_as_owner():
            invoice = retail.record_supplier_invoice(
                tenant=tenant,
                actor=actor,
                supplier=supplier,
                number=invoice_number or number,
                amount=total,
                invoice_on=invoice_on,
                due_on=due_on,
                order=purchase_order_of(purchase),
            )
        purchase.invoice_id = invoice.id
    with acting_as_owner():
        payment = retail.pay_supplier_invoice(
            tenant=tenant, actor=actor, invoice=invoice, amount=value, method=method
        )
    audit.record(
        "network.order.pay", actor=actor, target=purchase, summary={"amount": str(value), "method": method}
    )
    return payment


# ---- steps left half done ---------------------------------------------------------------------------


def _actor_of(step: NetworkStep, fallback: Any) -> Any:
    from coopsaas.auth.models import User

    if step.actor_id is not None:
        user = db.session.scalars(select(User).where(User.id == step.actor_id)).one_or_none()
        if user is not None:
            return user
    return fallback


def _complete(step: NetworkStep, *, tenant: Tenant, actor: Any) -> None:
    ref = StepRef.of(step)
    who = _actor_of(step, actor)
    if ref.kind == "place":
        _run_place(ref, tenant=tenant, actor=who)
    elif ref.kind == "pay":
        _run_pay(ref, tenant=tenant, actor=who)
    elif ref.kind == "cancel_by_buyer":
        _run_cancel_by_buyer(ref, tenant=tenant, actor=who)
    elif ref.kind == "cancel_by_hub":
        _run_cancel_by_hub(ref, actor=who)
    else:
        _run_withdraw(ref, actor=who)


def complete_pending(order: Any, *, tenant: Tenant | None = None, actor: Any = None) -> int:
    """Finish the tenant in scope's half-done steps of one network order (a `NetworkPurchase`, a
    `SalesOrder` or its id): the other side is written if it is missing (and skipped if it was
    done), then this side. Each finished step is committed at once. Returns how many were finished.
    A refusal or failure is raised (the step stays pending, or ends refused; see the bridge)."""
    order_id = order if isinstance(order, uuid.UUID) else order.id
    home = (
        tenant or db.session.scalars(select(Tenant).where(Tenant.id == current_tenant_id(db.session))).one()
    )
    done = 0
    for step in pending_steps(order_id):
        _complete(step, tenant=home, actor=actor)
        db.session.commit()
        done += 1
    return done


@dataclass(frozen=True)
class Reconciled:
    completed: int
    failed: int

    def summary(self) -> str:
        return f"{self.completed} half-done network steps completed, {self.failed} still pending"


def complete_all_pending(*, tenant: Tenant, actor: Any = None) -> Reconciled:
    """Every half-done step of the tenant in scope, oldest first (the nightly `network_reconcile`).
    A step that fails again stays pending (and in `ledger verify`) and the others go on."""
    require_scope(tenant)
    tenant_id = tenant.id
    completed = failed = 0
    for step_id in [s.operation_id for s in pending_steps()]:
        step = db.session.scalars(
            select(NetworkStep).where(NetworkStep.operation_id == step_id, NetworkStep.role == "origin")
        ).one()
        if step.status != "pending":
            continue
        home = db.session.scalars(select(Tenant).where(Tenant.id == tenant_id)).one()
        try:
            _complete(step, tenant=home, actor=actor)
            db.session.commit()
            completed += 1
        except Exception:
            db.session.rollback()
            set_tenant(db.session, tenant_id)
            failed += 1
    return Reconciled(completed, failed)


def step_findings(tenant: Tenant) -> list[Any]:
    """Ledger verify hook: the tenant's own network steps whose other side (or own part) is not
    written yet. Reads only the tenant's own `network_step` rows."""
    from coopsaas.ledger import Finding

    out = []
    for step in pending_steps():
        out.append(
            Finding(
                "network.half_done_step",
                str(
                    _l(
                        "Half-done network step: %(kind)s of network order %(order)s since %(since)s; "
                        "the other cooperative's books may not show it yet.",
                        kind=step.kind,
                        order=str(step.order_id),
                        since=step.created_at.strftime("%Y-%m-%d %H:%M"),
                    )
                ),
                details={
                    "operation_id": str(step.operation_id),
                    "order_id": str(step.order_id),
                    "kind": step.kind,
                    "other_tenant_id": str(step.other_tenant_id),
                },
            )
        )
    return out


# ---- lists --------------------------------------------------------------------------------------------


def purchases() -> Any:
    return select(NetworkPurchase).order_by(NetworkPurchase.created_at.desc())


def sales_orders(status: str | None = None) -> Any:
    stmt = select(SalesOrder).order_by(SalesOrder.ordered_on.desc(), SalesOrder.number.desc())
    if status:
        stmt = stmt.where(SalesOrder.status == status)
    return stmt


def registers_of(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, NetworkOrder]:
    """Register rows of the tenant in scope's own orders (as buyer or hub), by id."""
    tid = current_tenant_id(db.session)
    rows = db.session.scalars(
        select(NetworkOrder).where(
            NetworkOrder.id.in_(list(ids)),
            or_(NetworkOrder.buyer_tenant_id == tid, NetworkOrder.hub_tenant_id == tid),
        )
    )
    return {r.id: r for r in rows}


def network_receivables() -> Decimal:
    """Open network receivables of the tenant in scope (delivered, not yet paid): part of 1301."""
    total = ZERO
    for order in db.session.scalars(
        select(SalesOrder).where(SalesOrder.status.in_(("delivered", "invoiced")))
    ):
        total += order.total - order.paid
    return total


STATUS_LABELS = {
    "ordered": _l("ordered"),
    "confirmed": _l("confirmed"),
    "delivered": _l("delivered"),
    "invoiced": _l("invoiced"),
    "paid": _l("paid"),
    "cancelled": _l("cancelled"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def network_order_check(order_id: uuid.UUID) -> Any:
    """For the shop's own purchase steps: the message when `order_id` is a network order."""
    found = db.session.scalars(
        select(NetworkPurchase.id).where(NetworkPurchase.purchase_order_id == order_id)
    ).first()
    if found is None:
        return None
    return _l(
        "This is a supply network order: receive, bill and pay it on the Supply network pages, "
        "so the hub's books follow."
    )
