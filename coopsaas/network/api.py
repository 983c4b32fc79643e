"""Supply network endpoints under /api/v1/t/<slug>/network/ (a cooperative's side) and
/api/v1/agency/network/ (volumes for agency staff). The same services as the pages."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_login import current_user, login_required
from sqlalchemy import select

from coopsaas.api.blueprint import PREFIX, ApiBlueprint, tenant_blueprint
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.network import services as net
from coopsaas.network.bridge import NotLinked
from coopsaas.network.models import CatalogueItem, NetworkPurchase, SalesOrder
from coopsaas.network.schemas import (
    NetworkAdoptedSchema,
    NetworkCatalogueEntrySchema,
    NetworkHubLinkSchema,
    NetworkOfferSchema,
    NetworkOrderCreateSchema,
    NetworkPartnerSchema,
    NetworkPaymentInSchema,
    NetworkPublishSchema,
    NetworkPurchaseSchema,
    NetworkReasonSchema,
    NetworkSalesArgs,
    NetworkSalesOrderSchema,
    NetworkVolumeArgs,
    NetworkVolumeSchema,
)
from coopsaas.retail import services as retail
from coopsaas.retail.models import Item
from coopsaas.tenancy.context import require_permission
from coopsaas.tenancy.models import Tenant
from coopsaas.web.helpers import acting_user as _me
from coopsaas.web.helpers import user_agencies

blp = tenant_blueprint(
    "api_network", __name__, "/network", description="The supply network between a hub and its cooperatives."
)
agency_blp = ApiBlueprint(
    "api_network_agency",
    __name__,
    url_prefix=PREFIX + "/agency/network",
    description="Supply network volumes for agency staff (session login only).",
)
BLUEPRINTS = (blp, agency_blp)


def _request_key() -> str | None:
    """The request's Idempotency-Key (checked by @idempotent): a retry after a failure carries it,
    so the network step it started is completed instead of done twice."""
    return (request.headers.get(HEADER) or "").strip() or None


def _get(model: type[Any], ident: Any) -> Any:
    row = get_scoped(db.session, model, ident)
    if row is None:
        raise NotFound(_l("Not found."))
    return row


def _purchase_out(purchase: NetworkPurchase) -> dict[str, Any]:
    state = net.order_state(purchase)
    po = net.purchase_order_of(purchase)
    return {
        "id": purchase.id,
        "number": state.number,
        "status": state.status,
        "hub": net.tenant_name(purchase.hub_tenant_id),
        "ordered_on": state.ordered_on,
        "total": state.total,
        "paid": state.paid,
        "invoice_number": state.invoice_number,
        "due_on": state.due_on,
        "purchase_order_id": po.id,
        "purchase_order_number": po.number,
        "purchase_order_status": po.status,
    }


# ---- directory -------------------------------------------------------------------------------------


@blp.route("/directory")
class Directory(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(NetworkPartnerSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """The agency's directory of suppliers and distributors (read-only for cooperatives)."""
        return paginate(net.directory(g.tenant), page=page, per_page=per_page)


@blp.route("/directory/<uuid:partner_id>/adopt")
class Adopt(MethodView):
    @require_permission("retail.purchase")
    @idempotent
    @blp.response(201, NetworkAdoptedSchema)
    def post(self, partner_id: uuid.UUID) -> dict[str, Any]:
        """Copy a directory entry into your own suppliers (once)."""
        supplier = net.adopt_partner(tenant=g.tenant, actor=_me(), partner_id=partner_id)
        return {"supplier_id": supplier.id, "name": supplier.name}


# ---- the hub's catalogue ---------------------------------------------------------------------------


@blp.route("/catalogue")
class Catalogue(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(NetworkCatalogueEntrySchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Your own catalogue as a hub, published or not."""
        return paginate(net.catalogue(), page=page, per_page=per_page)

    @require_permission("retail.manage")
    @idempotent
    @blp.arguments(NetworkPublishSchema)
    @blp.response(201, NetworkCatalogueEntrySchema)
    def post(self, data: dict[str, Any]) -> CatalogueItem:
        """Publish one of your items (or change its network price and minimum order). Hubs only."""
        item = (
            get_scoped(db.session, Item, data["item_id"])
            if data["item_id"]
            else retail.item_by_code(data["sku"] or "")
        )
        if item is None:
            message = _l("Item not found.")
            raise ValidationError(message, fields={"sku": [message]})
        return net.publish_item(
            tenant=g.tenant,
            actor=_me(),
            item=item,
            network_price=data["network_price"],
            min_qty=data["min_qty"],
        )


@blp.route("/catalogue/<uuid:entry_id>/unpublish")
class Unpublish(MethodView):
    @require_permission("retail.manage")
    @blp.response(200, NetworkCatalogueEntrySchema)
    def post(self, entry_id: uuid.UUID) -> CatalogueItem:
        """Take an item out of the network catalogue."""
        return net.unpublish_item(tenant=g.tenant, actor=_me(), entry=_get(CatalogueItem, entry_id))


# ---- buying from the hub -----------------------------------------------------------------------------


@blp.route("/hubs")
class Hubs(MethodView):
    @require_permission("retail.view")
    @blp.response(200, NetworkHubLinkSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """The hubs your cooperative is linked to."""
        out = []
        for link in net.links_as_buyer(g.tenant):
            hub = db.session.scalars(select(Tenant).where(Tenant.id == link.hub_tenant_id)).one()
            out.append({"link_id": link.id, "hub": hub.slug, "name": hub.name})
        return out


@blp.route("/hubs/<hub_slug>/catalogue")
class HubCatalogue(MethodView):
    @require_permission("retail.view")
    @blp.response(200, NetworkOfferSchema(many=True))
    def get(self, hub_slug: str) -> list[Any]:
        """A linked hub's published catalogue (404 without a link: a path names a resource)."""
        try:
            link = net.buyer_link_to(g.tenant, hub_slug)
        except NotLinked as exc:
            raise NotFound(exc.message) from None
        return net.browse_catalogue(tenant=g.tenant, actor=_me(), link=link)


@blp.route("/orders")
class Orders(MethodView):
    @require_permission("retail.purchase")
    @idempotent
    @blp.arguments(NetworkOrderCreateSchema)
    @blp.response(201, NetworkPurchaseSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Order from your hub's catalogue: the hub receives a sales order, you get a purchase order."""
        link = net.buyer_link_to(g.tenant, data["hub"])
        lines = [
            net.OrderLineRequest(ln["catalogue_item_id"], ln["qty"], ln["item_id"]) for ln in data["lines"]
        ]
        purchase = net.place_order(
            tenant=g.tenant, actor=_me(), link=link, lines=lines, memo=data["memo"], key=_request_key()
        )
        return _purchase_out(purchase)


@blp.route("/purchases")
class Purchases(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(NetworkPurchaseSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Your network orders, newest first."""
        return paginate(
            net.purchases(),
            page=page,
            per_page=per_page,
            transform=lambda rows: [_purchase_out(p) for p in rows],
        )


@blp.route("/purchases/<uuid:order_id>")
class PurchaseOne(MethodView):
    @require_permission("retail.view")
    @blp.response(200, NetworkPurchaseSchema)
    def get(self, order_id: uuid.UUID) -> dict[str, Any]:
        """One of your network orders with its state, invoice and purchase order."""
        return _purchase_out(_get(NetworkPurchase, order_id))


@blp.route("/purchases/<uuid:order_id>/receive")
class Receive(MethodView):
    @require_permission("retail.purchase")
    @idempotent
    @blp.response(200, NetworkPurchaseSchema)
    def post(self, order_id: uuid.UUID) -> dict[str, Any]:
        """Receive the delivered goods into stock (Dr 1401 / Cr 2111 at the network prices)."""
        purchase = _get(NetworkPurchase, order_id)
        net.receive_delivery(tenant=g.tenant, actor=_me(), purchase=purchase)
        return _purchase_out(purchase)


@blp.route("/purchases/<uuid:order_id>/payments")
class Pay(MethodView):
    @require_permission("retail.purchase")
    @idempotent
    @blp.arguments(NetworkPaymentInSchema)
    @blp.response(201, NetworkPurchaseSchema)
    def post(self, data: dict[str, Any], order_id: uuid.UUID) -> dict[str, Any]:
        """Pay the hub's invoice (all or part); recorded in your books and as received in the hub's."""
        purchase = _get(NetworkPurchase, order_id)
        net.pay_invoice(
            tenant=g.tenant,
            actor=_me(),
            purchase=purchase,
            amount=data["amount"],
            method=data["method"],
            key=_request_key(),
        )
        return _purchase_out(_get(NetworkPurchase, order_id))


@blp.route("/purchases/<uuid:order_id>/cancel")
class CancelPurchase(MethodView):
    @require_permission("retail.purchase")
    @blp.arguments(NetworkReasonSchema)
    @blp.response(200, NetworkPurchaseSchema)
    def post(self, data: dict[str, Any], order_id: uuid.UUID) -> dict[str, Any]:
        """Withdraw an order the hub has not confirmed yet."""
        purchase = _get(NetworkPurchase, order_id)
        net.cancel_purchase(tenant=g.tenant, actor=_me(), purchase=purchase, reason=data["reason"])
        return _purchase_out(_get(NetworkPurchase, order_id))


# ---- the hub's orders ----------------------------------------------------------------------------------


@blp.route("/sales")
class Sales(MethodView):
    @require_permission("retail.view")
    @blp.arguments(NetworkSalesArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(NetworkSalesOrderSchema))
    def get(self, page: int, per_page: int, status: str | None) -> dict[str, Any]:
        """Orders your linked cooperatives placed with you as a hub."""
        return paginate(net.sales_orders(status), page=page, per_page=per_page)


@blp.route("/sales/<uuid:order_id>")
class SaleOne(MethodView):
    @require_permission("retail.view")
    @blp.response(200, NetworkSalesOrderSchema)
    def get(self, order_id: uuid.UUID) -> SalesOrder:
        """One network sales order with its lines."""
        return _get(SalesOrder, order_id)


def _hub_step(name: str, permission: str, doc: str) -> type[MethodView]:
    steps = {
        "confirm": lambda o, data: net.confirm_order(tenant=g.tenant, actor=_me(), order=o),
        "deliver": lambda o, data: net.deliver_order(tenant=g.tenant, actor=_me(), order=o),
        "invoice": lambda o, data: net.issue_invoice(tenant=g.tenant, actor=_me(), order=o),
    }

    class Step(MethodView):
        @require_permission(permission)
        @idempotent
        @blp.response(200, NetworkSalesOrderSchema)
        def post(self, order_id: uuid.UUID) -> SalesOrder:
            order = _get(SalesOrder, order_id)
            steps[name](order, None)
            return order

    Step.post.__doc__ = doc
    Step.__name__ = f"Sale{name.title()}"
    return Step


blp.route("/sales/<uuid:order_id>/confirm")(_hub_step("confirm", "retail.purchase", "Confirm an order."))
blp.route("/sales/<uuid:order_id>/deliver")(
    _hub_step(
        "deliver",
        "retail.purchase",
        "Deliver: stock out at average cost, Dr 1301 / Cr 4202, Dr 5201 / Cr 1401.",
    )
)
blp.route("/sales/<uuid:order_id>/invoice")(
    _hub_step("invoice", "retail.manage", "Issue the invoice (faktur) of a delivered order, due in 30 days.")
)


@blp.route("/sales/<uuid:order_id>/cancel")
class CancelSale(MethodView):
    @require_permission("retail.purchase")
    @blp.arguments(NetworkReasonSchema)
    @blp.response(200, NetworkSalesOrderSchema)
    def post(self, data: dict[str, Any], order_id: uuid.UUID) -> SalesOrder:
        """Decline an order before delivery; the buyer's purchase order is cancelled too."""
        order = _get(SalesOrder, order_id)
        return net.cancel_sales_order(tenant=g.tenant, actor=_me(), order=order, reason=data["reason"])


# ---- agency --------------------------------------------------------------------------------------------


@agency_blp.route("/volumes")
class Volumes(MethodView):
    decorators = [login_required]

    @agency_blp.arguments(NetworkVolumeArgs, location="query", as_kwargs=True)
    @agency_blp.response(200, NetworkVolumeSchema(many=True))
    def get(self, agency: str | None, start: Any, end: Any) -> list[dict[str, Any]]:
        """Network orders per cooperative in a period: count, ordered, delivered, paid, outstanding."""
        if g.get("api_token") is not None:
            raise PermissionDenied(_l("An API token acts in one cooperative only; sign in as agency staff."))
        agencies = user_agencies(current_user)
        chosen = next((a for a in agencies if agency in (None, a.slug)), None)
        if chosen is None:
            raise PermissionDenied(_l("Only agency staff can see network volumes."))
        if end < start:
            raise ValidationError(
                _l("The end date is before the start date."), fields={"end": [_l("After the start.")]}
            )
        return [
            {
                "tenant": r.tenant.slug,
                "name": r.tenant.name,
                "role": r.role,
                "orders": r.orders,
                "ordered_value": r.ordered_value,
                "delivered_value": r.delivered_value,
                "paid": r.paid,
                "outstanding": r.outstanding,
            }
            for r in net.network_volumes(chosen, start, end)
        ]
