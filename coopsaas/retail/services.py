"""Shop rules: items, suppliers, purchasing, sales, returns, stock takes and their postings.

Services take the tenant and actor explicitly, expect that tenant in scope on `db.session`, flush
and never commit. Every stock change writes a `StockMovement` and posts its journal entry through
`coopsaas.ledger.post_entry` in the same transaction (DESIGN.md section 6):

- goods received:   Dr 1401 persediaan (per item)      Cr 2111 utang usaha
- supplier paid:    Dr 2111 utang usaha                 Cr kas (1101) or bank (1102)
- sale:             Dr kas                              Cr 4201 (member) / 4202 (walk-in) penjualan
                    Dr 5201 HPP                         Cr 1401 persediaan (per item, at average cost)
- return:           the sale's lines mirrored for the goods that came back
- void:             the sale's entry reversed by the ledger, the goods back at their cost
- stock take:       shortage Dr 5201 / Cr 1401; surplus Dr 1401 / Cr 5201

Accounts are found by tag in the tenant's chart (`persediaan`, `utang_usaha`, `kas`, `bank`,
`penjualan_anggota`, `penjualan_non_anggota`, `hpp`), else by the default code.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, or_, select, type_coerce
from sqlalchemy.exc import IntegrityError

from coopsaas.core import audit
from coopsaas.core.counters import next_number
from coopsaas.core.db import utcnow
from coopsaas.core.i18n import _l
from coopsaas.core.ids import parse_uuid, uuid7
from coopsaas.core.money import MoneyError, format_number, to_money
from coopsaas.core.types import Money
from coopsaas.errors import Conflict, NotFound, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, balance_of, post_entry, reverse_entry
from coopsaas.ledger.models import Account, JournalEntry
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.retail import costing, lots
from coopsaas.retail.costing import QTY, Stock, sen
from coopsaas.retail.models import (
    PAYMENT_METHODS,
    Fixed,
    GoodsReceipt,
    GoodsReceiptLine,
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    Sale,
    SaleLine,
    SaleReturn,
    StockMovement,
    StockTake,
    StockTakeLine,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from coopsaas.retail.owners import refuse_if_owned
from coopsaas.tenancy.models import Tenant
from coopsaas.tenancy.sync import tenant_setting

ZERO = Decimal("0.00")
ZERO_QTY = Decimal("0.000")
MAX_QTY = Decimal("999999999999999.999")

ACCOUNTS = {
    "persediaan": "1401",
    "utang_usaha": "2111",
    "kas": "1101",
    "bank": "1102",
    "penjualan_anggota": "4201",
    "penjualan_non_anggota": "4202",
    "hpp": "5201",
}


class InsufficientStock(Conflict):
    code = "insufficient_stock"


# ---- input checks ---------------------------------------------------------------------------------


def _refuse(field_name: str, message: Any) -> ValidationError:
    return ValidationError(message, fields={field_name: [message]})


def check_qty(value: Any, field_name: str = "qty") -> Decimal:
    """A quantity: more than zero, at most three decimals. Raises ValidationError."""
    if isinstance(value, float | bool):
        raise _refuse(field_name, _l("A quantity must be an exact number."))
    try:
        d = Decimal(str(value).strip().replace(",", ".")) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _refuse(field_name, _l("A quantity must be a number.")) from None
    if not d.is_finite():
        raise _refuse(field_name, _l("A quantity must be a number."))
    if d <= 0:
        raise _refuse(field_name, _l("A quantity must be more than zero."))
    if d != d.quantize(QTY) or d > MAX_QTY:
        raise _refuse(field_name, _l("A quantity has at most 3 decimal places."))
    return d.quantize(QTY)


def check_price(value: Any, field_name: str = "price", *, allow_zero: bool = False) -> Decimal:
    """A price or amount: more than zero (or zero when allowed), at most two decimals."""
    try:
        d = to_money(value)
    except MoneyError:
        raise _refuse(field_name, _l("An amount is a number with at most 2 decimal places (sen).")) from None
    if d < 0 or (d == 0 and not allow_zero):
        raise _refuse(field_name, _l("The amount must be more than zero."))
    return d


def _text(value: str | None, field_name: str, max_len: int, *, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise _refuse(field_name, _l("This field is required."))
        return None
    if len(value) > max_len:
        raise _refuse(field_name, _l("At most %(n)s characters.", n=max_len))
    return value


# ---- accounts and helpers -------------------------------------------------------------------------


def shop_account(tag: str) -> Account:
    """The tenant's account for a shop role: by tag first, else the default code."""
    accounts = list(db.session.scalars(select(Account).where(Account.is_active.is_(True))))
    tagged = [a for a in accounts if tag in (a.tags or [])]
    if tagged:
        return sorted(tagged, key=lambda a: a.code)[0]
    code = ACCOUNTS[tag]
    by_code = [a for a in accounts if a.code == code]
    if by_code:
        return by_code[0]
    raise ValidationError(
        _l(
            "The chart of accounts has no account tagged %(tag)s (code %(code)s); add it first.",
            tag=tag,
            code=code,
        ),
        code="account_missing",
    )


def _number(series: str, on: date) -> str:
    return f"{series}-{on.year}-{next_number(f'retail:{series}:{on.year}'):06d}"


def _day(tenant: Tenant, on: date | None) -> date:
    return on or today_for(tenant)


def _lock_items(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Item]:
    """Lock the items' rows (PostgreSQL: FOR UPDATE, in id order so two tills never deadlock);
    the values are read fresh, after any concurrent sale committed."""
    ordered = sorted(set(ids))
    rows = db.session.scalars(
        select(Item)
        .where(Item.id.in_(ordered))
        .order_by(Item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {i.id: i for i in rows}


def _stock(item: Item) -> Stock:
    return Stock(on_hand=item.on_hand, value=item.stock_value, avg_cost=item.avg_cost)


@dataclass
class _Pending:
    """A stock movement whose row waits for its journal entry (rows are append-only: written once)."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def move(
        self,
        item: Item,
        move: costing.Movement,
        *,
        kind: str,
        on: date,
        source_type: str,
        source_id: uuid.UUID,
        actor: Any,
    ) -> None:
        item.on_hand = move.after.on_hand
        item.stock_value = move.after.value
        item.avg_cost = move.after.avg_cost
        self.rows.append(
            {
                "item_id": item.id,
                "kind": kind,
                "moved_on": on,
                "qty": move.qty.quantize(QTY),
                "unit_cost": move.unit_cost.quantize(costing.UNIT_COST),
                "value": move.value,
                "on_hand_after": move.after.on_hand,
                "value_after": move.after.value,
                "source_type": source_type,
                "source_id": source_id,
                "created_by_id": getattr(actor, "id", None),
            }
        )

    def write(self, entry: JournalEntry | None) -> None:
        lots.follow_movements(self.rows)
        for row in self.rows:
            db.session.add(StockMovement(**row, journal_entry_id=entry.id if entry else None))
        self.rows = []


def _post(
    tenant: Tenant,
    actor: Any,
    *,
    on: date,
    lines: list[LineSpec],
    memo: str,
    series: str,
    source_type: str,
    source_id: uuid.UUID,
    key: str | None = None,
) -> JournalEntry | None:
    lines = [ln for ln in lines if ln.debit > 0 or ln.credit > 0]
    if not lines:
        return None
    spec = EntrySpec(
        entry_on=on, lines=lines, memo=memo[:500], series=series, source_type=source_type, source_id=source_id
    )
    return post_entry(tenant=tenant, actor=actor, spec=spec, idempotency_key=key)


def _dr(account: Account, amount: Decimal, **kw: Any) -> LineSpec:
    return (
        LineSpec(account.id, debit=amount, **kw)
        if amount >= 0
        else LineSpec(account.id, credit=-amount, **kw)
    )


def _cr(account: Account, amount: Decimal, **kw: Any) -> LineSpec:
    return _dr(account, -amount, **kw)


# ---- items and suppliers --------------------------------------------------------------------------


@dataclass
class ItemData:
    sku: str
    name: str
    member_price: Any
    public_price: Any
    unit: str = "pcs"
    barcode: str | None = None
    category: str | None = None
    reorder_point: Any = "0"
    pack_conversions: dict[str, Any] = field(default_factory=dict)
    is_active: bool = True
    tracks_expiry: bool = False


def _checked_item(data: ItemData) -> dict[str, Any]:
    packs: dict[str, str] = {}
    for name, qty in (data.pack_conversions or {}).items():
        label = _text(str(name), "pack_conversions", 20)
        packs[str(label)] = str(check_qty(qty, "pack_conversions"))
    reorder = str(data.reorder_point).strip() if data.reorder_point not in (None, "") else "0"
    return {
        "sku": _text(data.sku, "sku", 40),
        "name": _text(data.name, "name", 200),
        "unit": _text(data.unit or "pcs", "unit", 20),
        "barcode": _text(data.barcode, "barcode", 64, required=False),
        "category": _text(data.category, "category", 80, required=False),
        "member_price": check_price(data.member_price, "member_price"),
        "public_price": check_price(data.public_price, "public_price"),
        "reorder_point": ZERO_QTY if reorder in ("0", "0.000") else check_qty(reorder, "reorder_point"),
        "pack_conversions": packs,
        "is_active": bool(data.is_active),
        "tracks_expiry": bool(data.tracks_expiry),
    }


def _refuse_duplicates(values: dict[str, Any], item_id: uuid.UUID | None) -> None:
    for name in ("sku", "barcode"):
        value = values[name]
        if value is None:
            continue
        other = db.session.scalars(select(Item.id).where(getattr(Item, name) == value)).first()
        if other is not None and other != item_id:
            message = (
                _l("Another item already has SKU %(v)s.", v=value)
                if name == "sku"
                else _l("Another item already has barcode %(v)s.", v=value)
            )
            raise Conflict(message, fields={name: [message]}, code="duplicate")


def create_item(*, tenant: Tenant, actor: Any, data: ItemData) -> Item:
    """Raises: ValidationError (bad field), Conflict (SKU or barcode taken)."""
    require_scope(tenant)
    values = _checked_item(data)
    _refuse_duplicates(values, None)
    item = Item(**values)
    db.session.add(item)
    db.session.flush()
    audit.record("retail.item.create", actor=actor, target=item, summary={"sku": item.sku, "name": item.name})
    return item


def update_item(*, tenant: Tenant, actor: Any, item: Item, data: ItemData) -> Item:
    """Stock figures never change here: only movements move them."""
    require_scope(tenant)
    values = _checked_item(data)
    _refuse_duplicates(values, item.id)
    before = {k: str(getattr(item, k)) for k in values}
    for k, v in values.items():
        setattr(item, k, v)
    db.session.flush()
    audit.record(
        "retail.item.update",
        actor=actor,
        target=item,
        summary={"before": before, "after": {k: str(v) for k, v in values.items()}},
    )
    return item


def find_items(query: str | None = None, *, active_only: bool = False) -> Any:
    stmt = select(Item).order_by(Item.name, Item.sku)
    q = (query or "").strip()
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Item.name).like(like),
                func.lower(Item.sku) == q.lower(),
                Item.barcode == q,
                func.lower(Item.category).like(like),
            )
        )
    if active_only:
        stmt = stmt.where(Item.is_active.is_(True))
    return stmt


def item_by_code(code: str) -> Item | None:
    """The item whose barcode or SKU is exactly `code` (what a scanner or a shopkeeper types)."""
    code = (code or "").strip()
    if not code:
        return None
    # A scanned barcode wins over a SKU that happens to read the same.
    by_barcode = db.session.scalars(select(Item).where(Item.barcode == code)).first()
    if by_barcode is not None:
        return by_barcode
    return db.session.scalars(select(Item).where(func.lower(Item.sku) == code.lower())).first()


def create_supplier(
    *,
    tenant: Tenant,
    actor: Any,
    name: str,
    contact: str | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> Supplier:
    require_scope(tenant)
    clean = _text(name, "name", 200)
    if db.session.scalars(select(Supplier.id).where(Supplier.name == clean)).first() is not None:
        message = _l("A supplier named %(name)s already exists.", name=clean)
        raise Conflict(message, fields={"name": [message]}, code="duplicate")
    supplier = Supplier(
        name=clean,
        contact=_text(contact, "contact", 120, required=False),
        phone=_text(phone, "phone", 40, required=False),
        address=_text(address, "address", 500, required=False),
    )
    db.session.add(supplier)
    db.session.flush()
    audit.record("retail.supplier.create", actor=actor, target=supplier, summary={"name": supplier.name})
    return supplier


# ---- purchasing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineData:
    item: Item
    qty: Any
    unit_cost: Any


def create_purchase_order(
    *,
    tenant: Tenant,
    actor: Any,
    supplier: Supplier,
    lines: Sequence[OrderLineData],
    ordered_on: date | None = None,
    memo: str = "",
    place: bool = True,
) -> PurchaseOrder:
    """A purchase order (placed at once unless `place` is false: then a draft).
    Raises: ValidationError (no lines, bad quantity or price)."""
    require_scope(tenant)
    if not lines:
        raise _refuse("lines", _l("An order needs at least one line."))
    on = _day(tenant, ordered_on)
    order = PurchaseOrder(
        number=_number("PO", on),
        supplier_id=supplier.id,
        ordered_on=on,
        status="ordered" if place else "draft",
        memo=(memo or "")[:500],
        created_by_id=getattr(actor, "id", None),
    )
    for n, ln in enumerate(lines, start=1):
        order.lines.append(
            PurchaseOrderLine(
                line_no=n,
                item_id=ln.item.id,
                qty=check_qty(ln.qty, f"lines.{n}.qty"),
                unit_cost=check_price(ln.unit_cost, f"lines.{n}.unit_cost"),
            )
        )
    db.session.add(order)
    db.session.flush()
    audit.record(
        "retail.purchase_order.create",
        actor=actor,
        target=order,
        summary={"number": order.number, "supplier": supplier.name, "total": str(order.total)},
    )
    return order


def place_order(*, tenant: Tenant, actor: Any, order: PurchaseOrder) -> PurchaseOrder:
    require_scope(tenant)
    if order.status != "draft":
        raise Conflict(_l("Only a draft order can be placed."), code="wrong_status")
    order.status = "ordered"
    audit.record("retail.purchase_order.place", actor=actor, target=order, summary={"number": order.number})
    return order


def cancel_order(*, tenant: Tenant, actor: Any, order: PurchaseOrder) -> PurchaseOrder:
    require_scope(tenant)
    if order.status not in ("draft", "ordered"):
        raise Conflict(_l("An order with goods received cannot be cancelled."), code="wrong_status")
    order.status = "cancelled"
    audit.record("retail.purchase_order.cancel", actor=actor, target=order, summary={"number": order.number})
    return order


def receive_goods(
    *,
    tenant: Tenant,
    actor: Any,
    order: PurchaseOrder,
    quantities: dict[uuid.UUID, Any],
    received_on: date | None = None,
    allow_over: bool = False,
    lot_data: dict[uuid.UUID, lots.LotData] | None = None,
) -> GoodsReceipt:
    """Receive some or all of an order: stock in at the order's prices, Dr 1401 / Cr 2111.

    `quantities` maps order line ids to the quantity received now (lines left out: none);
    `lot_data` (optional) maps them to the lot and expiry date received (retail/lots.py).
    Raises: Conflict (order not open), ValidationError (nothing received, bad quantity, more than
    ordered without `allow_over`, an item tracking expiry without its date).
    """
    require_scope(tenant)
    refuse_if_owned(order.id)
    if order.status not in ("ordered", "partially_received"):
        raise Conflict(
            _l("Goods can only be received on a placed order that is not complete."), code="wrong_status"
        )
    by_id = {ln.id: ln for ln in order.lines}
    wanted: list[tuple[PurchaseOrderLine, Decimal]] = []
    for line_id, raw in quantities.items():
        line = by_id.get(line_id)
        if line is None:
            raise _refuse("lines", _l("That line is not on this order."))
        if raw in (None, "", 0, "0"):
            continue
        qty = check_qty(raw, f"lines.{line.line_no}.qty")
        if qty > line.open_qty and not allow_over:
            message = _l(
                "Line %(n)s: %(qty)s received but only %(open)s still ordered. Tick 'more than "
                "ordered' to accept the extra.",
                n=line.line_no,
                qty=show_qty(qty),
                open=show_qty(line.open_qty),
            )
            raise ValidationError(
                message, fields={f"lines.{line.line_no}.qty": [message]}, code="over_receipt"
            )
        wanted.append((line, qty))
    if not wanted:
        raise _refuse("lines", _l("Enter the quantity received on at least one line."))
    checked_lots = {
        line.id: lots.check_lot((lot_data or {}).get(line.id), line.item, f"lines.{line.line_no}")
        for line, _ in wanted
    }

    inventory, payable = shop_account("persediaan"), shop_account("utang_usaha")
    on = _day(tenant, received_on)
    items = _lock_items(line.item_id for line, _ in wanted)
    receipt = GoodsReceipt(
        number=_number("GR", on),
        order_id=order.id,
        supplier_id=order.supplier_id,
        received_on=on,
        total=ZERO,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(receipt)
    db.session.flush()
    pending, postings = _Pending(), []
    new_lots: list[tuple[Item, Decimal, lots.LotData, uuid.UUID]] = []
    total = ZERO
    for n, (line, qty) in enumerate(wanted, start=1):
        item = items[line.item_id]
        move = costing.receive(_stock(item), qty, line.unit_cost)
        pending.move(
            item,
            move,
            kind="receipt",
            on=on,
            source_type="retail_goods_receipt",
            source_id=receipt.id,
            actor=actor,
        )
        receipt_line = GoodsReceiptLine(
            id=uuid7(),
            line_no=n,
            order_line_id=line.id,
            item_id=item.id,
            qty=qty,
            unit_cost=line.unit_cost,
            value=move.value,
        )
        receipt.lines.append(receipt_line)
        if (lot := checked_lots[line.id]) is not None:
            new_lots.append((item, qty, lot, receipt_line.id))
        line.received_qty = line.received_qty + qty
        postings.append(_dr(inventory, move.value, item_id=item.id, memo=item.name[:300]))
        total += move.value
    receipt.total = total
    postings.append(_cr(payable, total))
    supplier = db.session.scalars(select(Supplier).where(Supplier.id == order.supplier_id)).one()
    entry = _post(
        tenant,
        actor,
        on=on,
        lines=postings,
        series="PB",
        source_type="retail_goods_receipt",
        source_id=receipt.id,
        memo=f"Penerimaan barang {receipt.number} ({order.number}, {supplier.name})",
    )
    receipt.journal_entry_id = entry.id if entry else None
    pending.write(entry)
    order.status = (
        "received" if all(ln.received_qty >= ln.qty for ln in order.lines) else "partially_received"
    )
    db.session.flush()
    for lot_item, lot_qty, lot, receipt_line_id in new_lots:
        lots.add_lot(item=lot_item, qty=lot_qty, lot=lot, received_on=on, receipt_line_id=receipt_line_id)
    if new_lots:
        db.session.flush()
    audit.record(
        "retail.goods.receive",
        actor=actor,
        target=receipt,
        summary={"number": receipt.number, "order": order.number, "total": str(total)},
    )
    return receipt


def record_supplier_invoice(
    *,
    tenant: Tenant,
    actor: Any,
    supplier: Supplier,
    number: str,
    amount: Any,
    invoice_on: date | None = None,
    due_on: date | None = None,
    order: PurchaseOrder | None = None,
) -> SupplierInvoice:
    """The supplier's bill. The payable was booked when the goods came in, so nothing is posted here.
    Raises: ValidationError, Conflict (same number twice for one supplier)."""
    require_scope(tenant)
    refuse_if_owned(order.id if order is not None else None)
    clean = _text(number, "number", 60)
    value = check_price(amount, "amount")
    on = _day(tenant, invoice_on)
    due = due_on or on + timedelta(days=30)
    if due < on:
        raise _refuse("due_on", _l("The due date cannot be before the invoice date."))
    if order is not None and order.supplier_id != supplier.id:
        raise _refuse("order", _l("That order is from another supplier."))
    exists = db.session.scalars(
        select(SupplierInvoice.id).where(
            SupplierInvoice.supplier_id == supplier.id, SupplierInvoice.number == clean
        )
    ).first()
    if exists is not None:
        message = _l("Invoice %(number)s of this supplier is already recorded.", number=clean)
        raise Conflict(message, fields={"number": [message]}, code="duplicate")
    invoice = SupplierInvoice(
        supplier_id=supplier.id,
        order_id=order.id if order else None,
        number=clean,
        invoice_on=on,
        due_on=due,
        amount=value,
        paid=ZERO,
        status="open",
    )
    db.session.add(invoice)
    db.session.flush()
    audit.record(
        "retail.supplier_invoice.record",
        actor=actor,
        target=invoice,
        summary={"number": clean, "supplier": supplier.name, "amount": str(value)},
    )
    return invoice


def pay_supplier_invoice(
    *,
    tenant: Tenant,
    actor: Any,
    invoice: SupplierInvoice,
    amount: Any,
    method: str = "cash",
    paid_on: date | None = None,
) -> SupplierPayment:
    """Pay all or part of a supplier invoice: Dr 2111 utang usaha, Cr kas or bank.
    Raises: ValidationError (bad amount or method, more than the balance), Conflict (already paid)."""
    require_scope(tenant)
    refuse_if_owned(invoice.order_id)
    value = check_price(amount, "amount")
    if method not in PAYMENT_METHODS:
        raise _refuse("method", _l("Pay in cash or by transfer."))
    if invoice.status == "paid":
        raise Conflict(_l("This invoice is already paid."), code="already_paid")
    if value > invoice.balance:
        raise ValidationError(
            _l(
                "Paying %(amount)s is more than the invoice balance of %(balance)s.",
                amount=costing_rupiah(value),
                balance=costing_rupiah(invoice.balance),
            ),
            fields={"amount": [_l("At most %(balance)s.", balance=costing_rupiah(invoice.balance))]},
            code="overpayment",
        )
    cash = shop_account("kas" if method == "cash" else "bank")
    payable = shop_account("utang_usaha")
    on = _day(tenant, paid_on)
    payment = SupplierPayment(
        invoice_id=invoice.id,
        paid_on=on,
        amount=value,
        method=method,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(payment)
    db.session.flush()
    entry = _post(
        tenant,
        actor,
        on=on,
        lines=[_dr(payable, value), _cr(cash, value)],
        series="KK",
        source_type="retail_supplier_payment",
        source_id=payment.id,
        memo=f"Bayar faktur pemasok {invoice.number}",
    )
    payment.journal_entry_id = entry.id if entry else None
    invoice.paid = invoice.paid + value
    invoice.status = "paid" if invoice.paid == invoice.amount else "partially_paid"
    db.session.flush()
    audit.record(
        "retail.supplier_invoice.pay",
        actor=actor,
        target=invoice,
        summary={"number": invoice.number, "amount": str(value), "method": method},
    )
    return payment


def show_qty(qty: Decimal) -> str:
    """`12`, `2,5`, `1.250`: a quantity as staff write it, without trailing zeros."""
    exponent = qty.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_number(qty, min(places, 3))


def costing_rupiah(amount: Decimal) -> str:
    from coopsaas.ledger.posting import rupiah

    return rupiah(amount)


# ---- sales ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleLineData:
    item: Item
    qty: Any


@dataclass(frozen=True)
class PricedLine:
    item: Item
    qty: Decimal
    unit_price: Decimal
    amount: Decimal


def price_lines(lines: Sequence[SaleLineData], *, member: bool) -> list[PricedLine]:
    """Quantities checked and priced (member price for members): what the till shows before paying."""
    if not lines:
        raise _refuse("lines", _l("Add at least one item."))
    priced = []
    for n, ln in enumerate(lines, start=1):
        if not ln.item.is_active:
            raise _refuse(f"lines.{n}.item", _l("%(name)s is no longer sold.", name=ln.item.name))
        qty = check_qty(ln.qty, f"lines.{n}.qty")
        price = ln.item.member_price if member else ln.item.public_price
        priced.append(PricedLine(ln.item, qty, price, sen(qty * price)))
    return priced


def find_member(ref: Any) -> Any | None:
    """An active member of the tenant in scope, by id, member number or (one match) name: what a
    shopkeeper types at the till. Read through the members feature's own search."""
    from coopsaas.members.services import search_members

    text = str(ref or "").strip()
    if not text:
        return None
    uid = parse_uuid(text)
    stmt = search_members("" if uid else text, status="active")
    if uid is not None:
        stmt = stmt.filter_by(id=uid)
    rows = list(db.session.scalars(stmt.limit(3)))
    exact = [m for m in rows if uid is not None or m.member_no.lower() == text.lower()]
    if exact:
        return exact[0]
    return rows[0] if len(rows) == 1 else None


def find_sale_by_key(submit_key: str) -> Sale | None:
    return db.session.scalars(select(Sale).where(Sale.submit_key == submit_key)).one_or_none()


def _check_key(submit_key: str | None) -> str:
    key = (submit_key or "").strip()
    if not key or len(key) > 64:
        raise _refuse("submit_key", _l("The sale has no valid submit key; reload the page."))
    return key


def create_sale(
    *,
    tenant: Tenant,
    actor: Any,
    lines: Sequence[SaleLineData],
    cash_tendered: Any = None,
    submit_key: str,
    member_id: uuid.UUID | None = None,
    sold_on: date | None = None,
    tender: str = "cash",
) -> Sale:
    """A cash sale, or with `tender="credit"` a member's sale on shop credit (retail/credit.py).
    A repeated `submit_key` returns the sale first made with it and does nothing.

    Dr kas (credit: 1301 piutang) / Cr 4201 (member) or 4202 (walk-in); Dr 5201 HPP / Cr 1401 at
    the moving average.
    Raises: ValidationError (no lines, bad quantity, cash short, walk-in on credit), InsufficientStock
    (more than on hand while the tenant forbids negative stock), CreditLimitExceeded.
    """
    from coopsaas.retail import credit as shop_credit

    require_scope(tenant)
    key = _check_key(submit_key)
    existing = find_sale_by_key(key)
    if existing is not None:
        return existing
    member = member_id is not None
    if member and find_member(member_id) is None:
        message = _l("No active member with this number.")
        raise ValidationError(message, fields={"member_id": [message]}, code="unknown_member")
    on_credit = shop_credit.credit_tender(tender, member_id)
    priced = price_lines(lines, member=member)
    total = sum((p.amount for p in priced), ZERO)
    tendered = (
        total if cash_tendered in (None, "") else check_price(cash_tendered, "cash_tendered", allow_zero=True)
    )
    if on_credit:
        tendered = ZERO
    elif tendered < total:
        raise ValidationError(
            _l(
                "Cash tendered %(cash)s is less than the total %(total)s.",
                cash=costing_rupiah(tendered),
                total=costing_rupiah(total),
            ),
            fields={"cash_tendered": [_l("At least %(total)s.", total=costing_rupiah(total))]},
            code="cash_short",
        )

    items = _lock_items(p.item.id for p in priced)
    # A retry of this very sale may have committed while this one waited for the item locks.
    existing = find_sale_by_key(key)
    if existing is not None:
        return existing
    wanted: dict[uuid.UUID, Decimal] = {}
    for p in priced:
        wanted[p.item.id] = wanted.get(p.item.id, ZERO_QTY) + p.qty
    if not tenant_setting(tenant, "allow_negative_stock"):
        for item_id, qty in wanted.items():
            item = items[item_id]
            if qty > item.on_hand:
                message = _l(
                    "Not enough %(name)s in stock: %(on_hand)s %(unit)s on hand, %(qty)s asked.",
                    name=item.name,
                    on_hand=show_qty(item.on_hand),
                    unit=item.unit,
                    qty=show_qty(qty),
                )
                raise InsufficientStock(message, fields={"lines": [message]})
    credit_row = shop_credit.reserve(tenant, member_id, total) if on_credit and member_id else None

    # Accounts first: a chart missing one refuses the sale before anything is written.
    inventory, cogs, cash = shop_account("persediaan"), shop_account("hpp"), shop_account("kas")
    if on_credit:
        cash = shop_credit.receivable_account()
    revenue = shop_account("penjualan_anggota" if member else "penjualan_non_anggota")
    on = _day(tenant, sold_on)
    sale = Sale(
        submit_key=key,
        number="",
        sold_on=on,
        member_id=member_id,
        status="completed",
        tender=shop_credit.CREDIT if on_credit else shop_credit.CASH,
        total=total,
        cost_total=ZERO,
        cash_tendered=tendered,
        change=max(tendered - total, ZERO),
        created_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            sale.number = _number("PJ", on)
            db.session.add(sale)
            db.session.flush()
    except IntegrityError:
        # The same key committed by a concurrent request (double click on two tabs): that sale stands.
        first = find_sale_by_key(key)
        if first is not None:
            return first
        raise

    postings = [_dr(cash, total, member_id=member_id)]
    cost_lines = []
    pending = _Pending()
    cost_total = ZERO
    for n, p in enumerate(priced, start=1):
        item = items[p.item.id]
        move = costing.issue(_stock(item), p.qty)
        cost = -move.value
        pending.move(
            item, move, kind="sale", on=on, source_type="retail_sale", source_id=sale.id, actor=actor
        )
        sale.lines.append(
            SaleLine(
                line_no=n,
                item_id=item.id,
                qty=p.qty,
                unit_price=p.unit_price,
                amount=p.amount,
                cost_value=cost,
            )
        )
        postings.append(_cr(revenue, p.amount, item_id=item.id, member_id=member_id, memo=item.name[:300]))
        cost_lines.append(_dr(cogs, cost, item_id=item.id))
        cost_lines.append(_cr(inventory, cost, item_id=item.id))
        cost_total += cost
    sale.cost_total = cost_total
    entry = _post(
        tenant,
        actor,
        on=on,
        lines=postings + cost_lines,
        series="PJ",
        source_type="retail_sale",
        source_id=sale.id,
        memo=f"Penjualan {sale.number}",
        key=f"retail-sale:{key}",
    )
    sale.journal_entry_id = entry.id if entry else None
    pending.write(entry)
    db.session.flush()
    if credit_row is not None:
        shop_credit.record_sale_charge(credit_row, sale=sale, entry=entry, actor=actor)
    audit.record(
        "retail.sale.create",
        actor=actor,
        target=sale,
        summary={"number": sale.number, "total": str(total), "member_id": member_id},
    )
    return sale


def _returned_already(sale: Sale) -> bool:
    return any(ln.returned_qty > 0 for ln in sale.lines)


def void_sale(*, tenant: Tenant, actor: Any, sale: Sale, reason: str, on: date | None = None) -> Sale:
    """Cancel a whole sale: the ledger reverses its entry; the goods go back at the cost they left with.
    Raises: ValidationError (no reason), Conflict (already voided, or partly returned),
    PermissionDenied (above the reversal threshold without a manager)."""
    require_scope(tenant)
    reason = _text(reason, "reason", 300) or ""
    if sale.status == "voided":
        raise Conflict(_l("Sale %(number)s is already voided.", number=sale.number), code="already_voided")
    if _returned_already(sale):
        raise Conflict(
            _l(
                "Part of sale %(number)s was returned; return the rest instead of voiding it.",
                number=sale.number,
            ),
            code="partly_returned",
        )
    day = _day(tenant, on)
    reversal = None
    if sale.journal_entry_id is not None:
        entry = db.session.scalars(select(JournalEntry).where(JournalEntry.id == sale.journal_entry_id)).one()
        reversal = reverse_entry(tenant=tenant, actor=actor, entry=entry, reason=reason, on=day)
    items = _lock_items(ln.item_id for ln in sale.lines)
    pending = _Pending()
    for ln in sale.lines:
        move = costing.give_back(_stock(items[ln.item_id]), ln.qty, ln.cost_value)
        pending.move(
            items[ln.item_id],
            move,
            kind="return",
            on=day,
            source_type="retail_sale_void",
            source_id=sale.id,
            actor=actor,
        )
    pending.write(reversal)
    if sale.tender == "credit":
        from coopsaas.retail.credit import release_sale_credit

        release_sale_credit(sale=sale, amount=sale.total, kind="void", on=day, actor=actor, entry=reversal)
    sale.status = "voided"
    sale.void_reason = reason
    sale.voided_at = utcnow()
    db.session.flush()
    audit.record(
        "retail.sale.void",
        actor=actor,
        target=sale,
        summary={"number": sale.number, "total": str(sale.total), "reason": reason},
    )
    return sale


def return_sale(
    *,
    tenant: Tenant,
    actor: Any,
    sale: Sale,
    quantities: dict[uuid.UUID, Any],
    reason: str,
    on: date | None = None,
) -> SaleReturn:
    """Goods brought back from a sale (some lines, part quantities); the cash goes back.
    Dr penjualan / Cr kas for the price; Dr 1401 / Cr 5201 for the cost they left with.
    Raises: ValidationError (no reason, nothing returned, more than sold), Conflict (voided sale)."""
    require_scope(tenant)
    reason = _text(reason, "reason", 300) or ""
    if sale.status == "voided":
        raise Conflict(
            _l("Sale %(number)s is voided; nothing can be returned.", number=sale.number),
            code="already_voided",
        )
    by_id = {ln.id: ln for ln in sale.lines}
    wanted: list[tuple[SaleLine, Decimal]] = []
    for line_id, raw in quantities.items():
        line = by_id.get(line_id)
        if line is None:
            raise _refuse("lines", _l("That line is not on this sale."))
        if raw in (None, "", 0, "0"):
            continue
        qty = check_qty(raw, f"lines.{line.line_no}.qty")
        if qty > line.qty - line.returned_qty:
            message = _l(
                "Line %(n)s: only %(left)s can still be returned.",
                n=line.line_no,
                left=show_qty(line.qty - line.returned_qty),
            )
            raise ValidationError(
                message, fields={f"lines.{line.line_no}.qty": [message]}, code="over_return"
            )
        wanted.append((line, qty))
    if not wanted:
        raise _refuse("lines", _l("Enter the quantity returned on at least one line."))

    member = sale.member_id is not None
    revenue = shop_account("penjualan_anggota" if member else "penjualan_non_anggota")
    inventory, cogs, cash = shop_account("persediaan"), shop_account("hpp"), shop_account("kas")
    if sale.tender == "credit":  # a credit sale's return lowers the member's credit, no cash back
        from coopsaas.retail.credit import receivable_account

        cash = receivable_account()
    day = _day(tenant, on)
    items = _lock_items(line.item_id for line, _ in wanted)
    ret = SaleReturn(
        number=_number("RJ", day),
        sale_id=sale.id,
        returned_on=day,
        reason=reason,
        total=ZERO,
        cost_total=ZERO,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(ret)
    db.session.flush()
    price_lines_, cost_lines, pending = [], [], _Pending()
    total = cost_total = ZERO
    for line, qty in wanted:
        amount = costing.return_value(line.qty, line.amount, qty, line.returned_qty, line.returned_amount)
        cost = costing.return_value(line.qty, line.cost_value, qty, line.returned_qty, line.returned_cost)
        move = costing.give_back(_stock(items[line.item_id]), qty, cost)
        pending.move(
            items[line.item_id],
            move,
            kind="return",
            on=day,
            source_type="retail_sale_return",
            source_id=ret.id,
            actor=actor,
        )
        line.returned_qty += qty
        line.returned_amount += amount
        line.returned_cost += cost
        price_lines_.append(_dr(revenue, amount, item_id=line.item_id, member_id=sale.member_id))
        cost_lines += [_dr(inventory, cost, item_id=line.item_id), _cr(cogs, cost, item_id=line.item_id)]
        total += amount
        cost_total += cost
    ret.total, ret.cost_total = total, cost_total
    lines = [*price_lines_, _cr(cash, total, member_id=sale.member_id), *cost_lines]
    entry = _post(
        tenant,
        actor,
        on=day,
        lines=lines,
        series="PJ",
        source_type="retail_sale_return",
        source_id=ret.id,
        memo=f"Retur {ret.number} atas {sale.number}: {reason}",
    )
    ret.journal_entry_id = entry.id if entry else None
    pending.write(entry)
    db.session.flush()
    if sale.tender == "credit":
        from coopsaas.retail.credit import release_sale_credit

        release_sale_credit(sale=sale, amount=total, kind="return", on=day, actor=actor, entry=entry)
    audit.record(
        "retail.sale.return",
        actor=actor,
        target=ret,
        summary={"number": ret.number, "sale": sale.number, "total": str(total), "reason": reason},
    )
    return ret


# ---- stock take -----------------------------------------------------------------------------------


def record_stock_take(
    *,
    tenant: Tenant,
    actor: Any,
    counts: dict[uuid.UUID, Any],
    counted_on: date | None = None,
    memo: str = "",
) -> StockTake:
    """Counted quantities replace the book quantities; the differences move stock and post the
    variance (shortage Dr 5201 / Cr 1401, surplus the other way). Items not counted are left alone.
    Raises: ValidationError (nothing counted, a negative or too precise count, unknown item)."""
    require_scope(tenant)
    parsed: dict[uuid.UUID, Decimal] = {}
    for item_id, raw in counts.items():
        if raw in (None, ""):
            continue
        parsed[item_id] = (
            ZERO_QTY if str(raw).strip() in ("0", "0.000", "0,000") else check_qty(raw, "counts")
        )
    if not parsed:
        raise _refuse("counts", _l("Enter at least one counted quantity."))
    items = _lock_items(parsed)
    if len(items) != len(parsed):
        raise NotFound(_l("Item not found."))
    inventory, cogs = shop_account("persediaan"), shop_account("hpp")
    day = _day(tenant, counted_on)
    take = StockTake(
        number=_number("SO", day),
        counted_on=day,
        memo=(memo or "")[:500],
        variance_value=ZERO,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(take)
    db.session.flush()
    postings, pending = [], _Pending()
    net = ZERO
    for n, item in enumerate(sorted(items.values(), key=lambda i: (i.name, i.sku)), start=1):
        counted = parsed[item.id]
        book = item.on_hand
        move = costing.count(_stock(item), counted)
        value = move.value if move else ZERO
        if move is not None:
            pending.move(
                item,
                move,
                kind="adjustment",
                on=day,
                source_type="retail_stock_take",
                source_id=take.id,
                actor=actor,
            )
            postings += [
                _dr(inventory, value, item_id=item.id, memo=item.name[:300]),
                _cr(cogs, value, item_id=item.id),
            ]
        take.lines.append(
            StockTakeLine(
                line_no=n,
                item_id=item.id,
                book_qty=book,
                counted_qty=counted,
                variance_qty=(counted - book).quantize(QTY),
                variance_value=value,
            )
        )
        net += value
    take.variance_value = net
    entry = _post(
        tenant,
        actor,
        on=day,
        lines=postings,
        series="SO",
        source_type="retail_stock_take",
        source_id=take.id,
        memo=f"Stock opname {take.number}",
    )
    take.journal_entry_id = entry.id if entry else None
    pending.write(entry)
    db.session.flush()
    audit.record(
        "retail.stock_take.record",
        actor=actor,
        target=take,
        summary={"number": take.number, "items": len(parsed), "variance": str(net)},
    )
    return take


# ---- reports --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockValue:
    rows: list[Item]
    total: Decimal
    control_balance: Decimal

    @property
    def difference(self) -> Decimal:
        return self.total - self.control_balance


def stock_value(tenant: Tenant, *, as_of: date | None = None) -> StockValue:
    """Every item's quantity and value today, their total and the inventory account's balance:
    the two must agree to the sen.

    The rows are read-only (id, sku, name, unit, on_hand, avg_cost, stock_value), not whole items:
    building 20,000 `Item` objects took most of the report's time (bench/README.md). Items with
    nothing on hand and no value add nothing to the total, so it is summed from the rows."""
    require_scope(tenant)
    rows = list(
        db.session.execute(
            select(Item.id, Item.sku, Item.name, Item.unit, Item.on_hand, Item.avg_cost, Item.stock_value)
            .where(or_(Item.on_hand != 0, Item.stock_value != 0))
            .order_by(Item.name, Item.sku)
        )
    )
    total = sum((r.stock_value for r in rows), ZERO)
    control = balance_of(shop_account("persediaan"), as_of)
    return StockValue(rows=rows, total=total, control_balance=control)


def low_stock() -> Any:
    return (
        select(Item)
        .where(Item.is_active.is_(True), Item.on_hand <= Item.reorder_point)
        .order_by(Item.name, Item.sku)
    )


def movements_of(item: Item) -> Any:
    return (
        select(StockMovement)
        .where(StockMovement.item_id == item.id)
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
    )


@dataclass(frozen=True)
class MarginRow:
    item: Item
    qty: Decimal
    revenue: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


def gross_margin(start: date, end: date) -> list[MarginRow]:
    """Per item sold from `start` to `end`: net quantity, revenue, cost and margin (returns deducted,
    voided sales left out)."""
    rows = db.session.execute(
        select(
            SaleLine.item_id,
            type_coerce(func.sum(SaleLine.qty - SaleLine.returned_qty), Fixed(3)),
            type_coerce(func.sum(SaleLine.amount - SaleLine.returned_amount), Money),
            type_coerce(func.sum(SaleLine.cost_value - SaleLine.returned_cost), Money),
        )
        .join(Sale, (Sale.tenant_id == SaleLine.tenant_id) & (Sale.id == SaleLine.sale_id))
        .where(Sale.status == "completed", Sale.sold_on >= start, Sale.sold_on <= end)
        .group_by(SaleLine.item_id)
    ).all()
    items = {i.id: i for i in db.session.scalars(select(Item).where(Item.id.in_([r[0] for r in rows])))}
    out = [MarginRow(items[item_id], qty, revenue, cost) for item_id, qty, revenue, cost in rows]
    return sorted(out, key=lambda r: (-r.margin, r.item.name))


@dataclass(frozen=True)
class CategoryMargin:
    category: str  # "" for items without a category
    items: int
    revenue: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_pct(self) -> Decimal | None:
        """Margin as a percentage of revenue, one decimal; None without revenue."""
        if self.revenue == 0:
            return None
        return (self.margin * 100 / self.revenue).quantize(Decimal("0.1"))


def margin_by_category(rows: Iterable[MarginRow]) -> list[CategoryMargin]:
    """The per-item margin rows summed per item category, largest margin first."""
    sums: dict[str, list[Any]] = {}
    for row in rows:
        acc = sums.setdefault(row.item.category or "", [0, ZERO, ZERO])
        acc[0] += 1
        acc[1] += row.revenue
        acc[2] += row.cost
    out = [CategoryMargin(cat, n, revenue, cost) for cat, (n, revenue, cost) in sums.items()]
    return sorted(out, key=lambda c: (-c.margin, c.category))


@dataclass(frozen=True)
class AgeingRow:
    supplier: Supplier
    buckets: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


AGEING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def _bucket(days_late: int) -> str:
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "1-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "90+"


def payables_ageing(as_of: date) -> list[AgeingRow]:
    """Unpaid supplier invoice balances by days past their due date, per supplier."""
    invoices = db.session.scalars(select(SupplierInvoice).where(SupplierInvoice.status != "paid")).all()
    per: dict[uuid.UUID, dict[str, Decimal]] = {}
    for inv in invoices:
        buckets = per.setdefault(inv.supplier_id, dict.fromkeys(AGEING_BUCKETS, ZERO))
        buckets[_bucket((as_of - inv.due_on).days)] += inv.balance
    suppliers = {s.id: s for s in db.session.scalars(select(Supplier).where(Supplier.id.in_(list(per))))}
    return sorted((AgeingRow(suppliers[sid], b) for sid, b in per.items()), key=lambda r: r.supplier.name)


def stock_findings(tenant: Tenant) -> list[Any]:
    """Ledger verify hook: the stock sub-ledger must equal the inventory control account."""
    from coopsaas.ledger import Finding

    if db.session.scalars(select(Item.id).limit(1)).first() is None:
        return []
    try:
        report = stock_value(tenant)
    except ValidationError:
        return []
    if report.difference == 0:
        return []
    return [
        Finding(
            "retail.stock_value",
            str(
                _l(
                    "Stock value %(stock)s differs from the inventory account %(control)s.",
                    stock=costing_rupiah(report.total),
                    control=costing_rupiah(report.control_balance),
                )
            ),
            details={"stock_value": str(report.total), "control": str(report.control_balance)},
        )
    ]


# ---- stock leaving other than through the till ------------------------------------------------


@dataclass(frozen=True)
class IssuedLine:
    item: Item
    qty: Decimal
    cost: Decimal


def issue_stock(
    *,
    tenant: Tenant,
    actor: Any,
    lines: Sequence[tuple[Item, Any]],
    price_lines: Sequence[LineSpec],
    on: date,
    series: str,
    memo: str,
    source_type: str,
    source_id: uuid.UUID,
    key: str | None = None,
) -> tuple[JournalEntry | None, list[IssuedLine]]:
    """Goods leaving the shop on another document than a till sale (a delivery on credit to another
    cooperative): each line at its moving-average cost, Dr 5201 HPP / Cr 1401, posted in one entry
    with the caller's `price_lines` (e.g. Dr 1301 piutang / Cr 4202). Returns the entry and each
    line's cost. Raises: ValidationError (bad quantity), InsufficientStock (more than on hand while
    the tenant forbids negative stock)."""
    require_scope(tenant)
    wanted = [(item, check_qty(qty, f"lines.{n}.qty")) for n, (item, qty) in enumerate(lines, start=1)]
    if not wanted:
        raise _refuse("lines", _l("Add at least one item."))
    items = _lock_items(item.id for item, _ in wanted)
    if not tenant_setting(tenant, "allow_negative_stock"):
        totals: dict[uuid.UUID, Decimal] = {}
        for item, qty in wanted:
            totals[item.id] = totals.get(item.id, ZERO_QTY) + qty
        for item_id, qty in totals.items():
            item = items[item_id]
            if qty > item.on_hand:
                message = _l(
                    "Not enough %(name)s in stock: %(on_hand)s %(unit)s on hand, %(qty)s asked.",
                    name=item.name,
                    on_hand=show_qty(item.on_hand),
                    unit=item.unit,
                    qty=show_qty(qty),
                )
                raise InsufficientStock(message, fields={"lines": [message]})
    inventory, cogs = shop_account("persediaan"), shop_account("hpp")
    pending, cost_lines, issued = _Pending(), [], []
    for item, qty in wanted:
        locked = items[item.id]
        move = costing.issue(_stock(locked), qty)
        cost = -move.value
        pending.move(
            locked, move, kind="sale", on=on, source_type=source_type, source_id=source_id, actor=actor
        )
        cost_lines += [_dr(cogs, cost, item_id=locked.id), _cr(inventory, cost, item_id=locked.id)]
        issued.append(IssuedLine(locked, qty, cost))
    entry = _post(
        tenant,
        actor,
        on=on,
        lines=[*price_lines, *cost_lines],
        series=series,
        source_type=source_type,
        source_id=source_id,
        memo=memo,
        key=key,
    )
    pending.write(entry)
    db.session.flush()
    return entry, issued
