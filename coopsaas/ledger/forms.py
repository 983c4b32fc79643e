"""Forms of the ledger pages. Amounts are typed the Indonesian way (`1.250.000`, `1250000,50`)
and parsed by the view with `parse_money`, so the form reports which line is wrong."""

from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.core.i18n import _l

REQUIRED = _l("This field is required.")
BAD_DATE = _l("Give a date as YYYY-MM-DD.")
LINE_ROWS = 6

ACCOUNT_TYPE_LABELS = {
    "asset": _l("Asset"),
    "liability": _l("Liability"),
    "equity": _l("Equity"),
    "income": _l("Income"),
    "expense": _l("Expense"),
}


def type_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in ACCOUNT_TYPE_LABELS.items()]


class AccountForm(FlaskForm):
    code = StringField(_l("Account code"), validators=[DataRequired(REQUIRED), Length(max=20)])
    name = StringField(_l("Account name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    type = SelectField(_l("Type"), choices=type_choices, validators=[DataRequired(REQUIRED)])
    parent_code = StringField(_l("Under account (code)"), validators=[Optional(), Length(max=20)])
    is_contra = BooleanField(_l("Contra account (balance on the opposite side)"))
    tags = StringField(_l("Tags (comma separated)"), validators=[Optional(), Length(max=300)])


class LineForm(Form):
    """One journal line; an entirely empty row is ignored."""

    account = SelectField(_l("Account"), validate_choice=False)
    debit = StringField(_l("Debit"), validators=[Length(max=30)])
    credit = StringField(_l("Credit"), validators=[Length(max=30)])
    memo = StringField(_l("Line note"), validators=[Length(max=300)])

    def is_empty(self) -> bool:
        return not any((self.account.data, (self.debit.data or "").strip(), (self.credit.data or "").strip()))


class EntryForm(FlaskForm):
    entry_on = DateField(_l("Date"), validators=[DataRequired(BAD_DATE)])
    memo = StringField(_l("Description"), validators=[DataRequired(REQUIRED), Length(max=500)])
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS, max_entries=40)
    # A fresh token per blank form: submitting the same form twice posts once.
    token = HiddenField()

    def __init__(
        self, *args: object, account_choices: list[tuple[str, str]] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        if not self.token.data:
            self.token.data = uuid.uuid4().hex
        choices = [SelectChoice("", "—"), *(SelectChoice(v, label) for v, label in account_choices or [])]
        for row in self.lines:
            row.account.choices = choices


class ReverseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the reversal"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    on = DateField(_l("Reversal date"), validators=[Optional()])


class CloseForm(FlaskForm):
    pass


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Reason for reopening"), validators=[DataRequired(REQUIRED), Length(max=300)])


class DeactivateForm(FlaskForm):
    pass


class OpeningForm(FlaskForm):
    file = FileField(_l("File (.csv or .xlsx)"))
    on = DateField(_l("Date of the opening balances"), validators=[DataRequired(BAD_DATE)])
