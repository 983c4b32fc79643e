"""Shop pages under /t/<slug>/toko/: items, suppliers, purchasing, the till, sales, stock take, reports.

Views are thin: load through the tenant scope (404 otherwise), check the permission, call one
service, commit once. Amounts typed by staff (`1.250.000`) are parsed here so a typo is a message
on its field.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from coopsaas.auth.models import User
from coopsaas.core.db import get_scoped
from coopsaas.core.ids import parse_uuid
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.retail import exports, services
from coopsaas.retail.forms import (
    InvoiceForm,
    ItemForm,
    PaymentForm,
    PurchaseOrderForm,
    ReceiveForm,
    ReturnForm,
    SaleForm,
    StockTakeForm,
    SupplierForm,
    VoidForm,
)
from coopsaas.retail.lots import LotData, lots_of
from coopsaas.retail.models import (
    Item,
    PurchaseOrder,
    Sale,
    SaleReturn,
    StockTake,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from coopsaas.retail.receipts import receipt_pdf
from coopsaas.retail.services import ItemData, OrderLineData, SaleLineData
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import acting_user as _actor
from coopsaas.web.helpers import form_failed as _failed
from coopsaas.web.helpers import form_money as _money
from coopsaas.web.helpers import load_or_404 as _load
from coopsaas.web.helpers import tenant_blueprint
from coopsaas.web.pagination import paginate

bp = tenant_blueprint("retail", __name__, "/toko", template_folder="templates")


# ---- items ----------------------------------------------------------------------------------------


@bp.get("/")
@require_permission("retail.view")
def items() -> Any:
    q = request.args.get("q", "").strip()[:100]
    page = paginate(services.find_items(q), per_page=50)
    return render_template("retail/items.html", page=page, q=q)


def _packs(form: ItemForm) -> dict[str, str] | None:
    packs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (form.packs.data or "").split(","))):
        name, sep, qty = part.partition("=")
        if not sep or not name.strip() or not qty.strip():
            form.packs.errors = [
                *list(form.packs.errors or []),
                _("Write packs as name=units, e.g. dus=24, pak=10."),
            ]
            return None
        packs[name.strip()] = qty.strip()
    return packs


def _item_data(form: ItemForm) -> ItemData | None:
    member_price, public_price = _money(form, "member_price"), _money(form, "public_price")
    packs = _packs(form)
    if member_price is None or public_price is None or packs is None:
        return None
    return ItemData(
        sku=form.sku.data or "",
        name=form.name.data or "",
        unit=form.unit.data or "pcs",
        barcode=form.barcode.data,
        category=form.category.data,
        member_price=member_price,
        public_price=public_price,
        reorder_point=(form.reorder_point.data or "0").replace(",", "."),
        pack_conversions=packs,
        is_active=bool(form.is_active.data),
        tracks_expiry=bool(form.tracks_expiry.data),
    )


@bp.route("/items/new", methods=["GET", "POST"])
@require_permission("retail.purchase")
def new_item() -> Any:
    form = ItemForm()
    if form.validate_on_submit():
        data = _item_data(form)
        if data is not None:
            try:
                item = services.create_item(tenant=g.tenant, actor=_actor(), data=data)
            except DomainError as exc:
                status = _failed(form, exc)
                return render_template("retail/item_form.html", form=form, item=None), status
            db.session.commit()
            flash(_("Item %(name)s has been added.", name=item.name), "success")
            return redirect(url_for("retail.item", item_id=item.id))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("retail/item_form.html", form=form, item=None), status


@bp.get("/items/<uuid:item_id>")
@require_permission("retail.view")
def item(item_id: uuid.UUID) -> Any:
    row = _load(Item, item_id)
    page = paginate(services.movements_of(row), per_page=50)
    item_lots = list(db.session.scalars(lots_of(row).limit(20))) if row.tracks_expiry else []
    return render_template("retail/item.html", item=row, page=page, lots=item_lots)


@bp.route("/items/<uuid:item_id>/edit", methods=["GET", "POST"])
@require_permission("retail.purchase")
def edit_item(item_id: uuid.UUID) -> Any:
    row = _load(Item, item_id)
    form = ItemForm(obj=row) if request.method == "GET" else ItemForm()
    if request.method == "GET":
        form.member_price.data = services.show_qty(row.member_price)
        form.public_price.data = services.show_qty(row.public_price)
        form.reorder_point.data = services.show_qty(row.reorder_point)
        form.packs.data = ", ".join(f"{k}={v}" for k, v in (row.pack_conversions or {}).items())
    if form.validate_on_submit():
        data = _item_data(form)
        if data is not None:
            try:
                services.update_item(tenant=g.tenant, actor=_actor(), item=row, data=data)
            except DomainError as exc:
                status = _failed(form, exc)
                return render_template("retail/item_form.html", form=form, item=row), status
            db.session.commit()
            flash(_("Item %(name)s has been saved.", name=row.name), "success")
            return redirect(url_for("retail.item", item_id=row.id))
    status = 422 if request.method == "POST" else 200
    return render_template("retail/item_form.html", form=form, item=row), status


# ---- suppliers ------------------------------------------------------------------------------------


@bp.get("/suppliers")
@require_permission("retail.view")
def suppliers() -> Any:
    page = paginate(select(Supplier).order_by(Supplier.name), per_page=50)
    return render_template("retail/suppliers.html", page=page)


@bp.route("/suppliers/new", methods=["GET", "POST"])
@require_permission("retail.purchase")
def new_supplier() -> Any:
    form = SupplierForm()
    if form.validate_on_submit():
        try:
            supplier = services.create_supplier(
                tenant=g.tenant,
                actor=_actor(),
                name=form.name.data or "",
                contact=form.contact.data,
                phone=form.phone.data,
                address=form.address.data,
            )
        except DomainError as exc:
            status = _failed(form, exc)
            return render_template("retail/supplier_form.html", form=form), status
        db.session.commit()
        flash(_("Supplier %(name)s has been added.", name=supplier.name), "success")
        return redirect(url_for("retail.suppliers"))
    status = 422 if request.method == "POST" else 200
    return render_template("retail/supplier_form.html", form=form), status


# ---- purchase orders, receipts, supplier invoices -------------------------------------------------


@bp.get("/orders")
@require_permission("retail.view")
def orders() -> Any:
    page = paginate(
        select(PurchaseOrder).order_by(PurchaseOrder.ordered_on.desc(), PurchaseOrder.number.desc()),
        per_page=50,
    )
    return render_template("retail/orders.html", page=page)


def _supplier_choices() -> list[SelectChoice]:
    rows = db.session.scalars(select(Supplier).where(Supplier.is_active.is_(True)).order_by(Supplier.name))
    return [SelectChoice(str(s.id), s.name) for s in rows]


@bp.route("/orders/new", methods=["GET", "POST"])
@require_permission("retail.purchase")
def new_order() -> Any:
    form = PurchaseOrderForm()
    form.supplier_id.choices = _supplier_choices()
    if form.validate_on_submit():
        supplier = get_scoped(db.session, Supplier, form.supplier_id.data)
        lines = []
        for n, entry in enumerate(form.lines.entries, start=1):
            sub = entry.form
            if not (sub.code.data or "").strip():
                continue
            found = services.item_by_code(sub.code.data)
            if found is None:
                form.form_errors.append(
                    _("Line %(n)s: no item with SKU or barcode %(code)s.", n=n, code=sub.code.data)
                )
                continue
            cost = _money(sub, "unit_cost")
            if cost is None:
                form.form_errors.append(_("Line %(n)s: type the unit price.", n=n))
                continue
            lines.append(OrderLineData(found, sub.qty.data or "", cost))
        if supplier is None:
            form.supplier_id.errors = [_("Choose a supplier.")]
        elif not form.form_errors:
            try:
                order = services.create_purchase_order(
                    tenant=g.tenant, actor=_actor(), supplier=supplier, lines=lines, memo=form.memo.data or ""
                )
            except DomainError as exc:
                status = _failed(form, exc)
                return render_template("retail/order_form.html", form=form), status
            db.session.commit()
            flash(_("Purchase order %(number)s has been placed.", number=order.number), "success")
            return redirect(url_for("retail.order", order_id=order.id))
    status = 422 if request.method == "POST" else 200
    return render_template("retail/order_form.html", form=form), status


def _order_page(
    order: PurchaseOrder,
    *,
    receive: ReceiveForm | None = None,
    invoice: InvoiceForm | None = None,
    status: int = 200,
) -> Any:
    if receive is None:
        receive = ReceiveForm()
        for line in order.lines:
            receive.lines.append_entry({"line_id": str(line.id), "qty": services.show_qty(line.open_qty)})
    invoices = db.session.scalars(
        select(SupplierInvoice)
        .where(SupplierInvoice.order_id == order.id)
        .order_by(SupplierInvoice.invoice_on)
    ).all()
    return render_template(
        "retail/order.html", order=order, receive=receive, invoice=invoice or InvoiceForm(), invoices=invoices
    ), status


@bp.get("/orders/<uuid:order_id>")
@require_permission("retail.view")
def order(order_id: uuid.UUID) -> Any:
    return _order_page(_load(PurchaseOrder, order_id))


@bp.post("/orders/<uuid:order_id>/receive")
@require_permission("retail.purchase")
def receive(order_id: uuid.UUID) -> Any:
    row = _load(PurchaseOrder, order_id)
    form = ReceiveForm()
    if not form.validate_on_submit():
        return _order_page(row, receive=form, status=422)
    quantities: dict[uuid.UUID, Any] = {}
    lot_data: dict[uuid.UUID, LotData] = {}
    for entry in form.lines.entries:
        line_id = parse_uuid(entry.form.line_id.data)
        if line_id is not None:
            quantities[line_id] = (entry.form.qty.data or "").strip()
            lot_no, expires_on = (entry.form.lot_no.data or "").strip(), entry.form.expires_on.data
            if lot_no or expires_on:
                lot_data[line_id] = LotData(expires_on=expires_on, lot_no=lot_no or None)
    try:
        receipt = services.receive_goods(
            tenant=g.tenant,
            actor=_actor(),
            order=row,
            quantities=quantities,
            allow_over=bool(form.allow_over.data),
            lot_data=lot_data,
        )
    except DomainError as exc:
        status = _failed(form, exc)
        return _order_page(_load(PurchaseOrder, order_id), receive=form, status=status)
    db.session.commit()
    flash(
        _(
            "Goods received: %(number)s, %(total)s.",
            number=receipt.number,
            total=services.costing_rupiah(receipt.total),
        ),
        "success",
    )
    return redirect(url_for("retail.order", order_id=row.id))


@bp.post("/orders/<uuid:order_id>/invoice")
@require_permission("retail.purchase")
def record_invoice(order_id: uuid.UUID) -> Any:
    row = _load(PurchaseOrder, order_id)
    form = InvoiceForm()
    if form.validate_on_submit():
        amount = _money(form, "amount")
        if amount is not None:
            supplier = _load(Supplier, row.supplier_id)
            try:
                invoice = services.record_supplier_invoice(
                    tenant=g.tenant,
                    actor=_actor(),
                    supplier=supplier,
                    number=form.number.data or "",
                    amount=amount,
                    invoice_on=form.invoice_on.data,
                    due_on=form.due_on.data,
                    order=row,
                )
            except DomainError as exc:
                status = _failed(form, exc)
                return _order_page(_load(PurchaseOrder, order_id), invoice=form, status=status)
            db.session.commit()
            flash(_("Invoice %(number)s has been recorded.", number=invoice.number), "success")
            return redirect(url_for("retail.invoice", invoice_id=invoice.id))
    return _order_page(row, invoice=form, status=422)


@bp.post("/orders/<uuid:order_id>/cancel")
@require_permission("retail.purchase")
def cancel_order(order_id: uuid.UUID) -> Any:
    row = _load(PurchaseOrder, order_id)
    try:
        services.cancel_order(tenant=g.tenant, actor=_actor(), order=row)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("retail.order", order_id=order_id))
    db.session.commit()
    flash(_("Purchase order %(number)s has been cancelled.", number=row.number), "success")
    return redirect(url_for("retail.order", order_id=row.id))


@bp.get("/invoices")
@require_permission("retail.view")
def invoices() -> Any:
    page = paginate(
        select(SupplierInvoice).order_by(SupplierInvoice.due_on, SupplierInvoice.number), per_page=50
    )
    today = services.today_for(g.tenant)
    return render_template(
        "retail/invoices.html",
        page=page,
        ageing=services.payables_ageing(today),
        today=today,
        buckets=services.AGEING_BUCKETS,
    )


def _invoice_page(invoice: SupplierInvoice, form: PaymentForm | None = None, status: int = 200) -> Any:
    payments = db.session.scalars(
        select(SupplierPayment)
        .where(SupplierPayment.invoice_id == invoice.id)
        .order_by(SupplierPayment.paid_on, SupplierPayment.created_at)
    ).all()
    return render_template(
        "retail/invoice.html", invoice=invoice, payments=payments, form=form or PaymentForm()
    ), status


@bp.get("/invoices/<uuid:invoice_id>")
@require_permission("retail.view")
def invoice(invoice_id: uuid.UUID) -> Any:
    return _invoice_page(_load(SupplierInvoice, invoice_id))


@bp.post("/invoices/<uuid:invoice_id>/pay")
@require_permission("retail.purchase")
def pay_invoice(invoice_id: uuid.UUID) -> Any:
    row = _load(SupplierInvoice, invoice_id)
    form = PaymentForm()
    if form.validate_on_submit():
        amount = _money(form, "amount")
        if amount is not None:
            try:
                services.pay_supplier_invoice(
                    tenant=g.tenant,
                    actor=_actor(),
                    invoice=row,
                    amount=amount,
                    method=form.method.data or "cash",
                )
            except DomainError as exc:
                status = _failed(form, exc)
                return _invoice_page(_load(SupplierInvoice, invoice_id), form, status)
            db.session.commit()
            flash(_("The payment has been recorded."), "success")
            return redirect(url_for("retail.invoice", invoice_id=row.id))
    return _invoice_page(row, form, 422)


# ---- the till -------------------------------------------------------------------------------------


def _cart(form: SaleForm) -> list[dict[str, Any]]:
    """The cart carried in the form: each line's code and quantity, with the item found for it."""
    cart = []
    for entry in form.lines.entries:
        code = (entry.form.code.data or "").strip()
        if code:
            cart.append(
                {
                    "code": code,
                    "qty": (entry.form.qty.data or "").strip(),
                    "item": services.item_by_code(code),
                }
            )
    return cart


def _member_id(form: SaleForm) -> tuple[uuid.UUID | None, bool]:
    """The member typed at the till (number, name or id): member prices apply."""
    raw = (form.member_id.data or "").strip()
    if not raw:
        return None, True
    member = services.find_member(raw)
    if member is None:
        form.member_id.errors = [_("No active member with this number.")]
        return None, False
    return member.id, True


def _priced(cart: list[dict[str, Any]], member: bool) -> tuple[Decimal, list[str]]:
    """Price each cart line in place (member price for a member); the total and any problems."""
    total, problems = Decimal("0.00"), []
    for n, line in enumerate(cart, start=1):
        line["price"] = line["amount"] = None
        if line["item"] is None:
            problems.append(_("Line %(n)s: the item %(code)s no longer exists.", n=n, code=line["code"]))
            continue
        try:
            [p] = services.price_lines([SaleLineData(line["item"], line["qty"])], member=member)
        except DomainError as exc:
            problems.append(_("Line %(n)s: %(message)s", n=n, message=str(exc.message)))
            continue
        line["price"], line["amount"] = p.unit_price, p.amount
        total += p.amount
    return total, problems


def _till(
    form: SaleForm, cart: list[dict[str, Any]], *, matches: list[Item] | None = None, status: int = 200
) -> Any:
    member, _valid = _member_id(form)
    total, problems = _priced(cart, member is not None)
    form.form_errors.extend(problems)
    return render_template(
        "retail/pos.html", form=form, cart=cart, total=total, matches=matches or []
    ), status


@bp.route("/pos", methods=["GET", "POST"])
@require_permission("retail.sell")
def pos() -> Any:
    form = SaleForm()
    if request.method == "GET":
        form.submit_key.data = uuid.uuid4().hex
        return _till(form, [])
    if not form.validate_on_submit():
        return _till(
            form, _cart(form) if not form.csrf_token.errors else [], status=422 if form.errors else 400
        )
    cart = _cart(form)
    action = request.form.get("action", "add")
    if action.startswith("remove-") and action[7:].isdigit() and int(action[7:]) < len(cart):
        del cart[int(action[7:])]
        return _till(form, cart)
    if action == "pay":
        return _pay(form, cart)
    return _add_to_cart(form, cart)


def _add_to_cart(form: SaleForm, cart: list[dict[str, Any]]) -> Any:
    code = (form.code.data or "").strip()
    if not code:
        form.code.errors = [_("Scan or type a barcode, SKU or name.")]
        return _till(form, cart, status=422)
    found = services.item_by_code(code)
    if found is None:
        matches = list(db.session.scalars(services.find_items(code, active_only=True).limit(10)))
        if len(matches) == 1:
            found = matches[0]
        elif matches:
            form.code.errors = [_("Several items match; pick one by its SKU.")]
            return _till(form, cart, matches=matches, status=422)
        else:
            form.code.errors = [_("No item with that barcode, SKU or name.")]
            return _till(form, cart, status=422)
    try:
        qty = services.check_qty((form.qty.data or "1").strip() or "1")
    except DomainError as exc:
        form.qty.errors = [str(exc.message)]
        return _till(form, cart, status=422)
    cart.append({"code": found.sku, "qty": format(qty.normalize(), "f"), "item": found})
    form.code.data, form.qty.data = "", "1"
    return _till(form, cart)


def _pay(form: SaleForm, cart: list[dict[str, Any]]) -> Any:
    member, valid = _member_id(form)
    cash = _money(form, "cash_tendered", required=False)
    if not valid or ((form.cash_tendered.data or "").strip() and cash is None):
        return _till(form, cart, status=422)
    if any(line["item"] is None for line in cart):
        return _till(form, cart, status=422)
    lines = [SaleLineData(line["item"], line["qty"]) for line in cart]
    try:
        sale = services.create_sale(
            tenant=g.tenant,
            actor=_actor(),
            lines=lines,
            cash_tendered=cash,
            submit_key=form.submit_key.data or "",
            member_id=member,
            tender=form.tender.data or "cash",
        )
    except DomainError as exc:
        status = _failed(form, exc)
        return _till(
            form, [{**line, "item": services.item_by_code(line["code"])} for line in cart], status=status
        )
    db.session.commit()
    if sale.tender == "credit":
        flash(_("Sale %(number)s: on the member's shop credit.", number=sale.number), "success")
        return redirect(url_for("retail.sale", sale_id=sale.id))
    flash(
        _(
            "Sale %(number)s: change %(change)s.",
            number=sale.number,
            change=services.costing_rupiah(sale.change),
        ),
        "success",
    )
    return redirect(url_for("retail.sale", sale_id=sale.id))


# ---- sales, returns, voids ------------------------------------------------------------------------


@bp.get("/sales")
@require_permission("retail.view")
def sales() -> Any:
    page = paginate(select(Sale).order_by(Sale.created_at.desc(), Sale.id.desc()), per_page=50)
    return render_template("retail/sales.html", page=page)


def _sale_page(
    sale: Sale, *, void: VoidForm | None = None, ret: ReturnForm | None = None, status: int = 200
) -> Any:
    if ret is None:
        ret = ReturnForm()
        for line in sale.lines:
            ret.lines.append_entry({"line_id": str(line.id), "qty": ""})
    returns = db.session.scalars(
        select(SaleReturn).where(SaleReturn.sale_id == sale.id).order_by(SaleReturn.created_at)
    ).all()
    return render_template(
        "retail/sale.html", sale=sale, void=void or VoidForm(), ret=ret, returns=returns
    ), status


@bp.get("/sales/<uuid:sale_id>")
@require_permission("retail.view")
def sale(sale_id: uuid.UUID) -> Any:
    return _sale_page(_load(Sale, sale_id))


@bp.get("/sales/<uuid:sale_id>/receipt.pdf")
@require_permission("retail.view")
def sale_receipt(sale_id: uuid.UUID) -> Any:
    row = _load(Sale, sale_id)
    cashier = db.session.get(User, row.created_by_id) if row.created_by_id else None
    data = receipt_pdf(row, coop_name=g.tenant.name, cashier=cashier.full_name if cashier else None)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="struk-{row.number}.pdf"'},
    )


@bp.post("/sales/<uuid:sale_id>/void")
@require_permission("retail.sell")
def void(sale_id: uuid.UUID) -> Any:
    row = _load(Sale, sale_id)
    form = VoidForm()
    if not form.validate_on_submit():
        return _sale_page(row, void=form, status=422)
    try:
        services.void_sale(tenant=g.tenant, actor=_actor(), sale=row, reason=form.reason.data or "")
    except DomainError as exc:
        status = _failed(form, exc)
        return _sale_page(_load(Sale, sale_id), void=form, status=status)
    db.session.commit()
    flash(_("Sale %(number)s has been voided.", number=row.number), "success")
    return redirect(url_for("retail.sale", sale_id=row.id))


@bp.post("/sales/<uuid:sale_id>/return")
@require_permission("retail.sell")
def return_goods(sale_id: uuid.UUID) -> Any:
    row = _load(Sale, sale_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _sale_page(row, ret=form, status=422)
    quantities = {}
    for entry in form.lines.entries:
        line_id = parse_uuid(entry.form.line_id.data)
        if line_id is not None:
            quantities[line_id] = (entry.form.qty.data or "").strip()
    try:
        ret = services.return_sale(
            tenant=g.tenant, actor=_actor(), sale=row, quantities=quantities, reason=form.reason.data or ""
        )
    except DomainError as exc:
        status = _failed(form, exc)
        return _sale_page(_load(Sale, sale_id), ret=form, status=status)
    db.session.commit()
    flash(
        _(
            "Return %(number)s: %(total)s paid back.",
            number=ret.number,
            total=services.costing_rupiah(ret.total),
        ),
        "success",
    )
    return redirect(url_for("retail.sale", sale_id=row.id))


# ---- stock take and reports -----------------------------------------------------------------------


@bp.route("/stock-take", methods=["GET", "POST"])
@require_permission("retail.purchase")
def stock_take() -> Any:
    q = request.args.get("q", "").strip()[:100]
    rows = list(db.session.scalars(services.find_items(q, active_only=True).limit(500)))
    form = StockTakeForm()
    if request.method == "GET":
        for item_row in rows:
            form.lines.append_entry({"item_id": str(item_row.id), "counted": ""})
    elif form.validate_on_submit():
        counts = {}
        for entry in form.lines.entries:
            item_id = parse_uuid(entry.form.item_id.data)
            if item_id is not None:
                counts[item_id] = (entry.form.counted.data or "").strip().replace(",", ".")
        try:
            take = services.record_stock_take(
                tenant=g.tenant, actor=_actor(), counts=counts, memo=form.memo.data or ""
            )
        except DomainError as exc:
            status = _failed(form, exc)
            return render_template("retail/stock_take.html", form=form, items=_items_of(form), q=q), status
        db.session.commit()
        flash(
            _(
                "Stock take %(number)s recorded; variance %(value)s.",
                number=take.number,
                value=services.costing_rupiah(take.variance_value),
            ),
            "success",
        )
        return redirect(url_for("retail.stock_take_detail", stock_take_id=take.id))
    status = 422 if request.method == "POST" else 200
    return render_template("retail/stock_take.html", form=form, items=_items_of(form), q=q), status


def _items_of(form: StockTakeForm) -> dict[str, Item]:
    ids = [i for i in (parse_uuid(e.form.item_id.data) for e in form.lines.entries) if i is not None]
    return {str(i.id): i for i in db.session.scalars(select(Item).where(Item.id.in_(ids)))} if ids else {}


@bp.get("/stock-takes/<uuid:stock_take_id>")
@require_permission("retail.view")
def stock_take_detail(stock_take_id: uuid.UUID) -> Any:
    return render_template("retail/stock_take_detail.html", take=_load(StockTake, stock_take_id))


@bp.get("/reports")
@require_permission("retail.view")
def reports() -> Any:
    today = services.today_for(g.tenant)
    start = _date_arg("start") or today.replace(day=1)
    end = _date_arg("end") or today
    try:
        value = services.stock_value(g.tenant)
    except DomainError as exc:
        flash(str(exc.message), "error")
        value = None
    margin = services.gross_margin(start, end)
    low = list(db.session.scalars(services.low_stock().limit(100)))
    return render_template(
        "retail/reports.html",
        value=value,
        low=low,
        margin=margin,
        categories=services.margin_by_category(margin),
        start=start,
        end=end,
    )


@bp.get("/reports/stock-value.csv", defaults={"fmt": "csv"})
@bp.get("/reports/stock-value.xlsx", defaults={"fmt": "xlsx"})
@require_permission("retail.view")
def stock_value_export(fmt: str) -> Any:
    report = services.stock_value(g.tenant)
    if fmt == "csv":
        data, mimetype = exports.stock_value_csv(report), "text/csv"
    else:
        data = exports.stock_value_xlsx(report, g.tenant.name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"nilai-persediaan-{services.today_for(g.tenant).isoformat()}.{fmt}"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "has_permission": has_permission,
        "order_statuses": {
            "draft": _("Draft"),
            "ordered": _("Ordered"),
            "partially_received": _("Partly received"),
            "received": _("Received"),
            "cancelled": _("Cancelled"),
        },
        "invoice_statuses": {"open": _("Unpaid"), "partially_paid": _("Partly paid"), "paid": _("Paid")},
        "sale_statuses": {"completed": _("Completed"), "voided": _("Voided")},
        "movement_kinds": {
            "receipt": _("Goods received"),
            "sale": _("Sale"),
            "return": _("Returned"),
            "adjustment": _("Stock take"),
        },
        "payment_methods": {"cash": _("Cash"), "transfer": _("Bank transfer")},
        "ageing_labels": {
            "current": _("Not yet due"),
            "1-30": _("1-30 days late"),
            "31-60": _("31-60 days late"),
            "61-90": _("61-90 days late"),
            "90+": _("Over 90 days late"),
        },
    }
