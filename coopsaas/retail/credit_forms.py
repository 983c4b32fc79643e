"""Forms of the receivables pages. Money and quantities arrive as text and are parsed by the views."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.core.i18n import _l

REQUIRED = _l("This field is required.")


def _methods() -> list[SelectChoice]:
    return [SelectChoice("cash", _l("Cash")), SelectChoice("transfer", _l("Bank transfer"))]


class CreditPaymentForm(FlaskForm):
    """Shop credit paid at the counter."""

    submit_key = HiddenField()
    amount = StringField(_l("Amount"), validators=[DataRequired(REQUIRED), Length(max=30)])
    method = SelectField(_l("Paid by"), choices=_methods())


class SavingsDeductionForm(FlaskForm):
    submit_key = HiddenField()
    amount = StringField(
        _l("Amount taken from sukarela savings"), validators=[DataRequired(REQUIRED), Length(max=30)]
    )


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    npwp = StringField(_l("NPWP (optional)"), validators=[Optional(), Length(max=25)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])


class InvoiceLineForm(Form):
    code = StringField(_l("SKU or barcode"), validators=[Optional(), Length(max=64)])
    qty = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)])
    unit_price = StringField(_l("Unit price (empty: list price)"), validators=[Optional(), Length(max=30)])


class InvoiceForm(FlaskForm):
    submit_key = HiddenField()
    customer_id = SelectField(_l("Business customer"), validate_choice=False)
    member_ref = StringField(_l("or member number"), validators=[Optional(), Length(max=40)])
    terms_days = StringField(_l("Terms (days)"), validators=[Optional(), Length(max=4)])
    invoice_on = DateField(_l("Invoice date"), validators=[Optional()])
    memo = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    lines = FieldList(FormField(InvoiceLineForm), min_entries=5, max_entries=50)


class InvoicePaymentForm(FlaskForm):
    amount = StringField(_l("Amount"), validators=[DataRequired(REQUIRED), Length(max=30)])
    method = SelectField(_l("Paid by"), choices=_methods())
    paid_on = DateField(_l("Date paid"), validators=[Optional()])


class InvoiceVoidForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=300)])
