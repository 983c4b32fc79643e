"""Forms of the login, password, users and token pages (messages are English msgids, shown translated)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from coopsaas.auth.services import MIN_PASSWORD
from coopsaas.core.i18n import _l

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    username = StringField(_l("Username or email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(REQUIRED), Length(min=MIN_PASSWORD, message=_l("At least 8 characters."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(REQUIRED), EqualTo("new_password", message=_l("The two passwords differ."))])


def role_choices() -> list[tuple[str, str]]:
    from coopsaas.auth.permissions import TENANT_ROLES
    from coopsaas.web.helpers import role_label

    return [(r, role_label(r)) for r in TENANT_ROLES]


class CreateUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=80)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(REQUIRED), Length(min=MIN_PASSWORD, message=_l("At least 8 characters."))])
    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)], validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class AddRoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)], validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(REQUIRED), Length(max=100)])
