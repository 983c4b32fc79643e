"""The shop: items, suppliers, purchases, stock movements, sales, returns and stock takes.

Invariants:
- `Item.on_hand`, `Item.stock_value` and `Item.avg_cost` change only together with a new
  `StockMovement` (append-only), so the movements replay to the item's figures;
- the sum of `Item.stock_value` equals the inventory control account (1401): every movement's
  value is exactly the amount posted for it (see costing.py for the rounding rule);
- a movement and its journal entry are written in the same transaction and point at each other
  (`StockMovement.journal_entry_id`, the entry's `source_type`/`source_id`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.types import Money
from coopsaas.extensions import db

PO_STATUSES = ("draft", "ordered", "partially_received", "received", "cancelled")
INVOICE_STATUSES = ("open", "partially_paid", "paid")
MOVEMENT_KINDS = ("receipt", "sale", "return", "adjustment")
SALE_STATUSES = ("completed", "voided")
PAYMENT_METHODS = ("cash", "transfer")


class Fixed(TypeDecorator[Decimal]):
    """An exact decimal with `scale` places: NUMERIC on PostgreSQL, a scaled integer on SQLite
    (whose NUMERIC is a float). Quantities have 3 places, unit costs 4."""

    impl = Numeric(18, 3)
    cache_ok = True

    def __init__(self, scale: int = 3, precision: int = 18) -> None:
        super().__init__()
        self.impl = Numeric(precision, scale)
        self.precision = precision
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, self.scale))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise TypeError("quantities and unit costs must be Decimal")
        d = Decimal(value)
        if d != d.quantize(self.quantum):
            raise ValueError(f"more than {self.scale} decimal places: {value}")
        return int(d.scaleb(self.scale)) if dialect.name == "sqlite" else d.quantize(self.quantum)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.quantum)
        return Decimal(value).quantize(self.quantum)


def _fk(column: str, target: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], ondelete="RESTRICT"
    )


def _join(parent: str, child: str, column: str) -> str:
    return f"and_({parent}.tenant_id == {child}.tenant_id, {parent}.id == foreign({child}.{column}))"


class Item(TenantScoped, db.Model):
    __tablename__ = "retail_item"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sku"),
        UniqueConstraint("tenant_id", "barcode"),
        Index("ix_retail_item_tenant_id_name", "tenant_id", "name"),
    )

    sku: Mapped[str] = mapped_column(String(40))
    barcode: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    # {"dus": "24"}: how many base units one pack holds.
    pack_conversions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    category: Mapped[str | None] = mapped_column(String(80))
    member_price: Mapped[Decimal] = mapped_column(Money)
    public_price: Mapped[Decimal] = mapped_column(Money)
    reorder_point: Mapped[Decimal] = mapped_column(Fixed(3), default=Decimal("0.000"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Received in lots with an expiry date (retail/lots.py); the costing stays moving-average.
    tracks_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    on_hand: Mapped[Decimal] = mapped_column(Fixed(3), default=Decimal("0.000"))
    stock_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    avg_cost: Mapped[Decimal] = mapped_column(Fixed(4), default=Decimal("0.0000"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<Item {self.sku} {self.name}>"


class Supplier(TenantScoped, db.Model):
    __tablename__ = "retail_supplier"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PurchaseOrder(TenantScoped, db.Model):
    __tablename__ = "retail_purchase_order"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        _fk("supplier_id", "retail_supplier"),
        CheckConstraint(
            "status IN ('draft', 'ordered', 'partially_received', 'received', 'cancelled')",
            name="status_known",
        ),
    )

    number: Mapped[str] = mapped_column(String(32))
    supplier_id: Mapped[uuid.UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="draft")
    ordered_on: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    supplier: Mapped[Supplier] = relationship(
        primaryjoin=_join("Supplier", "PurchaseOrder", "supplier_id"), viewonly=True
    )
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        primaryjoin=_join("PurchaseOrder", "PurchaseOrderLine", "order_id"),
        order_by="PurchaseOrderLine.line_no",
        cascade="save-update, merge",
        back_populates="order",
    )

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0.00"))


class PurchaseOrderLine(TenantScoped, db.Model):
    __tablename__ = "retail_purchase_order_line"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id", "line_no"),
        _fk("order_id", "retail_purchase_order"),
        _fk("item_id", "retail_item"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column()
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column()
    qty: Mapped[Decimal] = mapped_column(Fixed(3))
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    received_qty: Mapped[Decimal] = mapped_column(Fixed(3), default=Decimal("0.000"))

    order: Mapped[PurchaseOrder] = relationship(
        primaryjoin=_join("PurchaseOrder", "PurchaseOrderLine", "order_id"), back_populates="lines"
    )
    item: Mapped[Item] = relationship(
        primaryjoin=_join("Item", "PurchaseOrderLine", "item_id"), viewonly=True
    )

    @property
    def amount(self) -> Decimal:
        from coopsaas.retail.costing import sen

        return sen(self.qty * self.unit_cost)

    @property
    def open_qty(self) -> Decimal:
        return max(self.qty - self.received_qty, Decimal("0.000"))


class GoodsReceipt(TenantScoped, db.Model):
    __tablename__ = "retail_goods_receipt"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        _fk("order_id", "retail_purchase_order"),
        _fk("supplier_id", "retail_supplier"),
    )

    number: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[uuid.UUID] = mapped_column()
    supplier_id: Mapped[uuid.UUID] = mapped_column()
    received_on: Mapped[date] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Money)
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[GoodsReceiptLine]] = relationship(
        primaryjoin=_join("GoodsReceipt", "GoodsReceiptLine", "receipt_id"),
        order_by="GoodsReceiptLine.line_no",
        cascade="save-update, merge",
        back_populates="receipt",
    )


class GoodsReceiptLine(TenantScoped, db.Model):
    __tablename__ = "retail_goods_receipt_line"
    __table_args__ = (
        UniqueConstraint("tenant_id", "receipt_id", "line_no"),
        _fk("receipt_id", "retail_goods_receipt"),
        _fk("order_line_id", "retail_purchase_order_line"),
        _fk("item_id", "retail_item"),
    )

    receipt_id: Mapped[uuid.UUID] = mapped_column()
    line_no: Mapped[int] = mapped_column(Integer)
    order_line_id: Mapped[uuid.UUID] = mapped_column()
    item_id: Mapped[uuid.UUID] = mapped_column()
    qty: Mapped[Decimal] = mapped_column(Fixed(3))
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    value: Mapped[Decimal] = mapped_column(Money)

    receipt: Mapped[GoodsReceipt] = relationship(
        primaryjoin=_join("GoodsReceipt", "GoodsReceiptLine", "receipt_id"), back_populates="lines"
    )
    item: Mapped[Item] = relationship(primaryjoin=_join("Item", "GoodsReceiptLine", "item_id"), viewonly=True)


class SupplierInvoice(TenantScoped, db.Model):
    __tablename__ = "retail_supplier_invoice"
    __table_args__ = (
        UniqueConstraint("tenant_id", "supplier_id", "number"),
        _fk("supplier_id", "retail_supplier"),
        _fk("order_id", "retail_purchase_order"),
        CheckConstraint("amount > 0 AND paid >= 0 AND paid <= amount", name="paid_within_amount"),
    )

    supplier_id: Mapped[uuid.UUID] = mapped_column()
    order_id: Mapped[uuid.UUID | None] = mapped_column()
    number: Mapped[str] = mapped_column(String(60))
    invoice_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    supplier: Mapped[Supplier] = relationship(
        primaryjoin=_join("Supplier", "SupplierInvoice", "supplier_id"), viewonly=True
    )

    @property
    def balance(self) -> Decimal:
        return self.amount - self.paid


class SupplierPayment(TenantScoped, db.Model):
    __tablename__ = "retail_supplier_payment"
    __table_args__ = (_fk("invoice_id", "retail_supplier_invoice"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column()
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[str] = mapped_column(String(12))
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StockMovement(TenantScoped, db.Model):
    """One change of an item's stock. Append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "retail_stock_movement"
    __table_args__ = (
        _fk("item_id", "retail_item"),
        CheckConstraint("kind IN ('receipt', 'sale', 'return', 'adjustment')", name="kind_known"),
        Index("ix_retail_stock_movement_tenant_id_item_id", "tenant_id", "item_id", "created_at"),
        # The period reports (retail/reports.py) read movements by date; covering on PostgreSQL.
        Index(
            "ix_retail_stock_movement_tenant_id_moved_on",
            "tenant_id",
            "moved_on",
            postgresql_include=["item_id", "kind", "qty", "value"],
        ),
    )

    item_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(12))
    moved_on: Mapped[date] = mapped_column(Date)
    qty: Mapped[Decimal] = mapped_column(Fixed(3))
    unit_cost: Mapped[Decimal] = mapped_column(Fixed(4))
    value: Mapped[Decimal] = mapped_column(Money)
    on_hand_after: Mapped[Decimal] = mapped_column(Fixed(3))
    value_after: Mapped[Decimal] = mapped_column(Money)
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[uuid.UUID] = mapped_column()
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Sale(TenantScoped, db.Model):
    __tablename__ = "retail_sale"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        # A double click or a retry carries the same key: one sale.
        UniqueConstraint("tenant_id", "submit_key"),
        CheckConstraint("status IN ('completed', 'voided')", name="status_known"),
        Index("ix_retail_sale_tenant_id_sold_on", "tenant_id", "sold_on"),
    )

    number: Mapped[str] = mapped_column(String(32))
    submit_key: Mapped[str] = mapped_column(String(64))
    sold_on: Mapped[date] = mapped_column(Date)
    # Members arrive with the members feature; until then the id is kept without a foreign key.
    member_id: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default="completed")
    # "cash", or "credit": a member's purchase on shop credit (coopsaas/retail/credit.py).
    tender: Mapped[str] = mapped_column(String(8), default="cash", server_default="cash")
    total: Mapped[Decimal] = mapped_column(Money)
    cost_total: Mapped[Decimal] = mapped_column(Money)
    cash_tendered: Mapped[Decimal] = mapped_column(Money)
    change: Mapped[Decimal] = mapped_column(Money)
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    void_reason: Mapped[str | None] = mapped_column(String(300))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[SaleLine]] = relationship(
        primaryjoin=_join("Sale", "SaleLine", "sale_id"),
        order_by="SaleLine.line_no",
        cascade="save-update, merge",
        back_populates="sale",
    )

    @property
    def is_member_sale(self) -> bool:
        return self.member_id is not None


class SaleLine(TenantScoped, db.Model):
    __tablename__ = "retail_sale_line"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sale_id", "line_no"),
        _fk("sale_id", "retail_sale"),
        _fk("item_id", "retail_item"),
        CheckConstraint("qty > 0 AND returned_qty >= 0 AND returned_qty <= qty", name="returns_within_qty"),
    )

    sale_id: Mapped[uuid.UUID] = mapped_column()
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column()
    qty: Mapped[Decimal] = mapped_column(Fixed(3))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    cost_value: Mapped[Decimal] = mapped_column(Money)
    returned_qty: Mapped[Decimal] = mapped_column(Fixed(3), default=Decimal("0.000"))
    returned_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    returned_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))

    sale: Mapped[Sale] = relationship(
        primaryjoin=_join("Sale", "SaleLine", "sale_id"), back_populates="lines"
    )
    item: Mapped[Item] = relationship(primaryjoin=_join("Item", "SaleLine", "item_id"), viewonly=True)


class SaleReturn(TenantScoped, db.Model):
    __tablename__ = "retail_sale_return"
    __table_args__ = (UniqueConstraint("tenant_id", "number"), _fk("sale_id", "retail_sale"))

    number: Mapped[str] = mapped_column(String(32))
    sale_id: Mapped[uuid.UUID] = mapped_column()
    returned_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))
    total: Mapped[Decimal] = mapped_column(Money)
    cost_total: Mapped[Decimal] = mapped_column(Money)
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StockTake(TenantScoped, db.Model):
    __tablename__ = "retail_stock_take"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    number: Mapped[str] = mapped_column(String(32))
    counted_on: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(500), default="")
    variance_value: Mapped[Decimal] = mapped_column(Money)
    journal_entry_id: Mapped[uuid.UUID | None] = mapped_column()
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[StockTakeLine]] = relationship(
        primaryjoin=_join("StockTake", "StockTakeLine", "stock_take_id"),
        order_by="StockTakeLine.line_no",
        cascade="save-update, merge",
        back_populates="stock_take",
    )


class StockTakeLine(TenantScoped, db.Model):
    __tablename__ = "retail_stock_take_line"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stock_take_id", "line_no"),
        _fk("stock_take_id", "retail_stock_take"),
        _fk("item_id", "retail_item"),
    )

    stock_take_id: Mapped[uuid.UUID] = mapped_column()
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column()
    book_qty: Mapped[Decimal] = mapped_column(Fixed(3))
    counted_qty: Mapped[Decimal] = mapped_column(Fixed(3))
    variance_qty: Mapped[Decimal] = mapped_column(Fixed(3))
    variance_value: Mapped[Decimal] = mapped_column(Money)

    stock_take: Mapped[StockTake] = relationship(
        primaryjoin=_join("StockTake", "StockTakeLine", "stock_take_id"), back_populates="lines"
    )
    item: Mapped[Item] = relationship(primaryjoin=_join("Item", "StockTakeLine", "item_id"), viewonly=True)


# Lots live with their rules; imported here so the metadata (and migrations) always see the table.
import coopsaas.retail.lots  # noqa: E402, F401
