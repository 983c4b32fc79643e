"""Forms of the loan pages. Amounts are typed the Indonesian way; services check the rules."""

from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.core.i18n import _l
from coopsaas.core.money import MoneyError, parse_money

REQUIRED = _l("This field is required.")


def money_or_text(text: str | None) -> object:
    """The typed amount as Decimal, or the raw text so the service reports it."""
    try:
        return parse_money(text or "")
    except MoneyError:
        return text or ""


class ApplicationForm(FlaskForm):
    member_no = StringField(_l("Member number"), validators=[DataRequired(REQUIRED), Length(max=20)])
    product_id = SelectField(_l("Product"), validators=[DataRequired(REQUIRED)])
    amount = StringField(_l("Amount (Rp)"), validators=[DataRequired(REQUIRED), Length(max=30)])
    term_months = StringField(_l("Term (months)"), validators=[DataRequired(REQUIRED), Length(max=4)])
    purpose = StringField(_l("Purpose"), validators=[Length(max=500)])
    collateral = TextAreaField(_l("Collateral"), validators=[Length(max=500)])
    collateral_value = StringField(_l("Collateral value (Rp)"), validators=[Optional(), Length(max=30)])
    guarantor = StringField(_l("Guarantor"), validators=[Length(max=300)])
    submit_key = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.submit_key.data:
            self.submit_key.data = uuid.uuid4().hex


class DecisionForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class DisburseForm(FlaskForm):
    channel = SelectField(
        _l("Pay out"),
        choices=[
            SelectChoice("cash", _l("In cash")),
            SelectChoice("savings", _l("Into the member's sukarela account")),
        ],
    )
    disbursed_on = DateField(_l("Date"), validators=[Optional()])
    submit_key = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.submit_key.data:
            self.submit_key.data = uuid.uuid4().hex


class ProductForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    method = SelectField(
        _l("Interest method"),
        choices=[
            SelectChoice("FLAT", _l("Flat")),
            SelectChoice("EFEKTIF", _l("Effective (declining balance)")),
            SelectChoice("ANUITAS", _l("Annuity")),
            SelectChoice("BULLET", _l("Interest each month, principal at the end")),
            SelectChoice("MURABAHAH", "Murabahah"),
            SelectChoice("QARDH", "Qardh"),
        ],
    )
    rate = StringField(_l("Interest rate (%)"), validators=[Length(max=20)])
    rate_basis = SelectField(
        _l("Rate per"), choices=[SelectChoice("rate_pa", _l("year")), SelectChoice("rate_pm", _l("month"))]
    )
    min_amount = StringField(_l("Smallest amount (Rp)"), validators=[DataRequired(REQUIRED), Length(max=30)])
    max_amount = StringField(_l("Largest amount (Rp)"), validators=[DataRequired(REQUIRED), Length(max=30)])
    max_savings_multiple = StringField(
        _l("At most this many times the member's savings"), validators=[Length(max=20)]
    )
    min_term_months = StringField(
        _l("Shortest term (months)"), validators=[DataRequired(REQUIRED), Length(max=4)]
    )
    max_term_months = StringField(
        _l("Longest term (months)"), validators=[DataRequired(REQUIRED), Length(max=4)]
    )
    admin_fee = StringField(_l("Administration fee (Rp)"), validators=[Length(max=30)])
    provision_pct = StringField(_l("Provision (percent of the loan)"), validators=[Length(max=20)])
    fee_collection = SelectField(
        _l("Fees are"),
        choices=[
            SelectChoice("deducted", _l("deducted from the money paid out")),
            SelectChoice("separate", _l("paid separately in cash")),
        ],
    )
    penalty_rate_pct = StringField(
        _l("Late penalty (percent of the overdue instalment)"), validators=[Length(max=20)]
    )
    penalty_per = SelectField(
        _l("Penalty per"), choices=[SelectChoice("DAY", _l("day")), SelectChoice("MONTH", _l("month"))]
    )
    penalty_grace_days = StringField(_l("Grace period (days)"), validators=[Length(max=3)])
    requires_guarantor = BooleanField(_l("A guarantor is required"))
    requires_collateral = BooleanField(_l("Collateral is required"))
    is_active = BooleanField(_l("Offered to members"))
