"""Savings product settings pages under /t/<slug>/savings/products: the list and the edit form."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from coopsaas.core.i18n import _l
from coopsaas.core.money import MoneyError, format_rupiah, parse_money, to_money
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.savings import products, services
from coopsaas.savings.models import PRODUCT_KINDS, SavingsProduct
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint

bp = tenant_blueprint("savings_products", __name__, "/savings/products", template_folder="templates")

CHOICE_LABELS = {
    "LOWEST_BALANCE": _l("Lowest balance (saldo terendah)"),
    "AVERAGE_BALANCE": _l("Average balance (saldo rata-rata)"),
    "DAILY_BALANCE": _l("Daily balance (saldo harian)"),
    "ACT_365": _l("Actual days / 365"),
    "30_360": _l("30/360"),
    "MONTHLY": _l("Monthly"),
    "AT_MATURITY": _l("At maturity"),
    "TRANSFER": _l("Pay out"),
    "ROLLOVER_PRINCIPAL": _l("Roll over the principal"),
    "ROLLOVER_WITH_INTEREST": _l("Roll over principal and interest"),
    "FORFEIT_CURRENT_INTEREST": _l("Forfeit the running month's interest"),
    "PERCENT_OF_PRINCIPAL": _l("Percentage of the principal"),
}


class ProductForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    amount = StringField(_l("Amount (Rp)"), validators=[Optional(), Length(max=30)])
    min_opening = StringField(_l("Minimum opening deposit (Rp)"), validators=[Optional(), Length(max=30)])
    min_balance = StringField(_l("Minimum balance (Rp)"), validators=[Optional(), Length(max=30)])
    min_balance_for_interest = StringField(
        _l("Minimum balance that earns interest (Rp)"), validators=[Optional(), Length(max=30)]
    )
    admin_fee = StringField(_l("Monthly admin fee (Rp)"), validators=[Optional(), Length(max=30)])
    rate_pa = StringField(_l("Interest rate p.a. (%)"), validators=[Optional(), Length(max=12)])
    interest_method = SelectField(_l("Interest method"), validators=[Optional()])
    day_count = SelectField(_l("Day count"), validators=[Optional()])
    min_amount = StringField(_l("Minimum placement (Rp)"), validators=[Optional(), Length(max=30)])
    terms = StringField(_l("Terms and rates (months=rate % p.a.)"), validators=[Optional(), Length(max=500)])
    payout = SelectField(_l("Interest payout"), validators=[Optional()])
    maturity_instruction = SelectField(_l("At maturity"), validators=[Optional()])
    break_penalty = SelectField(_l("Early break penalty"), validators=[Optional()])
    break_penalty_percent = StringField(
        _l("Break penalty (percent of principal)"), validators=[Optional(), Length(max=12)]
    )
    is_active = BooleanField(_l("Active: offered for new accounts"))


MONEY_FIELDS = ("amount", "min_opening", "min_balance", "min_balance_for_interest", "admin_fee", "min_amount")


def _product(code: str) -> SavingsProduct:
    product = db.session.scalars(select(SavingsProduct).where(SavingsProduct.code == code)).one_or_none()
    if product is None:
        abort(404)
    return product


def _form_for(product: SavingsProduct, formdata: Any = None) -> tuple[ProductForm, tuple[str, ...]]:
    """The form with only the fields of this product's kind."""
    form = ProductForm(formdata=formdata, data=None if formdata is not None else _initial(product))
    keys = products.editable_keys(product.kind)
    for name in list(form._fields):
        if name not in keys and name != "csrf_token":
            del form[name]
    for key, options in products.CHOICE_KEYS.get(product.kind, {}).items():
        getattr(form, key).choices = [SelectChoice(o, CHOICE_LABELS.get(o, o)) for o in options]
    return form, keys


def _initial(product: SavingsProduct) -> dict[str, Any]:
    params = dict(product.parameters or {})
    data: dict[str, Any] = {"name": product.name, "is_active": product.is_active}
    for key in products.editable_keys(product.kind):
        if key in ("name", "is_active"):
            continue
        value = params.get(key)
        if key == "terms":
            data[key] = products.terms_text(value)
        elif key in MONEY_FIELDS and value not in (None, ""):
            data[key] = str(value).removesuffix(".00")
        else:
            data[key] = "" if value is None else str(value)
    return data


def _changes(form: ProductForm, keys: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        field = getattr(form, key)
        if key == "is_active":
            out[key] = bool(field.data)
            continue
        raw = (field.data or "").strip() if isinstance(field.data, str) else field.data
        if key in MONEY_FIELDS:
            if raw in (None, ""):
                continue
            try:
                out[key] = parse_money(raw)
            except MoneyError:
                out[key] = raw
        elif key == "terms":
            out[key] = products.parse_terms_text(raw or "")
        elif raw not in (None, "") or key == "name":
            out[key] = raw
    return out


@bp.get("/")
@require_permission("savings.view")
def index() -> Any:
    services.ensure_products(g.tenant)
    db.session.commit()
    rows = list(db.session.scalars(select(SavingsProduct)))
    order = {k: i for i, k in enumerate(PRODUCT_KINDS)}
    rows.sort(key=lambda p: (order.get(p.kind, 9), p.code))
    return render_template(
        "savings/products.html",
        rows=[(p, _facts(p)) for p in rows],
        can_edit=has_permission("savings.manage"),
    )


def _facts(product: SavingsProduct) -> list[tuple[Any, str]]:
    """(label, shown value) of each setting the page edits, in the form's order."""
    params = product.parameters or {}
    out: list[tuple[Any, str]] = []
    for key in products.editable_keys(product.kind):
        value: Any = params.get(key)
        if key in ("name", "is_active") or value is None or value in ("", []):
            continue
        if key == "terms":
            shown = "; ".join(f"{t['months']} {_('months')}: {t['rate_pa']} %" for t in value)
        elif key in ("rate_pa", "break_penalty_percent"):
            shown = f"{value} %"
        elif key in MONEY_FIELDS:
            try:
                amount = to_money(str(value))
                shown = format_rupiah(amount, sen=amount != amount.to_integral_value())
            except MoneyError:
                shown = str(value)
        else:
            shown = str(CHOICE_LABELS.get(str(value), value))
        out.append((products.LABELS.get(key, key), shown))
    return out


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require_permission("savings.manage")
def edit(code: str) -> Any:
    product = _product(code)
    if request.method != "POST":
        form, keys = _form_for(product)
        return _render_edit(product, form, keys)
    form, keys = _form_for(product, formdata=request.form)
    if not form.validate():
        return _render_edit(product, form, keys, 422)
    try:
        products.update_product(
            tenant=g.tenant, actor=current_user, product=product, changes=_changes(form, keys)
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _render_edit(_product(code), form, keys, exc.http_status)
    db.session.commit()
    flash(_("Product %(code)s saved; it applies from the next calculation.", code=code), "success")
    return redirect(url_for("savings_products.index"))


def _render_edit(product: SavingsProduct, form: ProductForm, keys: tuple[str, ...], status: int = 200) -> Any:
    return render_template("savings/product_edit.html", product=product, form=form, keys=keys), status
