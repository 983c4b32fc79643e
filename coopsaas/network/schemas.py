"""JSON shapes of the supply network API. Money and quantities travel as decimal strings."""

from __future__ import annotations

import marshmallow as ma

from coopsaas.api.fields import Money
from coopsaas.api.pagination import PageArgs
from coopsaas.retail.schemas import Quantity

STATUSES = ("ordered", "confirmed", "delivered", "invoiced", "paid", "cancelled")


class NetworkPartnerSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": ["supplier", "distributor"]})
    region = ma.fields.String(allow_none=True)
    contact = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    categories = ma.fields.List(ma.fields.String(), attribute="category_list")
    is_active = ma.fields.Boolean(required=True)


class NetworkAdoptedSchema(ma.Schema):
    supplier_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)


class NetworkCatalogueEntrySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    item_id = ma.fields.UUID(required=True)
    sku = ma.fields.String(attribute="item.sku")
    name = ma.fields.String(attribute="item.name")
    unit = ma.fields.String(attribute="item.unit")
    network_price = Money(required=True)
    min_qty = Quantity(required=True)
    is_published = ma.fields.Boolean(required=True)


class NetworkPublishSchema(ma.Schema):
    sku = ma.fields.String(load_default=None, metadata={"description": "SKU or barcode of your item."})
    item_id = ma.fields.UUID(load_default=None)
    network_price = Money(required=True)
    min_qty = Quantity(load_default="1")


class NetworkOfferSchema(ma.Schema):
    id = ma.fields.UUID(required=True, metadata={"description": "Catalogue entry id, used to order."})
    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    category = ma.fields.String(allow_none=True)
    network_price = Money(required=True)
    min_qty = Quantity(required=True)


class NetworkHubLinkSchema(ma.Schema):
    link_id = ma.fields.UUID(required=True)
    hub = ma.fields.String(required=True, metadata={"description": "Slug of the hub cooperative."})
    name = ma.fields.String(required=True)


class NetworkOrderLineInSchema(ma.Schema):
    catalogue_item_id = ma.fields.UUID(required=True)
    qty = Quantity(required=True)
    item_id = ma.fields.UUID(
        load_default=None, metadata={"description": "Your own item to receive into; default: same SKU."}
    )


class NetworkOrderCreateSchema(ma.Schema):
    hub = ma.fields.String(required=True, metadata={"description": "Slug of the hub to order from."})
    lines = ma.fields.List(
        ma.fields.Nested(NetworkOrderLineInSchema), required=True, validate=ma.validate.Length(min=1)
    )
    memo = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class NetworkPurchaseSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    hub = ma.fields.String(required=True)
    ordered_on = ma.fields.Date(required=True)
    total = Money(required=True)
    paid = Money(required=True)
    invoice_number = ma.fields.String(allow_none=True)
    due_on = ma.fields.Date(allow_none=True)
    purchase_order_id = ma.fields.UUID(required=True)
    purchase_order_number = ma.fields.String(required=True)
    purchase_order_status = ma.fields.String(required=True)


class NetworkPaymentInSchema(ma.Schema):
    amount = Money(required=True)
    method = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(["cash", "transfer"]))


class NetworkReasonSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class NetworkSalesLineSchema(ma.Schema):
    line_no = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    qty = Quantity(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)
    cost_value = Money(required=True)


class NetworkSalesOrderSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    buyer_name = ma.fields.String(required=True)
    ordered_on = ma.fields.Date(required=True)
    confirmed_on = ma.fields.Date(allow_none=True)
    delivered_on = ma.fields.Date(allow_none=True)
    invoice_number = ma.fields.String(allow_none=True)
    invoice_on = ma.fields.Date(allow_none=True)
    due_on = ma.fields.Date(allow_none=True)
    total = Money(required=True)
    cost_total = Money(required=True)
    paid = Money(required=True)
    lines = ma.fields.List(ma.fields.Nested(NetworkSalesLineSchema))


class NetworkSalesArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))


class NetworkVolumeArgs(ma.Schema):
    agency = ma.fields.String(load_default=None, metadata={"description": "Agency slug; default your first."})
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)


class NetworkVolumeSchema(ma.Schema):
    tenant = ma.fields.String(required=True, metadata={"description": "Cooperative slug."})
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": ["hub", "buyer"]})
    orders = ma.fields.Integer(required=True)
    ordered_value = Money(required=True)
    delivered_value = Money(required=True)
    paid = Money(required=True)
    outstanding = Money(required=True)
