"""Supply network pages under /t/<slug>/jaringan/: the directory, the hub's catalogue and orders,
the buyer's orders. Thin: load through the tenant scope (404 otherwise), check the permission,
call one service, commit once. A refused step is a message on the page with its 4xx status.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from coopsaas.core.ids import parse_uuid
from coopsaas.core.money import MoneyError, parse_money
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.network import services as net
from coopsaas.network.models import CatalogueItem, NetworkPurchase, PaymentReceived, SalesOrder
from coopsaas.network.pdf import invoice_pdf
from coopsaas.retail import services as retail
from coopsaas.retail.lots import LotData
from coopsaas.retail.models import Item
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import acting_user as _actor
from coopsaas.web.helpers import load_or_404 as _load
from coopsaas.web.helpers import tenant_blueprint
from coopsaas.web.pagination import paginate

bp = tenant_blueprint("network", __name__, "/jaringan", template_folder="templates")


def _submit_key() -> str:
    """The form's submit key: a resubmission of the same form (a retry after an error) carries it,
    so the step it started is completed instead of done twice."""
    return (request.form.get("submit_key") or "").strip()[:64] or uuid.uuid4().hex


def _refused(exc: DomainError) -> None:
    db.session.rollback()
    flash(str(exc.message), "error")
    for messages in exc.fields.values():
        for m in messages:
            if str(m) != str(exc.message):
                flash(str(m), "error")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"status_label": net.status_label, "has_permission": has_permission}


# ---- overview and directory -------------------------------------------------------------------------


@bp.get("/")
@require_permission("retail.view")
def index() -> Any:
    tenant = g.tenant
    purchases = paginate(net.purchases(), per_page=30)
    registers = net.registers_of([p.id for p in purchases.items])
    links = [(ln, net.tenant_name(ln.hub_tenant_id)) for ln in net.links_as_buyer(tenant)]
    return render_template(
        "network/index.html", is_hub=net.is_hub(tenant), purchases=purchases, registers=registers, links=links
    )


@bp.get("/penjualan")
@require_permission("retail.view")
def sales() -> Any:
    status = request.args.get("status") or None
    if status not in (None, *net.STATUS_LABELS):
        status = None
    page = paginate(net.sales_orders(status), per_page=30)
    buyers = [net.tenant_name(ln.member_tenant_id) for ln in net.links_as_hub(g.tenant)]
    return render_template(
        "network/sales.html", is_hub=net.is_hub(g.tenant), page=page, buyers=buyers, status=status
    )


@bp.get("/direktori")
@require_permission("retail.view")
def directory() -> Any:
    rows = list(db.session.scalars(net.directory(g.tenant)))
    return render_template("network/directory.html", partners=rows, adopted=net.adopted_partner_ids())


@bp.post("/direktori/<uuid:partner_id>/tambah")
@require_permission("retail.purchase")
def adopt(partner_id: uuid.UUID) -> Any:
    try:
        supplier = net.adopt_partner(tenant=g.tenant, actor=_actor(), partner_id=partner_id)
    except DomainError as exc:
        _refused(exc)
        if exc.http_status == 404:
            abort(404)
        rows = list(db.session.scalars(net.directory(g.tenant)))
        return render_template(
            "network/directory.html", partners=rows, adopted=net.adopted_partner_ids()
        ), exc.http_status
    db.session.commit()
    flash(_("%(name)s is now one of your suppliers.", name=supplier.name), "success")
    return redirect(url_for("network.directory"))


# ---- the hub's catalogue --------------------------------------------------------------------------------


def _catalogue_page(status: int = 200) -> Any:
    entries = list(db.session.scalars(net.catalogue()))
    return render_template("network/catalogue.html", entries=entries, is_hub=net.is_hub(g.tenant)), status


@bp.get("/katalog")
@require_permission("retail.view")
def catalogue() -> Any:
    return _catalogue_page()


@bp.post("/katalog")
@require_permission("retail.manage")
def publish() -> Any:
    item = retail.item_by_code(request.form.get("code", ""))
    if item is None:
        flash(_("No item with SKU or barcode %(code)s.", code=request.form.get("code", "")[:64]), "error")
        return _catalogue_page(422)
    try:
        price = parse_money(request.form.get("network_price", ""))
    except MoneyError:
        flash(_("Type an amount like 1.250.000 or 1250000,50."), "error")
        return _catalogue_page(422)
    try:
        net.publish_item(
            tenant=g.tenant,
            actor=_actor(),
            item=item,
            network_price=price,
            min_qty=(request.form.get("min_qty") or "1").replace(",", "."),
        )
    except DomainError as exc:
        _refused(exc)
        return _catalogue_page(exc.http_status)
    db.session.commit()
    flash(_("%(name)s is in the network catalogue.", name=item.name), "success")
    return redirect(url_for("network.catalogue"))


@bp.post("/katalog/<uuid:entry_id>/tarik")
@require_permission("retail.manage")
def unpublish(entry_id: uuid.UUID) -> Any:
    entry = _load(CatalogueItem, entry_id)
    net.unpublish_item(tenant=g.tenant, actor=_actor(), entry=entry)
    db.session.commit()
    flash(_("The item was taken out of the network catalogue."), "success")
    return redirect(url_for("network.catalogue"))


# ---- buying from the hub ----------------------------------------------------------------------------------


def _hub_page(link_id: uuid.UUID, status: int = 200) -> Any:
    try:
        link = net.buyer_link(g.tenant, link_id)
        offers = net.browse_catalogue(tenant=g.tenant, actor=_actor(), link=link)
    except DomainError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    items = list(db.session.scalars(select(Item).where(Item.is_active.is_(True)).order_by(Item.name)))
    return render_template(
        "network/hub.html",
        link_id=link_id,
        hub_name=net.tenant_name(link.hub_tenant_id),
        offers=offers,
        items=items,
        form=request.form,
        submit_key=_submit_key(),
    ), status


@bp.get("/hub/<uuid:link_id>")
@require_permission("retail.view")
def hub(link_id: uuid.UUID) -> Any:
    return _hub_page(link_id)


@bp.post("/hub/<uuid:link_id>/pesan")
@require_permission("retail.purchase")
def place(link_id: uuid.UUID) -> Any:
    try:
        link = net.buyer_link(g.tenant, link_id)
    except DomainError:
        abort(404)
    lines = []
    for key, value in request.form.items():
        if key.startswith("qty-") and (value or "").strip() not in ("", "0"):
            cid = key[4:]
            lines.append(net.OrderLineRequest(cid, value.strip(), request.form.get(f"item-{cid}") or None))
    try:
        purchase = net.place_order(
            tenant=g.tenant,
            actor=_actor(),
            link=link,
            lines=lines,
            memo=request.form.get("memo", ""),
            key=request.form.get("submit_key") or None,
        )
    except DomainError as exc:
        _refused(exc)
        return _hub_page(link_id, exc.http_status)
    purchase_id = purchase.id
    db.session.commit()
    flash(_("Your order has been sent to the hub."), "success")
    return redirect(url_for("network.purchase", order_id=purchase_id))


def _purchase_page(purchase: NetworkPurchase, status: int = 200) -> Any:
    return render_template(
        "network/purchase.html",
        purchase=purchase,
        state=net.order_state(purchase),
        po=net.purchase_order_of(purchase),
        invoice=net.buyer_invoice(purchase),
        hub_name=net.tenant_name(purchase.hub_tenant_id),
        submit_key=_submit_key(),
    ), status


@bp.get("/pembelian/<uuid:order_id>")
@require_permission("retail.view")
def purchase(order_id: uuid.UUID) -> Any:
    return _purchase_page(_load(NetworkPurchase, order_id))


def _buyer_step(order_id: uuid.UUID, step: Any, done: str) -> Any:
    row = _load(NetworkPurchase, order_id)
    try:
        step(row)
    except DomainError as exc:
        _refused(exc)
        return _purchase_page(_load(NetworkPurchase, order_id), exc.http_status)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("network.purchase", order_id=order_id))


def _lot_data() -> dict[uuid.UUID, LotData]:
    """Expiry dates typed on the receive form (`expires-<line id>`, YYYY-MM-DD)."""
    out: dict[uuid.UUID, LotData] = {}
    for key, value in request.form.items():
        line_id = parse_uuid(key[8:]) if key.startswith("expires-") else None
        if line_id is None or not (value or "").strip():
            continue
        try:
            out[line_id] = LotData(expires_on=date.fromisoformat(value.strip()), lot_no=None)
        except ValueError:
            continue  # left out: the service then asks for the date by the item's name
    return out


@bp.post("/pembelian/<uuid:order_id>/terima")
@require_permission("retail.purchase")
def receive(order_id: uuid.UUID) -> Any:
    lot_data = _lot_data()
    return _buyer_step(
        order_id,
        lambda p: net.receive_delivery(tenant=g.tenant, actor=_actor(), purchase=p, lot_data=lot_data),
        _("The goods are in your stock."),
    )


@bp.post("/pembelian/<uuid:order_id>/bayar")
@require_permission("retail.purchase")
def pay(order_id: uuid.UUID) -> Any:
    try:
        amount = parse_money(request.form.get("amount", ""))
    except MoneyError:
        flash(_("Type an amount like 1.250.000 or 1250000,50."), "error")
        return _purchase_page(_load(NetworkPurchase, order_id), 422)
    method = request.form.get("method", "cash")
    key = request.form.get("submit_key") or None
    return _buyer_step(
        order_id,
        lambda p: net.pay_invoice(
            tenant=g.tenant, actor=_actor(), purchase=p, amount=amount, method=method, key=key
        ),
        _("The payment is recorded in your books and the hub's."),
    )


@bp.post("/pembelian/<uuid:order_id>/batal")
@require_permission("retail.purchase")
def cancel_purchase(order_id: uuid.UUID) -> Any:
    reason = request.form.get("reason", "")
    return _buyer_step(
        order_id,
        lambda p: net.cancel_purchase(tenant=g.tenant, actor=_actor(), purchase=p, reason=reason),
        _("The order is cancelled."),
    )


# ---- the hub's orders ---------------------------------------------------------------------------


def _sale_page(order: SalesOrder, status: int = 200) -> Any:
    payments = db.session.scalars(
        select(PaymentReceived)
        .where(PaymentReceived.order_id == order.id)
        .order_by(PaymentReceived.created_at)
    ).all()
    return render_template("network/sale.html", order=order, payments=payments), status


@bp.get("/penjualan/<uuid:order_id>")
@require_permission("retail.view")
def sale(order_id: uuid.UUID) -> Any:
    return _sale_page(_load(SalesOrder, order_id))


def _hub_step(order_id: uuid.UUID, step: Any, done: str) -> Any:
    row = _load(SalesOrder, order_id)
    try:
        step(row)
    except DomainError as exc:
        _refused(exc)
        return _sale_page(_load(SalesOrder, order_id), exc.http_status)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("network.sale", order_id=order_id))


@bp.post("/penjualan/<uuid:order_id>/konfirmasi")
@require_permission("retail.purchase")
def confirm(order_id: uuid.UUID) -> Any:
    return _hub_step(
        order_id,
        lambda o: net.confirm_order(tenant=g.tenant, actor=_actor(), order=o),
        _("The order is confirmed."),
    )


@bp.post("/penjualan/<uuid:order_id>/kirim")
@require_permission("retail.purchase")
def deliver(order_id: uuid.UUID) -> Any:
    return _hub_step(
        order_id,
        lambda o: net.deliver_order(tenant=g.tenant, actor=_actor(), order=o),
        _("The goods are delivered and booked."),
    )


@bp.post("/penjualan/<uuid:order_id>/faktur")
@require_permission("retail.manage")
def invoice(order_id: uuid.UUID) -> Any:
    return _hub_step(
        order_id,
        lambda o: net.issue_invoice(tenant=g.tenant, actor=_actor(), order=o),
        _("The invoice is issued."),
    )


@bp.post("/penjualan/<uuid:order_id>/batal")
@require_permission("retail.purchase")
def cancel_sale(order_id: uuid.UUID) -> Any:
    reason = request.form.get("reason", "")
    return _hub_step(
        order_id,
        lambda o: net.cancel_sales_order(tenant=g.tenant, actor=_actor(), order=o, reason=reason),
        _("The order is cancelled."),
    )


@bp.get("/penjualan/<uuid:order_id>/faktur.pdf")
@require_permission("retail.view")
def invoice_file(order_id: uuid.UUID) -> Any:
    order = _load(SalesOrder, order_id)
    if not order.invoice_number:
        abort(404)
    data = invoice_pdf(order, hub_name=g.tenant.name, hub_address=g.tenant.address)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="faktur-{order.invoice_number}.pdf"'},
    )
