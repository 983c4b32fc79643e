"""Write-off pages: propose a write-off (hapus buku) of a loan, approve or reject it (another user),
the list of proposals waiting, recoveries on a written-off loan and the recovery receipt PDF."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.core.money import format_rupiah
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.ledger.services import today_for
from coopsaas.loans import writeoff
from coopsaas.loans.forms import REQUIRED, money_or_text
from coopsaas.loans.models import ACTIVE, WRITTEN_OFF, Loan, LoanRecovery, LoanWriteOff
from coopsaas.loans.writeoff_pdf import recovery_receipt_pdf
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint

bp = tenant_blueprint("loans_writeoff", __name__, "/loans", template_folder="templates")

FORM_KEY_PREFIX = "form:"


def _keyed(form: FlaskForm) -> None:
    if not form.submit_key.data:
        form.submit_key.data = uuid.uuid4().hex


class ProposeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the write-off"), validators=[DataRequired(REQUIRED), Length(max=500)]
    )
    submit_key = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _keyed(self)


class DecideForm(FlaskForm):
    reason = StringField(_l("Reason (needed to reject)"), validators=[Length(max=500)])


class RecoveryForm(FlaskForm):
    amount = StringField(_l("Amount received (Rp)"), validators=[DataRequired(REQUIRED), Length(max=30)])
    channel = SelectField(
        _l("Paid by"),
        choices=[
            SelectChoice("cash", _l("Cash")),
            SelectChoice("transfer", _l("Bank transfer")),
            SelectChoice("savings", _l("From the member's sukarela savings")),
        ],
    )
    received_on = DateField(_l("Date"), validators=[Optional()])
    submit_key = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _keyed(self)


def _loan(loan_id: uuid.UUID) -> Loan:
    row = get_scoped(db.session, Loan, loan_id)
    if row is None:
        abort(404)
    return row


def _proposal(loan: Loan, proposal_id: uuid.UUID) -> LoanWriteOff:
    row = get_scoped(db.session, LoanWriteOff, proposal_id)
    if row is None or row.loan_id != loan.id:
        abort(404)
    return row


def _voucher(entry_id: Any) -> str:
    if entry_id is None:
        return ""
    return db.session.scalar(select(JournalEntry.voucher_no).where(JournalEntry.id == entry_id)) or ""


def _page(
    loan: Loan,
    *,
    propose: ProposeForm | None = None,
    recovery: RecoveryForm | None = None,
    decide: DecideForm | None = None,
    status: int = 200,
) -> Any:
    today = today_for(g.tenant)
    history = writeoff.write_offs_of(loan)
    pending = next((w for w in history if w.status == "proposed"), None)
    approved = next((w for w in history if w.status == "approved"), None)
    principal, interest, penalty = writeoff.off_balance_claim(loan, today)
    recoveries = writeoff.recoveries_of(loan)
    context = {
        "loan": loan,
        "history": history,
        "pending": pending,
        "approved": approved,
        "estimate": {"principal": principal, "interest": interest, "penalty": penalty},
        "recoveries": list(reversed(recoveries)),
        "vouchers": {r.id: _voucher(r.journal_entry_id) for r in recoveries},
        "write_off_voucher": _voucher(approved.journal_entry_id) if approved else "",
        "propose": propose or ProposeForm(),
        "decide": decide or DecideForm(),
        "recovery": recovery or RecoveryForm(),
        "can_propose": has_permission("loans.transact") and loan.status == ACTIVE and pending is None,
        "can_decide": (
            pending is not None
            and has_permission("loans.approve")
            and pending.proposed_by_id != getattr(current_user, "id", None)
        ),
        "can_recover": has_permission("loans.transact") and loan.status == WRITTEN_OFF,
    }
    return render_template("loans/write_off.html", **context), status


@bp.get("/write-offs")
@require_permission("loans.view")
def pending_list() -> Any:
    rows = writeoff.pending_write_offs()
    loans = {r.loan_id: get_scoped(db.session, Loan, r.loan_id) for r in rows}
    recent = writeoff.write_offs_between(today_for(g.tenant).replace(month=1, day=1), today_for(g.tenant))
    recent_loans = {r.loan_id: get_scoped(db.session, Loan, r.loan_id) for r in recent}
    return render_template(
        "loans/write_offs.html", rows=rows, loans=loans, recent=recent, recent_loans=recent_loans
    )


@bp.get("/<uuid:loan_id>/write-off")
@require_permission("loans.view")
def write_off_page(loan_id: uuid.UUID) -> Any:
    return _page(_loan(loan_id))


@bp.post("/<uuid:loan_id>/write-off")
@require_permission("loans.transact")
def propose(loan_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    form = ProposeForm()
    if not form.validate_on_submit():
        return _page(loan, propose=form, status=422)
    try:
        writeoff.propose_write_off(
            tenant=g.tenant,
            actor=current_user,
            loan=loan,
            reason=form.reason.data,
            idempotency_key=FORM_KEY_PREFIX + (form.submit_key.data or ""),
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _page(_loan(loan_id), propose=form, status=exc.http_status)
    db.session.commit()
    flash(_("The write-off of loan %(no)s waits for approval by another user.", no=loan.loan_no), "success")
    return redirect(url_for("loans_writeoff.write_off_page", loan_id=loan_id))


@bp.post("/<uuid:loan_id>/write-off/<uuid:proposal_id>/approve")
@require_permission("loans.approve")
def approve(loan_id: uuid.UUID, proposal_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    proposal = _proposal(loan, proposal_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return _page(loan, decide=form, status=422)
    try:
        writeoff.approve_write_off(tenant=g.tenant, actor=current_user, proposal=proposal)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _page(_loan(loan_id), decide=form, status=exc.http_status)
    db.session.commit()
    flash(_("Loan %(no)s is written off.", no=loan.loan_no), "success")
    return redirect(url_for("loans_writeoff.write_off_page", loan_id=loan_id))


@bp.post("/<uuid:loan_id>/write-off/<uuid:proposal_id>/reject")
@require_permission("loans.approve")
def reject(loan_id: uuid.UUID, proposal_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    proposal = _proposal(loan, proposal_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return _page(loan, decide=form, status=422)
    try:
        writeoff.reject_write_off(
            tenant=g.tenant, actor=current_user, proposal=proposal, reason=form.reason.data
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _page(_loan(loan_id), decide=form, status=exc.http_status)
    db.session.commit()
    flash(_("The write-off of loan %(no)s was rejected.", no=loan.loan_no), "success")
    return redirect(url_for("loans_writeoff.write_off_page", loan_id=loan_id))


@bp.post("/<uuid:loan_id>/recoveries")
@require_permission("loans.transact")
def recover(loan_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    form = RecoveryForm()
    if not form.validate_on_submit():
        return _page(loan, recovery=form, status=422)
    try:
        row = writeoff.record_recovery(
            tenant=g.tenant,
            actor=current_user,
            loan=loan,
            amount=money_or_text(form.amount.data),
            channel=form.channel.data or "cash",
            on=form.received_on.data,
            idempotency_key=FORM_KEY_PREFIX + (form.submit_key.data or ""),
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _page(_loan(loan_id), recovery=form, status=exc.http_status)
    db.session.commit()
    flash(
        _(
            "Recovery of %(amount)s recorded for loan %(no)s.",
            amount=format_rupiah(row.amount),
            no=loan.loan_no,
        ),
        "success",
    )
    return redirect(url_for("loans_writeoff.write_off_page", loan_id=loan_id, receipt=row.id))


@bp.get("/<uuid:loan_id>/recoveries/<uuid:recovery_id>.pdf")
@require_permission("loans.view")
def recovery_receipt(loan_id: uuid.UUID, recovery_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    row = get_scoped(db.session, LoanRecovery, recovery_id)
    if row is None or row.loan_id != loan.id:
        abort(404)
    voucher = _voucher(row.journal_entry_id)
    data = recovery_receipt_pdf(coop_name=g.tenant.name, loan=loan, recovery=row, voucher_no=voucher)
    resp = make_response(data)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = (
        f'inline; filename="kuitansi-pemulihan-{loan.loan_no}-{voucher}.pdf"'
    )
    return resp
