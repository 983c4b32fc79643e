"""Forms of the teller pages. The hidden `submit_key` makes a double submit post once."""

from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.core.i18n import _l
from coopsaas.core.money import MoneyError, parse_money

REQUIRED = _l("This field is required.")


class MovementForm(FlaskForm):
    amount = StringField(_l("Amount (Rp)"), validators=[DataRequired(REQUIRED), Length(max=30)])
    channel = SelectField(
        _l("Paid by"), choices=[SelectChoice("cash", _l("Cash")), SelectChoice("transfer", _l("Transfer"))]
    )
    entry_on = DateField(_l("Date"), validators=[Optional()])
    memo = StringField(_l("Note"), validators=[Length(max=300)])
    submit_key = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.submit_key.data:
            self.submit_key.data = uuid.uuid4().hex

    def parsed_amount(self) -> object:
        """The typed amount as Decimal (1.250.000, 1250000 or 1250000,50), or the raw text so the
        service reports it."""
        try:
            return parse_money(self.amount.data or "")
        except MoneyError:
            return self.amount.data or ""
