"""Loan pages: products, applications (with a schedule preview), approval, disbursement, the loan
book, and the member's own loans under /me."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coopsaas.core.db import get_scoped
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, exports, products
from coopsaas.loans.forms import ApplicationForm, DecisionForm, DisburseForm, ProductForm, money_or_text
from coopsaas.loans.models import (
    APPLICATION_STATUSES,
    APPROVED,
    LOAN_STATUSES,
    SUBMITTED,
    Loan,
    LoanApplication,
    LoanProduct,
)
from coopsaas.loans.pdf import ScheduleDoc, ScheduleRow, rate_text, schedule_pdf
from coopsaas.members import services as members
from coopsaas.members.models import Member
from coopsaas.tenancy.context import current_roles, has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint
from coopsaas.web.helpers import load_or_404 as _get
from coopsaas.web.pagination import paginate

bp = tenant_blueprint("loans", __name__, "/loans", template_folder="templates")
me_bp = tenant_blueprint("loans_me", __name__, "/me/loans", template_folder="templates")

FORM_KEY_PREFIX = "form:"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pdf(data: bytes, name: str) -> Any:
    resp = make_response(data)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


# ---- the loan book ----------------------------------------------------------------------------------


def _book_filters() -> tuple[Any, dict[str, Any]]:
    """The loan book's query from the page's filters (?q, status, product_id, from, to)."""
    status = request.args.get("status") or None
    status = status if status in LOAN_STATUSES else None
    product = (
        get_scoped(db.session, LoanProduct, request.args.get("product_id"))
        if request.args.get("product_id")
        else None
    )
    q = (request.args.get("q") or "").strip()[:100]
    stmt = disbursement.loans_query(
        status=status,
        product_id=product.id if product else None,
        q=q,
        disbursed_from=_date_arg("from"),
        disbursed_to=_date_arg("to"),
    )
    return stmt, {"status": status, "q": q, "product": product}


@bp.get("/")
@require_permission("loans.view")
def index() -> Any:
    stmt, filters = _book_filters()
    status, q, product = filters["status"], filters["q"], filters["product"]
    page = paginate(stmt, per_page=50)
    return render_template(
        "loans/index.html",
        page=page,
        status=status,
        q=q,
        product=product,
        products=products.products(),
        date_from=_date_arg("from"),
        date_to=_date_arg("to"),
        can_apply=has_permission("loans.apply"),
    )


@bp.get("/export.csv", defaults={"fmt": "csv"})
@bp.get("/export.xlsx", defaults={"fmt": "xlsx"})
@require_permission("loans.view")
def export(fmt: str) -> Any:
    """The filtered loan book as a spreadsheet (every loan, not one page)."""
    stmt, _filters = _book_filters()
    rows = exports.loan_rows(list(db.session.scalars(stmt)))
    if fmt == "csv":
        data, mimetype = exports.to_csv(rows), "text/csv; charset=utf-8"
    else:
        data, mimetype = exports.to_xlsx(g.tenant.name, rows), XLSX
    resp = make_response(data)
    resp.headers["Content-Type"] = mimetype
    resp.headers["Content-Disposition"] = f'attachment; filename="pinjaman-{g.tenant.slug}.{fmt}"'
    return resp


@bp.get("/<uuid:loan_id>")
@require_permission("loans.view")
def loan(loan_id: uuid.UUID) -> Any:
    row = _get(Loan, loan_id)
    return render_template("loans/loan.html", **_loan_context(row))


def _loan_context(row: Loan) -> dict[str, Any]:
    rows = disbursement.instalments_of(row)
    return {
        "loan": row,
        "rows": rows,
        "next_due": disbursement.next_due(row, rows),
        "equivalent_rate": apps.disclosed_rate(disbursement.stored_schedule(row, rows)),
    }


def _loan_doc(row: Loan) -> ScheduleDoc:
    return ScheduleDoc(
        coop_name=g.tenant.name,
        title="JADWAL ANGSURAN PINJAMAN",
        reference=row.loan_no,
        member_no=row.member.member_no,
        member_name=row.member.name,
        product_name=row.terms.get("product_name", row.product.name),
        method=row.method,
        rate_text=rate_text(row.rate, row.rate_basis),
        equivalent_rate_pa=apps.disclosed_rate(disbursement.stored_schedule(row)),
        principal=row.principal,
        term_months=row.term_months,
        start_on=row.disbursed_on,
        admin_fee=row.admin_fee,
        provision_fee=row.provision_fee,
        net_disbursed=row.net_disbursed,
        rows=[
            ScheduleRow(r.no, r.due_on, r.principal, r.interest, r.balance_after)
            for r in disbursement.instalments_of(row)
        ],
    )


@bp.get("/<uuid:loan_id>/schedule.pdf")
@require_permission("loans.view")
def loan_pdf(loan_id: uuid.UUID) -> Any:
    row = _get(Loan, loan_id)
    return _pdf(schedule_pdf(_loan_doc(row)), f"jadwal-{row.loan_no}.pdf")


# ---- products -----------------------------------------------------------------------------------------


@bp.get("/products")
@require_permission("loans.view")
def product_list() -> Any:
    products.ensure_products(g.tenant, actor=current_user)
    db.session.commit()
    return render_template(
        "loans/products.html",
        products=products.products(),
        can_manage=has_permission("loans.manage"),
        describe=products.describe_max,
    )


@bp.route("/products/<uuid:product_id>/edit", methods=["GET", "POST"])
@require_permission("loans.manage")
def product_edit(product_id: uuid.UUID) -> Any:
    product = _get(LoanProduct, product_id)
    form = ProductForm(obj=product if request.method == "GET" else None)
    if request.method == "GET":
        form.rate.data = product.rate.replace(".", ",")
        form.provision_pct.data = product.provision_pct.replace(".", ",")
        form.penalty_rate_pct.data = product.penalty_rate_pct.replace(".", ",")
        form.max_savings_multiple.data = (product.max_savings_multiple or "").replace(".", ",")
        for name in ("min_amount", "max_amount", "admin_fee"):
            getattr(form, name).data = f"{getattr(product, name):.0f}"
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in products.EDITABLE}
        try:
            products.update_product(tenant=g.tenant, actor=current_user, product=product, values=values)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return render_template(
                "loans/product_edit.html", form=form, product=_get(LoanProduct, product_id)
            ), 422
        db.session.commit()
        flash(_("Product %(code)s saved.", code=product.code), "success")
        return redirect(url_for("loans.product_list"))
    status = 422 if form.errors else 200
    return render_template("loans/product_edit.html", form=form, product=product), status


# ---- applications ------------------------------------------------------------------------------------


@bp.get("/applications")
@require_permission("loans.view")
def applications() -> Any:
    status = request.args.get("status") or None
    status = status if status in APPLICATION_STATUSES else None
    page = paginate(apps.applications_query(status=status), per_page=50)
    return render_template(
        "loans/applications.html", page=page, status=status, can_apply=has_permission("loans.apply")
    )


def _member_by_no(text: str | None) -> Member | None:
    number = (text or "").strip().upper()
    if not number:
        return None
    return db.session.scalars(select(Member).where(Member.member_no == number)).one_or_none()


def _application_form() -> ApplicationForm:
    form = ApplicationForm()
    form.product_id.choices = [
        (str(p.id), f"{p.name} ({p.code})") for p in products.products(active_only=True)
    ]
    return form


@bp.route("/applications/new", methods=["GET", "POST"])
@require_permission("loans.apply")
def apply() -> Any:
    if request.method == "GET":
        products.ensure_products(g.tenant, actor=current_user)
        db.session.commit()
    form = _application_form()
    if request.method == "GET" and request.args.get("member_no"):
        form.member_no.data = request.args["member_no"]
    offer = None
    context: dict[str, Any] = {}
    if form.validate_on_submit():
        member = _member_by_no(form.member_no.data)
        product = get_scoped(db.session, LoanProduct, form.product_id.data)
        if member is None or product is None:
            if member is None:
                form.member_no.errors = [*form.member_no.errors, _("No member has this number.")]
            else:
                form.product_id.errors = [*form.product_id.errors, _("Choose a product.")]
            return render_template("loans/apply.html", form=form, offer=None), 422
        try:
            if request.form.get("action") == "save":
                application = apps.submit_application(
                    tenant=g.tenant,
                    actor=current_user,
                    member=member,
                    product=product,
                    amount=money_or_text(form.amount.data),
                    term_months=form.term_months.data,
                    purpose=form.purpose.data or "",
                    collateral=form.collateral.data or "",
                    collateral_value=money_or_text(form.collateral_value.data)
                    if form.collateral_value.data
                    else None,
                    guarantor=form.guarantor.data or "",
                    idempotency_key=FORM_KEY_PREFIX + (form.submit_key.data or ""),
                )
                db.session.commit()
                flash(
                    _("Application %(no)s saved; it now waits for approval.", no=application.application_no),
                    "success",
                )
                return redirect(url_for("loans.application", application_id=application.id))
            offer = apps.quote(
                tenant=g.tenant,
                member=member,
                product=product,
                amount=money_or_text(form.amount.data),
                term_months=form.term_months.data,
            )
            context = {"member": member, "product": product}
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return render_template("loans/apply.html", form=form, offer=None), exc.http_status
        db.session.rollback()  # a preview writes nothing
    status = 422 if form.errors else 200
    return render_template("loans/apply.html", form=form, offer=offer, **context), status


@bp.get("/applications/preview.pdf")
@require_permission("loans.apply")
def preview_pdf() -> Any:
    """The schedule of a quote, printed before anything is saved."""
    member = _member_by_no(request.args.get("member_no"))
    product = get_scoped(db.session, LoanProduct, request.args.get("product_id"))
    if member is None or product is None:
        abort(404)
    offer = apps.quote(
        tenant=g.tenant,
        member=member,
        product=product,
        amount=money_or_text(request.args.get("amount")),
        term_months=request.args.get("term_months"),
    )
    db.session.rollback()
    doc = _quote_doc(
        offer, member, "-", "SIMULASI JADWAL ANGSURAN", note="Simulasi, belum merupakan perjanjian pinjaman."
    )
    return _pdf(schedule_pdf(doc), "simulasi-angsuran.pdf")


def _quote_doc(offer: apps.Quote, member: Member, reference: str, title: str, note: str = "") -> ScheduleDoc:
    s = offer.schedule
    return ScheduleDoc(
        coop_name=g.tenant.name,
        title=title,
        reference=reference,
        member_no=member.member_no,
        member_name=member.name,
        product_name=offer.terms["product_name"],
        method=offer.terms["method"],
        rate_text=rate_text(offer.terms["rate"], offer.terms["rate_basis"]),
        equivalent_rate_pa=offer.equivalent_rate_pa,
        principal=offer.amount,
        term_months=offer.term_months,
        start_on=s.disbursed_on,
        admin_fee=offer.admin_fee,
        provision_fee=offer.provision_fee,
        net_disbursed=offer.net_disbursed,
        rows=[ScheduleRow(r.no, r.due_on, r.principal, r.interest, r.balance_after) for r in s.instalments],
        note=note,
    )


def _application_page(application: LoanApplication, status: int = 200, **forms: Any) -> Any:
    offer = apps.application_quote(g.tenant, application)
    loan_row = db.session.scalars(select(Loan).where(Loan.application_id == application.id)).one_or_none()
    context = {
        "application": application,
        "offer": offer,
        "loan": loan_row,
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "disburse_form": forms.get("disburse_form") or DisburseForm(),
        "can_decide": has_permission("loans.approve")
        and application.status == SUBMITTED
        and application.created_by_id != current_user.id,
        "is_maker": application.created_by_id == current_user.id,
        "can_disburse": has_permission("loans.transact") and application.status == APPROVED,
    }
    return render_template("loans/application.html", **context), status


@bp.get("/applications/<uuid:application_id>")
@require_permission("loans.view")
def application(application_id: uuid.UUID) -> Any:
    return _application_page(_get(LoanApplication, application_id))


@bp.get("/applications/<uuid:application_id>/schedule.pdf")
@require_permission("loans.view")
def application_pdf(application_id: uuid.UUID) -> Any:
    row = _get(LoanApplication, application_id)
    doc = _quote_doc(
        apps.application_quote(g.tenant, row),
        row.member,
        row.application_no,
        "SIMULASI JADWAL ANGSURAN",
        note="Jadwal dihitung ulang pada tanggal pencairan.",
    )
    return _pdf(schedule_pdf(doc), f"simulasi-{row.application_no}.pdf")


def _decide(application_id: uuid.UUID, approve: bool) -> Any:
    row = _get(LoanApplication, application_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _application_page(row, 422, decision_form=form)
    service = apps.approve_application if approve else apps.reject_application
    try:
        service(tenant=g.tenant, actor=current_user, application=row, reason=form.reason.data or "")
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _application_page(_get(LoanApplication, application_id), exc.http_status, decision_form=form)
    db.session.commit()
    flash(_("Application approved.") if approve else _("Application rejected."), "success")
    return redirect(url_for("loans.application", application_id=row.id))


@bp.post("/applications/<uuid:application_id>/approve")
@require_permission("loans.approve")
def approve(application_id: uuid.UUID) -> Any:
    return _decide(application_id, True)


@bp.post("/applications/<uuid:application_id>/reject")
@require_permission("loans.approve")
def reject(application_id: uuid.UUID) -> Any:
    return _decide(application_id, False)


@bp.post("/applications/<uuid:application_id>/disburse")
@require_permission("loans.transact")
def disburse(application_id: uuid.UUID) -> Any:
    row = _get(LoanApplication, application_id)
    form = DisburseForm()
    if not form.validate_on_submit():
        return _application_page(row, 422, disburse_form=form)
    try:
        made = disbursement.disburse(
            tenant=g.tenant,
            actor=current_user,
            application=row,
            channel=form.channel.data or "cash",
            on=form.disbursed_on.data,
            idempotency_key=FORM_KEY_PREFIX + (form.submit_key.data or ""),
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _application_page(_get(LoanApplication, application_id), exc.http_status, disburse_form=form)
    db.session.commit()
    flash(_("Loan %(no)s disbursed.", no=made.loan_no), "success")
    return redirect(url_for("loans.loan", loan_id=made.id))


# ---- the member's own loans -------------------------------------------------------------------------


def _own_member() -> Member:
    if not has_permission("self.view"):
        abort(404)
    member = members.member_of_user(current_user)
    if member is None:
        abort(404)
    return member


def my_loans_summary() -> list[dict[str, Any]]:
    """For the member's /me page: each active loan with its outstanding principal and next due."""
    if "member" not in current_roles():
        return []
    member = members.member_of_user(current_user)
    if member is None:
        return []
    out = []
    for row in disbursement.loans_of(member):
        if row.status != "active":
            continue
        out.append({"loan": row, "next_due": disbursement.next_due(row)})
    return out


@me_bp.get("/")
def my_loans() -> Any:
    if not has_permission("self.view"):
        return redirect(url_for("web_tenant.home"))
    member = _own_member()
    rows = [(row, disbursement.next_due(row)) for row in disbursement.loans_of(member)]
    return render_template("loans/my_loans.html", member=member, rows=rows)


@me_bp.get("/<uuid:loan_id>")
def my_loan(loan_id: uuid.UUID) -> Any:
    member = _own_member()
    row = get_scoped(db.session, Loan, loan_id)
    if row is None or row.member_id != member.id:
        abort(404)
    return render_template("loans/my_loan.html", **_loan_context(row))


@me_bp.get("/<uuid:loan_id>/schedule.pdf")
def my_loan_pdf(loan_id: uuid.UUID) -> Any:
    member = _own_member()
    row = get_scoped(db.session, Loan, loan_id)
    if row is None or row.member_id != member.id:
        abort(404)
    return _pdf(schedule_pdf(_loan_doc(row)), f"jadwal-{row.loan_no}.pdf")
