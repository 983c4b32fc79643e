"""Repayment pages: pay an instalment (or pay off early) at the counter, the receipt and the loan
statement PDFs, the arrears list for collectors and the portfolio quality report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.ledger.services import today_for
from coopsaas.loans import repayments, reports
from coopsaas.loans.collectibility import Kolektibilitas
from coopsaas.loans.disbursement import instalments_of, next_due
from coopsaas.loans.forms import REQUIRED, money_or_text
from coopsaas.loans.models import ACTIVE, Loan, LoanAgeing, LoanTransaction
from coopsaas.loans.repayment_pdf import receipt_pdf, statement_pdf
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint

bp = tenant_blueprint("loans_repay", __name__, "/loans", template_folder="templates")

FORM_KEY_PREFIX = "form:"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RepayForm(FlaskForm):
    amount = StringField(_l("Amount paid (Rp)"), validators=[DataRequired(REQUIRED), Length(max=30)])
    channel = SelectField(
        _l("Paid by"),
        choices=[
            SelectChoice("cash", _l("Cash")),
            SelectChoice("transfer", _l("Bank transfer")),
            SelectChoice("savings", _l("From the member's sukarela savings")),
        ],
    )
    paid_on = DateField(_l("Date"), validators=[Optional()])
    settle = BooleanField(_l("Pay the loan off early (pelunasan)"))
    submit_key = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.submit_key.data:
            self.submit_key.data = uuid.uuid4().hex


def _loan(loan_id: uuid.UUID) -> Loan:
    row = get_scoped(db.session, Loan, loan_id)
    if row is None:
        abort(404)
    return row


def _pdf(data: bytes, name: str) -> Any:
    resp = make_response(data)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


def _as_of() -> date:
    try:
        return date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return today_for(g.tenant)


def _vouchers(txns: list[LoanTransaction]) -> dict[Any, str]:
    ids = [t.journal_entry_id for t in txns]
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(JournalEntry.id, JournalEntry.voucher_no).where(JournalEntry.id.in_(ids))
        ).all()
    )


# ---- paying ----------------------------------------------------------------------------------------


def _repay_page(loan: Loan, form: RepayForm, status: int = 200) -> Any:
    if loan.is_sharia:
        form.settle.label.text = _l("Pay the financing off early (pelunasan)")
    today = today_for(g.tenant)
    rows = instalments_of(loan)
    txns = repayments.transactions_of(loan)
    context = {
        "loan": loan,
        "form": form,
        "next_due": next_due(loan, rows),
        "owed": repayments.owed_on(loan, today, rows),
        "settlement": repayments.quote_settlement(loan, max(today, loan.disbursed_on))
        if loan.status == ACTIVE
        else None,
        "today": today,
        "txns": list(reversed(txns)),
        "vouchers": _vouchers(txns),
        "can_pay": has_permission("loans.transact") and loan.status == ACTIVE,
        "aged_on": db.session.scalar(select(func.max(LoanAgeing.as_of))),
        "class_name": reports.CLASS_NAMES.get(Kolektibilitas(loan.kolektibilitas), "")
        if loan.kolektibilitas
        else "",
    }
    return render_template("loans/repay.html", **context), status


@bp.get("/<uuid:loan_id>/repay")
@require_permission("loans.view")
def repay_form(loan_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    form = RepayForm()
    due = next_due(loan)
    if due is not None and not form.amount.data:
        form.amount.data = f"{int(due.amount):,}".replace(",", ".")
    return _repay_page(loan, form)


@bp.post("/<uuid:loan_id>/repay")
@require_permission("loans.transact")
def repay(loan_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    form = RepayForm()
    if not form.validate_on_submit():
        return _repay_page(loan, form, 422)
    try:
        txn = repayments.repay(
            tenant=g.tenant,
            actor=current_user,
            loan=loan,
            amount=money_or_text(form.amount.data),
            channel=form.channel.data or "cash",
            on=form.paid_on.data,
            settle=bool(form.settle.data),
            idempotency_key=FORM_KEY_PREFIX + (form.submit_key.data or ""),
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _repay_page(_loan(loan_id), form, exc.http_status)
    db.session.commit()
    loan = _loan(loan_id)
    if loan.status == "closed":
        flash(_("Loan %(no)s is paid off (lunas).", no=loan.loan_no), "success")
    else:
        flash(
            _("Payment of %(amount)s recorded for loan %(no)s.", amount=_rupiah(txn.amount), no=loan.loan_no),
            "success",
        )
    return redirect(url_for("loans_repay.repay_form", loan_id=loan.id, receipt=txn.id))


def _rupiah(amount: Any) -> str:
    from coopsaas.core.money import format_rupiah

    return format_rupiah(amount)


@bp.get("/<uuid:loan_id>/receipts/<uuid:txn_id>.pdf")
@require_permission("loans.view")
def receipt(loan_id: uuid.UUID, txn_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    txn = get_scoped(db.session, LoanTransaction, txn_id)
    if txn is None or txn.loan_id != loan.id or txn.kind != "repayment":
        abort(404)
    voucher = _vouchers([txn]).get(txn.journal_entry_id, "")
    data = receipt_pdf(
        coop_name=g.tenant.name, loan=loan, txn=txn, voucher_no=voucher, rows=instalments_of(loan)
    )
    return _pdf(data, f"kuitansi-{loan.loan_no}-{voucher or txn.entry_on.isoformat()}.pdf")


@bp.get("/<uuid:loan_id>/statement.pdf")
@require_permission("loans.view")
def statement(loan_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    txns = repayments.transactions_of(loan)
    data = statement_pdf(coop_name=g.tenant.name, loan=loan, txns=txns, vouchers=_vouchers(txns))
    return _pdf(data, f"rekening-koran-{loan.loan_no}.pdf")


# ---- reports ---------------------------------------------------------------------------------------


@bp.get("/reports/arrears")
@require_permission("loans.view")
def arrears() -> Any:
    as_of = _as_of()
    rows = reports.arrears_list(g.tenant, as_of)
    total = sum((r.amount_due for r in rows), 0)
    return render_template("loans/arrears.html", rows=rows, as_of=as_of, total=total)


@bp.get("/reports/arrears.csv", defaults={"fmt": "csv"})
@bp.get("/reports/arrears.xlsx", defaults={"fmt": "xlsx"})
@require_permission("loans.view")
def arrears_export(fmt: str) -> Any:
    as_of = _as_of()
    rows = reports.arrears_list(g.tenant, as_of)
    if fmt == "csv":
        data, mimetype = reports.arrears_csv(rows), "text/csv; charset=utf-8"
    else:
        data, mimetype = reports.arrears_xlsx(g.tenant.name, as_of, rows), XLSX
    resp = make_response(data)
    resp.headers["Content-Type"] = mimetype
    resp.headers["Content-Disposition"] = (
        f'attachment; filename="tunggakan-{g.tenant.slug}-{as_of.isoformat()}.{fmt}"'
    )
    return resp


@bp.get("/reports/portfolio")
@require_permission("loans.view")
def portfolio() -> Any:
    as_of = _as_of()
    report = reports.portfolio_report(g.tenant, as_of)
    return render_template(
        "loans/portfolio.html",
        report=report,
        q=report.quality,
        as_of=as_of,
        classes=reports.CLASS_ORDER,
        class_names=reports.CLASS_NAMES,
        pct=reports.percent_text,
    )
