"""Shop endpoints under /api/v1/t/<slug>/retail/: items, suppliers, purchase orders and their
receipts, sales, stock value. The same services as the pages; the boundary commits."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request
from flask.views import MethodView
from sqlalchemy import select

from coopsaas.api.blueprint import get_or_not_found as _get
from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.retail import services
from coopsaas.retail.lots import LotData
from coopsaas.retail.models import Item, PurchaseOrder, Sale, Supplier, SupplierInvoice
from coopsaas.retail.schemas import (
    CategoryMarginSchema,
    GoodsReceiptSchema,
    ItemArgs,
    ItemSchema,
    ItemWriteSchema,
    MarginArgs,
    MarginRowSchema,
    PaymentCreateSchema,
    PaymentSchema,
    PurchaseOrderCreateSchema,
    PurchaseOrderSchema,
    ReceiptCreateSchema,
    ReturnCreateSchema,
    SaleCreateSchema,
    SaleReturnSchema,
    SaleSchema,
    StockValueSchema,
    SupplierCreateSchema,
    SupplierInvoiceCreateSchema,
    SupplierInvoiceSchema,
    SupplierSchema,
    VoidSchema,
)
from coopsaas.retail.services import ItemData, OrderLineData, SaleLineData
from coopsaas.tenancy.context import require_permission
from coopsaas.web.helpers import acting_user as _me

blp = tenant_blueprint(
    "api_retail", __name__, "/retail", description="The shop: items, purchasing, sales, stock."
)
BLUEPRINTS = (blp,)


def _item_ref(ref: dict[str, Any], n: int) -> Item:
    item = (
        get_scoped(db.session, Item, ref["item_id"])
        if ref.get("item_id") is not None
        else services.item_by_code(ref.get("sku") or "")
    )
    if item is None:
        message = _l("Line %(n)s: item not found.", n=n)
        raise ValidationError(message, fields={f"lines.{n}.item": [message]})
    return item


@blp.route("/items")
class Items(MethodView):
    @require_permission("retail.view")
    @blp.arguments(ItemArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(ItemSchema))
    def get(self, page: int, per_page: int, q: str) -> dict[str, Any]:
        """Items by name; `q` searches names and categories, or finds one SKU or barcode."""
        return paginate(services.find_items(q), page=page, per_page=per_page)

    @require_permission("retail.purchase")
    @idempotent
    @blp.arguments(ItemWriteSchema)
    @blp.response(201, ItemSchema)
    def post(self, data: dict[str, Any]) -> Item:
        """Add an item. Prices above zero; SKU and barcode unique in the cooperative."""
        return services.create_item(tenant=g.tenant, actor=_me(), data=ItemData(**data))


@blp.route("/items/<uuid:item_id>")
class ItemOne(MethodView):
    @require_permission("retail.view")
    @blp.response(200, ItemSchema)
    def get(self, item_id: uuid.UUID) -> Item:
        """One item with its stock figures."""
        return _get(Item, item_id, _l("Item not found."))

    @require_permission("retail.purchase")
    @blp.arguments(ItemWriteSchema)
    @blp.response(200, ItemSchema)
    def put(self, data: dict[str, Any], item_id: uuid.UUID) -> Item:
        """Change an item's details and prices (stock figures change only with movements)."""
        item = _get(Item, item_id, _l("Item not found."))
        return services.update_item(tenant=g.tenant, actor=_me(), item=item, data=ItemData(**data))


@blp.route("/suppliers")
class Suppliers(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(SupplierSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Suppliers by name."""
        return paginate(select(Supplier).order_by(Supplier.name, Supplier.id), page=page, per_page=per_page)

    @require_permission("retail.purchase")
    @idempotent
    @blp.arguments(SupplierCreateSchema)
    @blp.response(201, SupplierSchema)
    def post(self, data: dict[str, Any]) -> Supplier:
        """Add a supplier."""
        return services.create_supplier(tenant=g.tenant, actor=_me(), **data)


@blp.route("/purchase-orders")
class PurchaseOrders(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(PurchaseOrderSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Purchase orders, newest first."""
        stmt = select(PurchaseOrder).order_by(PurchaseOrder.ordered_on.desc(), PurchaseOrder.number.desc())
        return paginate(stmt, page=page, per_page=per_page)

    @require_permission("retail.purchase")
    @idempotent
    @blp.arguments(PurchaseOrderCreateSchema)
    @blp.response(201, PurchaseOrderSchema)
    def post(self, data: dict[str, Any]) -> PurchaseOrder:
        """Place a purchase order with a supplier."""
        supplier = get_scoped(db.session, Supplier, data["supplier_id"])
        if supplier is None:
            message = _l("Supplier not found.")
            raise ValidationError(message, fields={"supplier_id": [message]})
        lines = [
            OrderLineData(_item_ref(ln, n), ln["qty"], ln["unit_cost"])
            for n, ln in enumerate(data["lines"], start=1)
        ]
        return services.create_purchase_order(
            tenant=g.tenant, actor=_me(), supplier=supplier, lines=lines, memo=data["memo"]
        )


@blp.route("/purchase-orders/<uuid:order_id>")
class PurchaseOrderOne(MethodView):
    @require_permission("retail.view")
    @blp.response(200, PurchaseOrderSchema)
    def get(self, order_id: uuid.UUID) -> PurchaseOrder:
        """One purchase order with what has been received on each line."""
        return _get(PurchaseOrder, order_id, _l("Purchase order not found."))


@blp.route("/purchase-orders/<uuid:order_id>/receipts")
class Receipts(MethodView):
    @require_permission("retail.purchase")
    @idempotent
    @blp.arguments(ReceiptCreateSchema)
    @blp.response(201, GoodsReceiptSchema)
    def post(self, data: dict[str, Any], order_id: uuid.UUID) -> Any:
        """Receive goods on an order: stock in at the order's prices, posted to inventory and payables.
        More than still ordered is refused unless `allow_over`."""
        order = _get(PurchaseOrder, order_id, _l("Purchase order not found."))
        quantities = {ln["line_id"]: ln["qty"] for ln in data["lines"]}
        lot_data = {
            ln["line_id"]: LotData(expires_on=ln["expires_on"], lot_no=ln["lot_no"])
            for ln in data["lines"]
            if ln["expires_on"] is not None or ln["lot_no"]
        }
        return services.receive_goods(
            tenant=g.tenant,
            actor=_me(),
            order=order,
            quantities=quantities,
            allow_over=data["allow_over"],
            lot_data=lot_data,
        )


@blp.route("/sales")
class Sales(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(SaleSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Sales, newest first."""
        return paginate(
            select(Sale).order_by(Sale.created_at.desc(), Sale.id.desc()), page=page, per_page=per_page
        )

    @require_permission("retail.sell")
    @idempotent
    @blp.arguments(SaleCreateSchema)
    @blp.response(201, SaleSchema)
    def post(self, data: dict[str, Any]) -> Sale:
        """A cash sale. Send an Idempotency-Key (or a submit_key): a retry never makes a second sale.
        Selling more than on hand is refused (409) unless the cooperative allows negative stock."""
        key = data["submit_key"] or request.headers.get(HEADER, "").strip() or uuid.uuid4().hex
        lines = [SaleLineData(_item_ref(ln, n), ln["qty"]) for n, ln in enumerate(data["lines"], start=1)]
        return services.create_sale(
            tenant=g.tenant,
            actor=_me(),
            lines=lines,
            submit_key=key[:64],
            cash_tendered=data["cash_tendered"],
            member_id=data["member_id"],
            tender=data["tender"],
        )


@blp.route("/sales/<uuid:sale_id>")
class SaleOne(MethodView):
    @require_permission("retail.view")
    @blp.response(200, SaleSchema)
    def get(self, sale_id: uuid.UUID) -> Sale:
        """One sale with its lines."""
        return _get(Sale, sale_id, _l("Sale not found."))


@blp.route("/sales/<uuid:sale_id>/void")
class SaleVoid(MethodView):
    @require_permission("retail.sell")
    @idempotent
    @blp.arguments(VoidSchema)
    @blp.response(200, SaleSchema)
    def post(self, data: dict[str, Any], sale_id: uuid.UUID) -> Sale:
        """Void a whole sale with a reason: its entry is reversed and the goods go back into stock."""
        sale = _get(Sale, sale_id, _l("Sale not found."))
        return services.void_sale(tenant=g.tenant, actor=_me(), sale=sale, reason=data["reason"])


@blp.route("/sales/<uuid:sale_id>/returns")
class SaleReturns(MethodView):
    @require_permission("retail.sell")
    @idempotent
    @blp.arguments(ReturnCreateSchema)
    @blp.response(201, SaleReturnSchema)
    def post(self, data: dict[str, Any], sale_id: uuid.UUID) -> Any:
        """Take goods of a sale back (some lines, part quantities) and pay their price back in cash."""
        sale = _get(Sale, sale_id, _l("Sale not found."))
        quantities = {ln["line_id"]: ln["qty"] for ln in data["lines"]}
        return services.return_sale(
            tenant=g.tenant, actor=_me(), sale=sale, quantities=quantities, reason=data["reason"]
        )


@blp.route("/supplier-invoices")
class SupplierInvoices(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(SupplierInvoiceSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Supplier invoices by due date."""
        stmt = select(SupplierInvoice).order_by(SupplierInvoice.due_on, SupplierInvoice.id)
        return paginate(stmt, page=page, per_page=per_page)

    @require_permission("retail.purchase")
    @idempotent
    @blp.arguments(SupplierInvoiceCreateSchema)
    @blp.response(201, SupplierInvoiceSchema)
    def post(self, data: dict[str, Any]) -> SupplierInvoice:
        """Record a supplier's invoice (the payable was posted when the goods came in)."""
        supplier = get_scoped(db.session, Supplier, data["supplier_id"])
        order = get_scoped(db.session, PurchaseOrder, data["order_id"]) if data["order_id"] else None
        if supplier is None or (data["order_id"] and order is None):
            message = _l("Supplier or order not found.")
            raise ValidationError(message, fields={"supplier_id": [message]})
        return services.record_supplier_invoice(
            tenant=g.tenant,
            actor=_me(),
            supplier=supplier,
            number=data["number"],
            amount=data["amount"],
            invoice_on=data["invoice_on"],
            due_on=data["due_on"],
            order=order,
        )


@blp.route("/supplier-invoices/<uuid:invoice_id>/payments")
class SupplierPayments(MethodView):
    @require_permission("retail.purchase")
    @idempotent
    @blp.arguments(PaymentCreateSchema)
    @blp.response(201, PaymentSchema)
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Pay all or part of a supplier invoice; more than its balance is refused."""
        invoice = _get(SupplierInvoice, invoice_id, _l("Supplier invoice not found."))
        return services.pay_supplier_invoice(
            tenant=g.tenant, actor=_me(), invoice=invoice, amount=data["amount"], method=data["method"]
        )


@blp.route("/stock-value")
class StockValue(MethodView):
    @require_permission("retail.view")
    @blp.response(200, StockValueSchema)
    def get(self) -> dict[str, Any]:
        """Every item in stock with its value; the total equals the inventory account's balance."""
        report = services.stock_value(g.tenant)
        return {
            "total": report.total,
            "control_balance": report.control_balance,
            "difference": report.difference,
            "items": report.rows,
        }


@blp.route("/low-stock")
class LowStock(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(ItemSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Items sold that are at or below their reorder point."""
        return paginate(services.low_stock(), page=page, per_page=per_page)


@blp.route("/gross-margin")
class GrossMargin(MethodView):
    @require_permission("retail.view")
    @blp.arguments(MarginArgs, location="query", as_kwargs=True)
    @blp.response(200, MarginRowSchema(many=True))
    def get(self, start: Any, end: Any) -> list[Any]:
        """Per item sold between `start` and `end` (inclusive): quantity, revenue, cost and margin."""
        if end < start:
            message = _l("The end date is before the start date.")
            raise ValidationError(message, fields={"end": [message]})
        return services.gross_margin(start, end)


@blp.route("/gross-margin/categories")
class GrossMarginByCategory(MethodView):
    @require_permission("retail.view")
    @blp.arguments(MarginArgs, location="query", as_kwargs=True)
    @blp.response(200, CategoryMarginSchema(many=True))
    def get(self, start: Any, end: Any) -> list[Any]:
        """The gross margin between `start` and `end` summed per item category, largest first."""
        if end < start:
            message = _l("The end date is before the start date.")
            raise ValidationError(message, fields={"end": [message]})
        return services.margin_by_category(services.gross_margin(start, end))
