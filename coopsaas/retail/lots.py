"""Lots (batches) with an expiry date, and the expiry list.

A received line may carry a lot number and an expiry date; the quantity received then forms a
`StockLot`. Lots say *which* units are on the shelf, never what they cost: the costing stays
moving-average (costing.py) and no lot figure is ever posted.

How quantities leave and come back (so the expiry list follows the shelf):

- every issue (sale, stock-take shortage) takes units from the item's open lots
  **first-expiry-first-out**; units beyond what the lots hold are the item's untracked stock
  (received without a lot), which has no known expiry and is therefore taken last;
- goods coming back (a return or a voided sale) refill the lots they most likely left, i.e. the
  consumed lots latest expiry first, which exactly undoes the most recent first-expiry-first-out issue;
- a stock-take surplus is untracked stock (nobody knows its expiry).

So the lots' remaining quantities never exceed what is on hand, and the expiry list values each
lot's remaining quantity at the item's current average cost.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKeyConstraint, Index, String, and_, select
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.core.i18n import _l
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.retail.costing import sen
from coopsaas.retail.models import Fixed, Item

ZERO_QTY = Decimal("0.000")
DEFAULT_DAYS = 30
MAX_DAYS = 3660


class StockLot(TenantScoped, db.Model):
    """Units of one item received together with one expiry date, and how many are still on hand."""

    __tablename__ = "retail_stock_lot"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "item_id"], ["retail_item.tenant_id", "retail_item.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "receipt_line_id"],
            ["retail_goods_receipt_line.tenant_id", "retail_goods_receipt_line.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("qty_received > 0", name="qty_received_positive"),
        CheckConstraint("qty_left >= 0 AND qty_left <= qty_received", name="qty_left_within_received"),
        Index("ix_retail_stock_lot_tenant_id_item_id_expires_on", "tenant_id", "item_id", "expires_on"),
        Index("ix_retail_stock_lot_tenant_id_expires_on", "tenant_id", "expires_on"),
    )

    item_id: Mapped[uuid.UUID] = mapped_column()
    receipt_line_id: Mapped[uuid.UUID | None] = mapped_column()
    lot_no: Mapped[str | None] = mapped_column(String(40))
    expires_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date] = mapped_column(Date)
    qty_received: Mapped[Decimal] = mapped_column(Fixed(3))
    qty_left: Mapped[Decimal] = mapped_column(Fixed(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class LotData:
    """What a shopkeeper writes on a received line: the lot number (optional) and the expiry date."""

    expires_on: date | None = None
    lot_no: str | None = None


def check_lot(data: LotData | None, item: Item, field_name: str) -> LotData | None:
    """A lot as given on a received line, checked; None when the line carries no lot.
    An item that tracks expiry needs the date; a lot number alone is refused (it says nothing
    about expiry). Raises ValidationError."""
    lot_no = ((data.lot_no if data else None) or "").strip() or None
    expires_on = data.expires_on if data else None
    if lot_no is not None and len(lot_no) > 40:
        message = _l("At most %(n)s characters.", n=40)
        raise ValidationError(message, fields={f"{field_name}.lot_no": [message]})
    if expires_on is None:
        if lot_no is not None or item.tracks_expiry:
            message = _l("Enter the expiry date of %(name)s.", name=item.name)
            raise ValidationError(
                message, fields={f"{field_name}.expires_on": [message]}, code="expiry_missing"
            )
        return None
    return LotData(expires_on=expires_on, lot_no=lot_no)


def add_lot(
    *, item: Item, qty: Decimal, lot: LotData, received_on: date, receipt_line_id: uuid.UUID | None
) -> StockLot:
    """Record received units as a lot (the caller moved the stock). Flushes nothing."""
    assert lot.expires_on is not None
    row = StockLot(
        item_id=item.id,
        receipt_line_id=receipt_line_id,
        lot_no=lot.lot_no,
        expires_on=lot.expires_on,
        received_on=received_on,
        qty_received=qty,
        qty_left=qty,
    )
    db.session.add(row)
    return row


def _open_lots(item_ids: Sequence[uuid.UUID], *, refill: bool) -> dict[uuid.UUID, list[StockLot]]:
    """The item's lots that can give units (first expiry first) or take units back (latest first)."""
    if not item_ids:
        return {}
    cond = StockLot.qty_left < StockLot.qty_received if refill else StockLot.qty_left > 0
    order = (StockLot.expires_on.desc(), StockLot.id.desc()) if refill else (StockLot.expires_on, StockLot.id)
    rows = db.session.scalars(
        select(StockLot).where(StockLot.item_id.in_(sorted(set(item_ids))), cond).order_by(*order)
    )
    out: dict[uuid.UUID, list[StockLot]] = {}
    for lot in rows:
        out.setdefault(lot.item_id, []).append(lot)
    return out


def take_from_lots(lots: Iterable[StockLot], qty: Decimal) -> Decimal:
    """Take `qty` units from `lots` in the order given; returns what the lots could not cover."""
    left = qty
    for lot in lots:
        if left <= 0:
            break
        taken = min(lot.qty_left, left)
        lot.qty_left = lot.qty_left - taken
        left -= taken
    return left


def refill_lots(lots: Iterable[StockLot], qty: Decimal) -> Decimal:
    """Put `qty` units back into `lots` (each up to what it received), in the order given."""
    left = qty
    for lot in lots:
        if left <= 0:
            break
        room = lot.qty_received - lot.qty_left
        put = min(room, left)
        lot.qty_left = lot.qty_left + put
        left -= put
    return left


def follow_movements(rows: Sequence[dict[str, Any]]) -> None:
    """Keep the lots in step with stock movements about to be written (services._Pending): issues
    take from lots first-expiry-first-out, returns refill them. Receipts are left to the receiving
    service (it knows the lot); a stock-take surplus is untracked."""
    issues: dict[uuid.UUID, Decimal] = {}
    returns: dict[uuid.UUID, Decimal] = {}
    for row in rows:
        qty = row["qty"]
        if qty < 0:
            issues[row["item_id"]] = issues.get(row["item_id"], ZERO_QTY) - qty
        elif row["kind"] == "return" and qty > 0:
            returns[row["item_id"]] = returns.get(row["item_id"], ZERO_QTY) + qty
    if issues:
        for item_id, lots in _open_lots(list(issues), refill=False).items():
            take_from_lots(lots, issues[item_id])
    if returns:
        for item_id, lots in _open_lots(list(returns), refill=True).items():
            refill_lots(lots, returns[item_id])


# ---- the expiry list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryRow:
    lot_id: uuid.UUID
    item_id: uuid.UUID
    sku: str
    name: str
    unit: str
    lot_no: str | None
    expires_on: date
    received_on: date
    qty_left: Decimal
    avg_cost: Decimal
    days_left: int

    @property
    def value(self) -> Decimal:
        """The remaining units at the item's current average cost, to the sen."""
        return sen(self.qty_left * self.avg_cost)

    @property
    def is_expired(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class ExpiryList:
    as_of: date
    days: int
    rows: list[ExpiryRow]

    @property
    def expired(self) -> list[ExpiryRow]:
        return [r for r in self.rows if r.is_expired]

    @property
    def expiring(self) -> list[ExpiryRow]:
        return [r for r in self.rows if not r.is_expired]

    @property
    def expired_value(self) -> Decimal:
        return sum((r.value for r in self.expired), Decimal("0.00"))

    @property
    def expiring_value(self) -> Decimal:
        return sum((r.value for r in self.expiring), Decimal("0.00"))


def check_days(value: Any) -> int:
    """The window of the expiry list in days (0 to 3660). Raises ValidationError."""
    if value in (None, ""):
        return DEFAULT_DAYS
    try:
        days = int(str(value).strip())
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_DAYS:
        message = _l("Days must be a whole number from 0 to %(max)s.", max=MAX_DAYS)
        raise ValidationError(message, fields={"days": [message]})
    return days


def expiry_list(*, as_of: date, days: int = DEFAULT_DAYS) -> ExpiryList:
    """Lots with units left that expired before `as_of` or expire within `days` days of it
    (inclusive), first expiry first; one query, read in the tenant in scope."""
    limit = as_of + timedelta(days=days)
    rows = db.session.execute(
        select(
            StockLot.id,
            StockLot.item_id,
            Item.sku,
            Item.name,
            Item.unit,
            StockLot.lot_no,
            StockLot.expires_on,
            StockLot.received_on,
            StockLot.qty_left,
            Item.avg_cost,
        )
        .join(Item, and_(Item.tenant_id == StockLot.tenant_id, Item.id == StockLot.item_id))
        .where(StockLot.qty_left > 0, StockLot.expires_on <= limit)
        .order_by(StockLot.expires_on, Item.name, StockLot.id)
    ).all()
    out = [
        ExpiryRow(
            lot_id=r[0],
            item_id=r[1],
            sku=r[2],
            name=r[3],
            unit=r[4],
            lot_no=r[5],
            expires_on=r[6],
            received_on=r[7],
            qty_left=r[8],
            avg_cost=r[9],
            days_left=(r[6] - as_of).days,
        )
        for r in rows
    ]
    return ExpiryList(as_of=as_of, days=days, rows=out)


def lots_of(item: Item) -> Any:
    """An item's lots, the ones with units left first, by expiry."""
    return (
        select(StockLot)
        .where(StockLot.item_id == item.id)
        .order_by((StockLot.qty_left == 0), StockLot.expires_on, StockLot.id)
    )
