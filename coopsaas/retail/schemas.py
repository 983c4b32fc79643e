"""JSON shapes of the shop API. Money and quantities travel as decimal strings ("1250000.00",
"2.5"): a JSON number is refused, and so are too many decimals."""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma

from coopsaas.api.fields import Money
from coopsaas.api.pagination import PageArgs


class Quantity(ma.fields.Decimal):
    default_error_messages = {"format": 'A quantity is a string with at most 3 decimals, like "2.5".'}
    regex = re.compile(r"^-?\d{1,15}(\.\d{1,3})?$")

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": self.regex.pattern, "example": "2.5", **kwargs.pop("metadata", {})}
        super().__init__(places=3, as_string=True, allow_nan=False, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not self.regex.match(value):
            raise self.make_error("format")
        return super()._deserialize(value, attr, data, **kwargs)


class UnitCost(ma.fields.Decimal):
    """The moving-average cost per unit, four places (read only)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=4, as_string=True, allow_nan=False, **kwargs)


class ItemSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    sku = ma.fields.String(required=True)
    barcode = ma.fields.String(allow_none=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    category = ma.fields.String(allow_none=True)
    member_price = Money(required=True)
    public_price = Money(required=True)
    reorder_point = Quantity(required=True)
    pack_conversions = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    is_active = ma.fields.Boolean(required=True)
    tracks_expiry = ma.fields.Boolean(required=True)
    on_hand = Quantity(required=True)
    avg_cost = UnitCost(required=True)
    stock_value = Money(required=True)


class ItemWriteSchema(ma.Schema):
    sku = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    member_price = Money(required=True)
    public_price = Money(required=True)
    barcode = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=64))
    unit = ma.fields.String(load_default="pcs", validate=ma.validate.Length(min=1, max=20))
    category = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=80))
    reorder_point = Quantity(load_default=None)
    pack_conversions = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(min=1, max=20)),
        values=Quantity(),
        load_default=dict,
    )
    is_active = ma.fields.Boolean(load_default=True)
    tracks_expiry = ma.fields.Boolean(
        load_default=False, metadata={"description": "Received in lots with an expiry date."}
    )


class ItemArgs(PageArgs):
    q = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=100),
        metadata={"description": "Part of the name or category, or the exact SKU or barcode."},
    )


class SupplierSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    contact = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    is_active = ma.fields.Boolean(required=True)


class SupplierCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    contact = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=120))
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    address = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))


class ItemRefSchema(ma.Schema):
    """An item named by its id or by its SKU (or barcode)."""

    item_id = ma.fields.UUID(load_default=None)
    sku = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=64))

    @ma.validates_schema
    def _one_reference(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("item_id") is None) == (data.get("sku") is None):
            raise ma.ValidationError("Give item_id or sku (one of them).", "item_id")


class OrderLineInSchema(ItemRefSchema):
    qty = Quantity(required=True)
    unit_cost = Money(required=True)


class OrderLineSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    line_no = ma.fields.Integer(required=True)
    item_id = ma.fields.UUID(required=True)
    qty = Quantity(required=True)
    unit_cost = Money(required=True)
    received_qty = Quantity(required=True)


class PurchaseOrderSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    number = ma.fields.String(required=True)
    supplier_id = ma.fields.UUID(required=True)
    status = ma.fields.String(required=True)
    ordered_on = ma.fields.Date(required=True)
    memo = ma.fields.String(required=True)
    total = Money(required=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema), required=True)


class PurchaseOrderCreateSchema(ma.Schema):
    supplier_id = ma.fields.UUID(required=True)
    memo = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    lines = ma.fields.List(
        ma.fields.Nested(OrderLineInSchema), required=True, validate=ma.validate.Length(min=1, max=200)
    )


class ReceiveLineSchema(ma.Schema):
    line_id = ma.fields.UUID(required=True)
    qty = Quantity(required=True)
    expires_on = ma.fields.Date(
        load_default=None,
        metadata={"description": "Expiry date of the lot (required for items tracking expiry)."},
    )
    lot_no = ma.fields.String(load_default=None, validate=ma.validate.Length(max=40))


class ReceiptCreateSchema(ma.Schema):
    lines = ma.fields.List(
        ma.fields.Nested(ReceiveLineSchema), required=True, validate=ma.validate.Length(min=1, max=200)
    )
    allow_over = ma.fields.Boolean(
        load_default=False, metadata={"description": "Accept more than the quantity still ordered."}
    )


class ReceiptLineSchema(ma.Schema):
    item_id = ma.fields.UUID(required=True)
    qty = Quantity(required=True)
    unit_cost = Money(required=True)
    value = Money(required=True)


class GoodsReceiptSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    number = ma.fields.String(required=True)
    order_id = ma.fields.UUID(required=True)
    received_on = ma.fields.Date(required=True)
    total = Money(required=True)
    journal_entry_id = ma.fields.UUID(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(ReceiptLineSchema), required=True)


class SaleLineInSchema(ItemRefSchema):
    qty = Quantity(required=True)


class SaleCreateSchema(ma.Schema):
    lines = ma.fields.List(
        ma.fields.Nested(SaleLineInSchema), required=True, validate=ma.validate.Length(min=1, max=100)
    )
    member_id = ma.fields.UUID(load_default=None, metadata={"description": "A member: member prices apply."})
    cash_tendered = Money(load_default=None, metadata={"description": "Empty: exact cash."})
    tender = ma.fields.String(
        load_default="cash",
        validate=ma.validate.OneOf(["cash", "credit"]),
        metadata={"description": "credit: a member's purchase on shop credit, within the limit."},
    )
    submit_key = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(min=1, max=64),
        metadata={"description": "One key per sale; defaults to the Idempotency-Key."},
    )


class SaleLineSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    item_id = ma.fields.UUID(required=True)
    sku = ma.fields.Function(lambda ln: ln.item.sku)
    name = ma.fields.Function(lambda ln: ln.item.name)
    qty = Quantity(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)
    returned_qty = Quantity(required=True)


class SaleSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    number = ma.fields.String(required=True)
    sold_on = ma.fields.Date(required=True)
    status = ma.fields.String(required=True)
    member_id = ma.fields.UUID(allow_none=True)
    tender = ma.fields.String(required=True, metadata={"enum": ["cash", "credit"]})
    total = Money(required=True)
    cash_tendered = Money(required=True)
    change = Money(required=True)
    journal_entry_id = ma.fields.UUID(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(SaleLineSchema), required=True)


class StockValueRowSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    on_hand = Quantity(required=True)
    avg_cost = UnitCost(required=True)
    stock_value = Money(required=True)


class StockValueSchema(ma.Schema):
    total = Money(required=True)
    control_balance = Money(required=True, metadata={"description": "Balance of the inventory account."})
    difference = Money(required=True)
    items = ma.fields.List(ma.fields.Nested(StockValueRowSchema), required=True)


class VoidSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class ReturnLineSchema(ma.Schema):
    line_id = ma.fields.UUID(required=True, metadata={"description": "The id of the sale line."})
    qty = Quantity(required=True)


class ReturnCreateSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    lines = ma.fields.List(
        ma.fields.Nested(ReturnLineSchema), required=True, validate=ma.validate.Length(min=1, max=100)
    )


class SaleReturnSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    number = ma.fields.String(required=True)
    sale_id = ma.fields.UUID(required=True)
    returned_on = ma.fields.Date(required=True)
    reason = ma.fields.String(required=True)
    total = Money(required=True, metadata={"description": "Cash paid back."})
    journal_entry_id = ma.fields.UUID(allow_none=True)


class SupplierInvoiceSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    supplier_id = ma.fields.UUID(required=True)
    order_id = ma.fields.UUID(allow_none=True)
    number = ma.fields.String(required=True)
    invoice_on = ma.fields.Date(required=True)
    due_on = ma.fields.Date(required=True)
    amount = Money(required=True)
    paid = Money(required=True)
    balance = Money(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["open", "partially_paid", "paid"]})


class SupplierInvoiceCreateSchema(ma.Schema):
    supplier_id = ma.fields.UUID(required=True)
    order_id = ma.fields.UUID(load_default=None)
    number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=60))
    amount = Money(required=True)
    invoice_on = ma.fields.Date(load_default=None)
    due_on = ma.fields.Date(
        load_default=None, metadata={"description": "Default: 30 days after the invoice."}
    )


class PaymentCreateSchema(ma.Schema):
    amount = Money(required=True)
    method = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(["cash", "transfer"]))


class PaymentSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    invoice_id = ma.fields.UUID(required=True)
    paid_on = ma.fields.Date(required=True)
    amount = Money(required=True)
    method = ma.fields.String(required=True)
    journal_entry_id = ma.fields.UUID(allow_none=True)


class MarginArgs(ma.Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)


class CategoryMarginSchema(ma.Schema):
    category = ma.fields.String(required=True, metadata={"description": "Empty for items without one."})
    items = ma.fields.Integer(required=True, metadata={"description": "Items sold in the category."})
    revenue = Money(required=True)
    cost = Money(required=True)
    margin = Money(required=True)
    margin_pct = ma.fields.Decimal(as_string=True, allow_none=True, metadata={"description": "Of revenue."})


class MarginRowSchema(ma.Schema):
    item_id = ma.fields.Function(lambda r: str(r.item.id))
    sku = ma.fields.Function(lambda r: r.item.sku)
    name = ma.fields.Function(lambda r: r.item.name)
    qty = Quantity(required=True, metadata={"description": "Sold, returns deducted."})
    revenue = Money(required=True)
    cost = Money(required=True)
    margin = Money(required=True)
