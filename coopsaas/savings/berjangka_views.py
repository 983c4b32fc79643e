"""Time deposit pages under /t/<slug>/savings/berjangka: the list, placement, early break."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.core.money import MoneyError, parse_money
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.members.models import Member
from coopsaas.savings import deposits, services
from coopsaas.savings.models import BERJANGKA, OPEN, SUKARELA, SavingsAccount, SavingsProduct
from coopsaas.savings.models_berjangka import BerjangkaPlacement
from coopsaas.tenancy.context import require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint

bp = tenant_blueprint("berjangka", __name__, "/savings/berjangka", template_folder="templates")
REQUIRED = _l("This field is required.")


class PlacementForm(FlaskForm):
    member_no = StringField(_l("Member number"), validators=[DataRequired(REQUIRED), Length(max=20)])
    product = SelectField(_l("Product"), validators=[DataRequired(REQUIRED)])
    amount = StringField(_l("Amount (Rp)"), validators=[DataRequired(REQUIRED), Length(max=30)])
    term_months = IntegerField(_l("Term (months)"), validators=[DataRequired(REQUIRED), NumberRange(1, 120)])
    source = SelectField(
        _l("Paid from"),
        choices=[
            SelectChoice("cash", _l("Cash")),
            SelectChoice("transfer", _l("Transfer")),
            SelectChoice("sukarela", _l("The member's sukarela account")),
        ],
    )
    payout = SelectField(
        _l("Interest and principal paid to"),
        choices=[
            SelectChoice("sukarela", _l("The member's sukarela account")),
            SelectChoice("cash", _l("Cash")),
        ],
    )
    placed_on = DateField(_l("Date"), validators=[Optional()])
    submit_key = HiddenField(validators=[DataRequired(REQUIRED), Length(max=64)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.submit_key.data:
            self.submit_key.data = uuid.uuid4().hex


class BreakForm(FlaskForm):
    broken_on = DateField(_l("Date"), validators=[Optional()])


@bp.get("/")
@require_permission("savings.view")
def index() -> Any:
    status = request.args.get("status") or None
    return render_template(
        "savings/berjangka_index.html",
        rows=deposits.placements(status),
        status=status,
        break_form=BreakForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@require_permission("savings.transact")
def place() -> Any:
    products = services.ensure_products(g.tenant)
    form = PlacementForm()
    form.product.choices = [
        SelectChoice(p.code, p.name)
        for p in sorted(products.values(), key=lambda p: p.code)
        if p.kind == BERJANGKA and p.is_active
    ]
    if form.validate_on_submit():
        member = db.session.scalars(
            select(Member).where(Member.member_no == form.member_no.data.strip())
        ).first()
        if member is None:
            form.member_no.errors = [_("No member with this number.")]
            return render_template("savings/berjangka_place.html", form=form), 422
        sukarela = db.session.scalars(
            select(SavingsAccount)
            .join(
                SavingsProduct,
                (SavingsProduct.tenant_id == SavingsAccount.tenant_id)
                & (SavingsProduct.id == SavingsAccount.product_id),
            )
            .where(
                SavingsAccount.member_id == member.id,
                SavingsProduct.kind == SUKARELA,
                SavingsAccount.status == OPEN,
            )
            .order_by(SavingsAccount.account_no)
        ).first()
        try:
            amount: object = parse_money(form.amount.data or "")
        except MoneyError:
            amount = form.amount.data or ""
        try:
            placement = deposits.place_deposit(
                tenant=g.tenant,
                actor=current_user,
                member=member,
                product=products[form.product.data],
                amount=amount,
                term_months=form.term_months.data,
                source=form.source.data,
                payout_account=sukarela
                if form.payout.data == "sukarela" or form.source.data == "sukarela"
                else None,
                on=form.placed_on.data,
                idempotency_key="form:" + form.submit_key.data,
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return render_template("savings/berjangka_place.html", form=form), exc.http_status
        db.session.commit()
        flash(_("Time deposit placed; it matures on %(day)s.", day=placement.maturity_on.isoformat()))
        return redirect(url_for("berjangka.index"))
    status = 422 if form.errors else 200
    return render_template("savings/berjangka_place.html", form=form), status


@bp.post("/<uuid:placement_id>/break")
@require_permission("savings.manage")
def break_(placement_id: uuid.UUID) -> Any:
    placement = get_scoped(db.session, BerjangkaPlacement, placement_id)
    if placement is None:
        abort(404)
    form = BreakForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        settlement = deposits.break_placement(
            tenant=g.tenant, actor=current_user, placement=placement, on=form.broken_on.data
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("berjangka.index"))
    db.session.commit()
    flash(_("Time deposit broken; paid out %(amount)s.", amount=str(settlement.paid_out)))
    return redirect(url_for("berjangka.index"))
