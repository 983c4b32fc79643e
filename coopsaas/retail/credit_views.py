"""Receivables pages under /t/<slug>/toko/: member credit, the payroll list, business customers,
invoices (faktur) and the receivables ageing. Thin views over credit.py, invoices.py and
receivables.py; the request commits once."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from coopsaas.core.db import get_scoped
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.members.models import Member
from coopsaas.retail import credit, invoices, receivables, services
from coopsaas.retail.credit_forms import (
    CreditPaymentForm,
    CustomerForm,
    InvoiceForm,
    InvoicePaymentForm,
    InvoiceVoidForm,
    SavingsDeductionForm,
)
from coopsaas.retail.credit_models import Customer, Invoice
from coopsaas.retail.invoice_pdf import invoice_pdf
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.tenancy.sync import tenant_setting
from coopsaas.web.helpers import acting_user as _actor
from coopsaas.web.helpers import form_failed as _failed
from coopsaas.web.helpers import form_money as _money
from coopsaas.web.helpers import load_or_404 as _load
from coopsaas.web.helpers import tenant_blueprint
from coopsaas.web.pagination import paginate

bp = tenant_blueprint("retail_credit", __name__, "/toko", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, mimetype: str, name: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# ---- member credit --------------------------------------------------------------------------------


@bp.get("/credit")
@require_permission("retail.view")
def credit_members() -> Any:
    ref = request.args.get("member", "").strip()[:40]
    if ref:
        member = services.find_member(ref)
        if member is not None:
            return redirect(url_for("retail_credit.member_credit", member_id=member.id))
        flash(_("No active member with this number."), "error")
    page = paginate(credit.members_owing(), per_page=50)
    return render_template("retail/credit_members.html", page=page, ref=ref)


def _credit_page(
    member: Member,
    *,
    pay: CreditPaymentForm | None = None,
    deduct: SavingsDeductionForm | None = None,
    status: int = 200,
) -> Any:
    if pay is None:
        pay = CreditPaymentForm()
        pay.submit_key.data = uuid.uuid4().hex
    if deduct is None:
        deduct = SavingsDeductionForm()
        deduct.submit_key.data = uuid.uuid4().hex
    page = paginate(credit.transactions_of(member.id), per_page=50)
    return render_template(
        "retail/credit_member.html",
        member=member,
        status=credit.credit_status(g.tenant, member),
        page=page,
        pay=pay,
        deduct=deduct,
        invoices=db.session.scalars(
            select(Invoice)
            .where(Invoice.member_id == member.id, Invoice.status.in_(("open", "partial")))
            .order_by(Invoice.due_on)
        ).all(),
    ), status


@bp.get("/credit/<uuid:member_id>")
@require_permission("retail.view")
def member_credit(member_id: uuid.UUID) -> Any:
    return _credit_page(_load(Member, member_id))


@bp.post("/credit/<uuid:member_id>/pay")
@require_permission("retail.sell")
def pay_credit(member_id: uuid.UUID) -> Any:
    member = _load(Member, member_id)
    form = CreditPaymentForm()
    if form.validate_on_submit():
        amount = _money(form, "amount")
        if amount is not None:
            try:
                txn = credit.pay_credit(
                    tenant=g.tenant,
                    actor=_actor(),
                    member=member,
                    amount=amount,
                    method=form.method.data or "cash",
                    idempotency_key=form.submit_key.data or None,
                )
            except DomainError as exc:
                status = _failed(form, exc)
                return _credit_page(_load(Member, member_id), pay=form, status=status)
            db.session.commit()
            flash(
                _("Payment recorded; still owed %(left)s.", left=services.costing_rupiah(txn.balance_after)),
                "success",
            )
            return redirect(url_for("retail_credit.member_credit", member_id=member_id))
    return _credit_page(member, pay=form, status=422)


@bp.post("/credit/<uuid:member_id>/deduct")
@require_permission("savings.transact")
def deduct_credit(member_id: uuid.UUID) -> Any:
    member = _load(Member, member_id)
    form = SavingsDeductionForm()
    if form.validate_on_submit():
        amount = _money(form, "amount")
        if amount is not None:
            try:
                txn = credit.deduct_from_savings(
                    tenant=g.tenant,
                    actor=_actor(),
                    member=member,
                    amount=amount,
                    idempotency_key=form.submit_key.data or None,
                )
            except DomainError as exc:
                status = _failed(form, exc)
                return _credit_page(_load(Member, member_id), deduct=form, status=status)
            db.session.commit()
            flash(
                _(
                    "Taken from savings; still owed %(left)s.",
                    left=services.costing_rupiah(txn.balance_after),
                ),
                "success",
            )
            return redirect(url_for("retail_credit.member_credit", member_id=member_id))
    return _credit_page(member, deduct=form, status=422)


def _month_arg() -> str:
    return request.args.get("month", "").strip()[:7] or services.today_for(g.tenant).strftime("%Y-%m")


@bp.get("/credit/payroll")
@require_permission("retail.view")
def payroll() -> Any:
    month = _month_arg()
    try:
        groups = credit.payroll_list(month)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return render_template("retail/credit_payroll.html", month=month, groups=[]), exc.http_status
    return render_template("retail/credit_payroll.html", month=month, groups=groups)


@bp.get("/credit/payroll.xlsx")
@require_permission("retail.view")
def payroll_xlsx() -> Any:
    month = _month_arg()
    try:
        groups = credit.payroll_list(month)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("retail_credit.payroll"))
    data = receivables.payroll_xlsx(month, groups, g.tenant.name)
    return _download(data, XLSX, f"potongan-gaji-toko-{month}.xlsx")


# ---- customers ------------------------------------------------------------------------------------


@bp.get("/customers")
@require_permission("retail.view")
def customers() -> Any:
    page = paginate(select(Customer).order_by(Customer.name), per_page=50)
    return render_template("retail/customers.html", page=page)


@bp.route("/customers/new", methods=["GET", "POST"])
@require_permission("retail.sell")
def new_customer() -> Any:
    form = CustomerForm()
    if form.validate_on_submit():
        try:
            customer = invoices.create_customer(
                tenant=g.tenant,
                actor=_actor(),
                name=form.name.data or "",
                address=form.address.data,
                npwp=form.npwp.data,
                phone=form.phone.data,
            )
        except DomainError as exc:
            status = _failed(form, exc)
            return render_template("retail/customer_form.html", form=form), status
        db.session.commit()
        flash(_("Customer %(name)s has been added.", name=customer.name), "success")
        return redirect(url_for("retail_credit.customers"))
    status = 422 if request.method == "POST" else 200
    return render_template("retail/customer_form.html", form=form), status


# ---- invoices -------------------------------------------------------------------------------------


@bp.get("/faktur")
@require_permission("retail.view")
def invoice_list() -> Any:
    state = request.args.get("status", "")
    page = paginate(invoices.invoice_query(state or None), per_page=50)
    return render_template("retail/sales_invoices.html", page=page, state=state)


def _customer_choices() -> list[SelectChoice]:
    rows = db.session.scalars(select(Customer).where(Customer.is_active.is_(True)).order_by(Customer.name))
    return [SelectChoice("", _("(a member)")), *(SelectChoice(str(c.id), c.name) for c in rows)]


@bp.route("/faktur/new", methods=["GET", "POST"])
@require_permission("retail.sell")
def new_invoice() -> Any:
    form = InvoiceForm()
    form.customer_id.choices = _customer_choices()
    if request.method == "GET":
        form.submit_key.data = uuid.uuid4().hex
        form.terms_days.data = str(tenant_setting(g.tenant, "invoice_terms_days"))
        return render_template("retail/sales_invoice_form.html", form=form)
    if form.validate_on_submit():
        customer = member = None
        if form.customer_id.data:
            customer = get_scoped(db.session, Customer, form.customer_id.data)
            if customer is None:
                form.customer_id.errors = [_("Choose a customer.")]
        if (form.member_ref.data or "").strip():
            member = services.find_member(form.member_ref.data)
            if member is None:
                form.member_ref.errors = [_("No active member with this number.")]
        lines = []
        for n, entry in enumerate(form.lines.entries, start=1):
            sub = entry.form
            if not (sub.code.data or "").strip():
                continue
            item = services.item_by_code(sub.code.data)
            if item is None:
                form.form_errors.append(
                    _("Line %(n)s: no item with SKU or barcode %(code)s.", n=n, code=sub.code.data)
                )
                continue
            price = None
            if (sub.unit_price.data or "").strip():
                price = _money(sub, "unit_price")
                if price is None:
                    form.form_errors.append(_("Line %(n)s: type the unit price.", n=n))
                    continue
            lines.append(invoices.InvoiceLineData(item, (sub.qty.data or "").strip(), price))
        if not any([form.customer_id.errors, form.member_ref.errors, form.form_errors]):
            try:
                invoice = invoices.issue_invoice(
                    tenant=g.tenant,
                    actor=_actor(),
                    lines=lines,
                    submit_key=form.submit_key.data or "",
                    customer=customer,
                    member=member,
                    invoice_on=form.invoice_on.data,
                    terms_days=form.terms_days.data,
                    memo=form.memo.data or "",
                )
            except DomainError as exc:
                status = _failed(form, exc)
                form.customer_id.choices = _customer_choices()
                return render_template("retail/sales_invoice_form.html", form=form), status
            db.session.commit()
            flash(_("Invoice %(number)s has been issued.", number=invoice.number), "success")
            return redirect(url_for("retail_credit.invoice_detail", invoice_id=invoice.id))
    return render_template("retail/sales_invoice_form.html", form=form), 422


def _invoice_page(
    invoice: Invoice,
    *,
    pay: InvoicePaymentForm | None = None,
    void: InvoiceVoidForm | None = None,
    status: int = 200,
) -> Any:
    return render_template(
        "retail/sales_invoice.html",
        invoice=invoice,
        buyer=invoices.buyer_of(invoice),
        payments=invoices.payments_of(invoice),
        pay=pay or InvoicePaymentForm(),
        void=void or InvoiceVoidForm(),
    ), status


@bp.get("/faktur/<uuid:invoice_id>")
@require_permission("retail.view")
def invoice_detail(invoice_id: uuid.UUID) -> Any:
    return _invoice_page(_load(Invoice, invoice_id))


@bp.get("/faktur/<uuid:invoice_id>/faktur.pdf")
@require_permission("retail.view")
def invoice_print(invoice_id: uuid.UUID) -> Any:
    row = _load(Invoice, invoice_id)
    data = invoice_pdf(row, tenant=g.tenant, buyer=invoices.buyer_of(row))
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{row.number}.pdf"'},
    )


@bp.post("/faktur/<uuid:invoice_id>/pay")
@require_permission("retail.sell")
def pay_invoice(invoice_id: uuid.UUID) -> Any:
    row = _load(Invoice, invoice_id)
    form = InvoicePaymentForm()
    if form.validate_on_submit():
        amount = _money(form, "amount")
        if amount is not None:
            try:
                invoices.record_payment(
                    tenant=g.tenant,
                    actor=_actor(),
                    invoice=row,
                    amount=amount,
                    method=form.method.data or "cash",
                    paid_on=form.paid_on.data,
                )
            except DomainError as exc:
                status = _failed(form, exc)
                return _invoice_page(_load(Invoice, invoice_id), pay=form, status=status)
            db.session.commit()
            flash(_("The payment has been recorded."), "success")
            return redirect(url_for("retail_credit.invoice_detail", invoice_id=invoice_id))
    return _invoice_page(row, pay=form, status=422)


@bp.post("/faktur/<uuid:invoice_id>/void")
@require_permission("retail.sell")
def void_invoice(invoice_id: uuid.UUID) -> Any:
    row = _load(Invoice, invoice_id)
    form = InvoiceVoidForm()
    if form.validate_on_submit():
        try:
            invoices.void_invoice(tenant=g.tenant, actor=_actor(), invoice=row, reason=form.reason.data or "")
        except DomainError as exc:
            status = _failed(form, exc)
            return _invoice_page(_load(Invoice, invoice_id), void=form, status=status)
        db.session.commit()
        flash(_("Invoice %(number)s has been voided.", number=row.number), "success")
        return redirect(url_for("retail_credit.invoice_detail", invoice_id=invoice_id))
    return _invoice_page(row, void=form, status=422)


# ---- ageing ---------------------------------------------------------------------------------------


def _as_of() -> date | None:
    try:
        return date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return None


@bp.get("/receivables", endpoint="receivables")
@require_permission("retail.view")
def receivables_page() -> Any:
    try:
        report = receivables.ageing(g.tenant, _as_of())
    except DomainError as exc:
        flash(str(exc.message), "error")
        report = None
    return render_template("retail/receivables.html", report=report, buckets=receivables.BUCKETS)


@bp.get("/receivables.csv", defaults={"fmt": "csv"})
@bp.get("/receivables.xlsx", defaults={"fmt": "xlsx"})
@require_permission("retail.view")
def receivables_export(fmt: str) -> Any:
    report = receivables.ageing(g.tenant, _as_of())
    name = f"umur-piutang-{report.as_of.isoformat()}.{fmt}"
    if fmt == "csv":
        return _download(receivables.ageing_csv(report), "text/csv", name)
    return _download(receivables.ageing_xlsx(report, g.tenant.name), XLSX, name)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "has_permission": has_permission,
        "credit_kinds": {
            "sale": _("Credit sale"),
            "invoice": _("Invoice"),
            "payment": _("Paid at the counter"),
            "savings": _("Paid from savings"),
            "exit": _("Settled at exit"),
            "void": _("Sale voided"),
            "return": _("Goods returned"),
        },
        "sales_invoice_statuses": {
            "open": _("Unpaid"),
            "partial": _("Partly paid"),
            "paid": _("Paid"),
            "voided": _("Void"),
        },
        "payment_methods": {
            "cash": _("Cash"),
            "transfer": _("Bank transfer"),
            "savings": _("From savings"),
            "exit": _("Settled at exit"),
        },
        "ageing_labels": {
            "current": _("Not yet due"),
            "1-30": _("1-30 days late"),
            "31-60": _("31-60 days late"),
            "61-90": _("61-90 days late"),
            "90+": _("Over 90 days late"),
        },
    }
