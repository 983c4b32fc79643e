"""The cooperatives' supply network: an agency's directory and hubs, a hub's catalogue and orders.

Two kinds of table:

- **Agency-level** (global, Citus reference tables, no RLS): `network_partner` (the directory of
  suppliers and distributors), `network_hub`, `network_link` (which cooperative buys from which
  hub) and `network_order` (the register of network orders: who ordered from whom, state and
  totals, no lines). The agency reads these; a cooperative reads only the rows where it is a party,
  always through `coopsaas.network.services`.
- **Tenant-owned**: the hub's side (`network_catalogue_item`, `network_sales_order` and its lines,
  `network_payment_received`) lives in the hub's tenant; the buyer's side (`network_purchase`,
  tying a network order to the buyer's own purchase order, and `network_supplier_ref`, tying a
  supplier row to the directory or to a hub) lives in the buyer's tenant.

A network order has one id, used for its register row, the hub's sales order and the buyer's
purchase record (each in its own tenant, so the composite keys never collide).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.ids import uuid7
from coopsaas.core.types import Money
from coopsaas.extensions import db
from coopsaas.retail.models import Fixed, Item

PARTNER_KINDS = ("supplier", "distributor")
ORDER_STATUSES = ("ordered", "confirmed", "delivered", "invoiced", "paid", "cancelled")
PAYMENT_METHODS = ("cash", "transfer")
STEP_KINDS = ("place", "pay", "cancel_by_buyer", "cancel_by_hub", "withdraw")
STEP_STATUSES = ("pending", "done", "refused")


def _fk(column: str, target: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], ondelete="RESTRICT"
    )


def _join(parent: str, child: str, column: str) -> str:
    return f"and_({parent}.tenant_id == {child}.tenant_id, {parent}.id == foreign({child}.{column}))"


# ---- agency level ---------------------------------------------------------------------------------


class NetworkPartner(db.Model):
    """A supplier or distributor in the agency's network directory."""

    __tablename__ = "network_partner"
    __table_args__ = (
        UniqueConstraint("agency_id", "name"),
        CheckConstraint("kind IN ('supplier', 'distributor')", name="kind_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    region: Mapped[str | None] = mapped_column(String(120))
    contact: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500))
    # Comma-separated, as staff type them: "sembako, alat tulis".
    categories: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def category_list(self) -> list[str]:
        return [c.strip() for c in (self.categories or "").split(",") if c.strip()]


class NetworkHub(db.Model):
    """A cooperative the agency designated as a distribution hub."""

    __tablename__ = "network_hub"
    __table_args__ = (UniqueConstraint("agency_id", "hub_tenant_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    hub_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NetworkLink(db.Model):
    """A cooperative that buys from a hub: the only door between the two tenants."""

    __tablename__ = "network_link"
    __table_args__ = (
        UniqueConstraint("hub_id", "member_tenant_id"),
        CheckConstraint("hub_tenant_id <> member_tenant_id", name="not_itself"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    hub_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_hub.id", ondelete="RESTRICT"))
    hub_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    member_tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenant.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NetworkOrder(db.Model):
    """The agency-level register of one network order: parties, state and totals (no lines, no
    prices per item). Written together with the hub's side; read by the agency for volumes and by
    each party for the state of its own orders."""

    __tablename__ = "network_order"
    __table_args__ = (
        CheckConstraint(
            "status IN ('ordered', 'confirmed', 'delivered', 'invoiced', 'paid', 'cancelled')",
            name="status_known",
        ),
        Index("ix_network_order_agency_id_ordered_on", "agency_id", "ordered_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_link.id", ondelete="RESTRICT"), index=True)
    hub_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    buyer_tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenant.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="ordered")
    ordered_on: Mapped[date] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    invoice_number: Mapped[str | None] = mapped_column(String(32))
    invoice_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Money)
    delivered_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    @property
    def outstanding(self) -> Decimal:
        return self.delivered_value - self.paid


# ---- the hub's tenant -----------------------------------------------------------------------------


class CatalogueItem(TenantScoped, db.Model):
    """One of the hub's items offered to the network, at a network price and a minimum order."""

    __tablename__ = "network_catalogue_item"
    __table_args__ = (
        UniqueConstraint("tenant_id", "item_id"),
        _fk("item_id", "retail_item"),
        CheckConstraint("network_price > 0 AND min_qty > 0", name="price_and_min_positive"),
    )

    item_id: Mapped[uuid.UUID] = mapped_column()
    network_price: Mapped[Decimal] = mapped_column(Money)
    min_qty: Mapped[Decimal] = mapped_column(Fixed(3))
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    item: Mapped[Item] = relationship(primaryjoin=_join("Item", "CatalogueItem", "item_id"), viewonly=True)


class SalesOrder(TenantScoped, db.Model):
    """The hub's side of a network order (its id is the network order's id)."""

    __tablename__ = "network_sales_order"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint(
            "status IN ('ordered', 'confirmed', 'delivered', 'invoiced', 'paid', 'cancelled')",
            name="status_known",
        ),
    )

    number: Mapped[str] = mapped_column(String(32))
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_link.id", ondelete="RESTRICT"))
    buyer_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    buyer_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="ordered")
    ordered_on: Mapped[date] = mapped_column(Date)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    invoice_number: Mapped[str | None] = mapped_column(String(32))
    invoice_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Money)
    cost_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    memo: Mapped[str] = mapped_column(String(500), default="")
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    delivery_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[SalesOrderLine]] = relationship(
        primaryjoin=_join("SalesOrder", "SalesOrderLine", "order_id"),
        order_by="SalesOrderLine.line_no",
        cascade="save-update, merge",
        back_populates="order",
    )

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid


class SalesOrderLine(TenantScoped, db.Model):
    __tablename__ = "network_sales_order_line"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id", "line_no"),
        _fk("order_id", "network_sales_order"),
        _fk("catalogue_item_id", "network_catalogue_item"),
        _fk("item_id", "retail_item"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column()
    line_no: Mapped[int] = mapped_column(Integer)
    catalogue_item_id: Mapped[uuid.UUID] = mapped_column()
    item_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    qty: Mapped[Decimal] = mapped_column(Fixed(3))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    cost_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))

    order: Mapped[SalesOrder] = relationship(
        primaryjoin=_join("SalesOrder", "SalesOrderLine", "order_id"), back_populates="lines"
    )


class PaymentReceived(TenantScoped, db.Model):
    """Money the hub received for a network order: Dr kas/bank, Cr 1301 piutang usaha."""

    __tablename__ = "network_payment_received"
    __table_args__ = (
        _fk("order_id", "network_sales_order"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column()
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[str] = mapped_column(String(12))
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ---- the buyer's tenant ---------------------------------------------------------------------------


class NetworkPurchase(TenantScoped, db.Model):
    """The buyer's side of a network order: its own purchase order (and, once invoiced, the
    supplier invoice) for the network order with the same id."""

    __tablename__ = "network_purchase"
    __table_args__ = (
        UniqueConstraint("tenant_id", "purchase_order_id"),
        _fk("purchase_order_id", "retail_purchase_order"),
        _fk("invoice_id", "retail_supplier_invoice"),
    )

    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_link.id", ondelete="RESTRICT"))
    hub_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    purchase_order_id: Mapped[uuid.UUID] = mapped_column()
    invoice_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SupplierRef(TenantScoped, db.Model):
    """Where one of the cooperative's suppliers came from: a directory entry or a hub."""

    __tablename__ = "network_supplier_ref"
    __table_args__ = (
        UniqueConstraint("tenant_id", "supplier_id"),
        UniqueConstraint("tenant_id", "partner_id"),
        UniqueConstraint("tenant_id", "hub_tenant_id"),
        _fk("supplier_id", "retail_supplier"),
    )

    supplier_id: Mapped[uuid.UUID] = mapped_column()
    partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("network_partner.id", ondelete="RESTRICT")
    )
    hub_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ---- both tenants: the steps that cross -----------------------------------------------------------


class NetworkStep(TenantScoped, db.Model):
    """One tenant's record of one crossing step (see `coopsaas.network.bridge`).

    The side that starts a step (`role` 'origin') writes its row first, in its own transaction,
    with the operation id and the payload needed to redo the other side; it stays `pending` until
    the origin's own part is written (`done`) or the other side refused it (`refused`). The other
    side (`role` 'target') writes its row, `done`, in the same transaction as its part: finding it
    there means that part is done and is not done again. Each row is its own tenant's; no row
    names anything of the other tenant but its id.
    """

    __tablename__ = "network_step"
    __table_args__ = (
        UniqueConstraint("tenant_id", "operation_id"),
        UniqueConstraint("tenant_id", "request_key"),
        CheckConstraint(
            "kind IN ('place', 'pay', 'cancel_by_buyer', 'cancel_by_hub', 'withdraw')", name="kind_known"
        ),
        CheckConstraint("role IN ('origin', 'target')", name="role_known"),
        CheckConstraint("status IN ('pending', 'done', 'refused')", name="status_known"),
        Index("ix_network_step_tenant_id_status", "tenant_id", "status"),
        Index("ix_network_step_tenant_id_order_id", "tenant_id", "order_id"),
    )

    operation_id: Mapped[uuid.UUID] = mapped_column()
    # The request that started it (actor and Idempotency-Key or form submit key): a retry finds it.
    request_key: Mapped[str | None] = mapped_column(String(200))
    order_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_link.id", ondelete="RESTRICT"))
    other_tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
