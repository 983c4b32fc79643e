"""Rescheduling pages: a manager reschedules an active loan (new term, rate and/or method from the
next due date; arrears interest capitalised or not) and everyone sees the loan's schedule versions."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.loans import reschedule
from coopsaas.loans.forms import REQUIRED
from coopsaas.loans.models import ACTIVE, Loan
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint

bp = tenant_blueprint("loans_reschedule", __name__, "/loans", template_folder="templates")


class RescheduleForm(FlaskForm):
    term_months = StringField(
        _l("New number of instalments"), validators=[DataRequired(REQUIRED), Length(max=4)]
    )
    rate = StringField(_l("Rate (%)"), validators=[DataRequired(REQUIRED), Length(max=10)])
    rate_basis = SelectField(
        _l("Rate per"),
        choices=[SelectChoice("rate_pa", _l("per year")), SelectChoice("rate_pm", _l("per month"))],
    )
    method = SelectField(
        _l("Method"),
        choices=[
            SelectChoice("FLAT", _l("Flat")),
            SelectChoice("EFEKTIF", _l("Efektif (declining balance)")),
            SelectChoice("ANUITAS", _l("Anuitas (equal instalments)")),
            SelectChoice("BULLET", _l("Interest monthly, principal at the end")),
        ],
    )
    capitalise_interest = BooleanField(_l("Capitalise the arrears interest (add it to the principal)"))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=500)])
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


def _form(loan: Loan) -> RescheduleForm:
    """The form for this loan: a qardh is rescheduled as a qardh (principal only, no rate)."""
    form = RescheduleForm()
    if loan.method == "QARDH":
        form.method.choices = [SelectChoice("QARDH", _l("Qardh (principal only)"))]
    return form


def _page(loan: Loan, form: RescheduleForm | None = None, status: int = 200) -> Any:
    if form is None:
        form = _form(loan)
        form.rate.data = (loan.rate or "0").replace(".", ",")
        form.rate_basis.data = loan.rate_basis
        form.method.data = loan.method if loan.method in (*reschedule.METHODS, "QARDH") else "ANUITAS"
    context = {
        "loan": loan,
        "form": form,
        "versions": reschedule.schedule_versions(loan),
        "records": {r.version: r for r in reschedule.reschedules_of(loan)},
        "can_reschedule": has_permission("loans.approve")
        and loan.status == ACTIVE
        and loan.method != "MURABAHAH",
        "fixed_margin": loan.method == "MURABAHAH",
    }
    return render_template("loans/reschedule.html", **context), status


@bp.get("/<uuid:loan_id>/reschedule")
@require_permission("loans.view")
def reschedule_page(loan_id: uuid.UUID) -> Any:
    return _page(_loan(loan_id))


@bp.post("/<uuid:loan_id>/reschedule")
@require_permission("loans.approve")
def reschedule_post(loan_id: uuid.UUID) -> Any:
    loan = _loan(loan_id)
    form = _form(loan)
    if not form.validate_on_submit():
        return _page(loan, form, 422)
    try:
        record = reschedule.reschedule_loan(
            tenant=g.tenant,
            actor=current_user,
            loan=loan,
            term_months=form.term_months.data,
            rate=form.rate.data,
            rate_basis=form.rate_basis.data,
            method=form.method.data,
            capitalise_interest=bool(form.capitalise_interest.data),
            reason=form.reason.data,
            idempotency_key="form:" + (form.submit_key.data or ""),
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _page(_loan(loan_id), form, exc.http_status)
    db.session.commit()
    flash(_("Loan %(no)s is rescheduled (schedule %(v)s).", no=loan.loan_no, v=record.version), "success")
    return redirect(url_for("loans_reschedule.reschedule_page", loan_id=loan_id))
