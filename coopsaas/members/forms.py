"""Forms of the member pages (English msgids, shown translated)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.core.i18n import _l

REQUIRED = _l("This field is required.")


class MemberForm(FlaskForm):
    nik = StringField(_l("NIK (16 digits)"), validators=[DataRequired(REQUIRED), Length(max=40)])
    name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    sex = SelectField(
        _l("Sex"),
        choices=[SelectChoice("", "-"), SelectChoice("L", _l("Male")), SelectChoice("P", _l("Female"))],
        validators=[Optional()],
    )
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    address = StringField(_l("Address"), validators=[Length(max=500)])
    phone = StringField(_l("Phone"), validators=[Length(max=30)])
    occupation = StringField(_l("Occupation"), validators=[Length(max=100)])
    employer = StringField(_l("Employer"), validators=[Length(max=200)])
    joined_on = DateField(_l("Joining date"), validators=[Optional()])
    type = SelectField(
        _l("Membership"),
        choices=[
            SelectChoice("anggota", _l("Member (anggota)")),
            SelectChoice("calon_anggota", _l("Prospective member (calon anggota)")),
        ],
    )
    channel = SelectField(
        _l("Simpanan pokok paid by"),
        choices=[SelectChoice("cash", _l("Cash")), SelectChoice("transfer", _l("Transfer"))],
    )
