"""Member exit pages: the list of exits, the request with its settlement, approval or rejection by
another manager, and the settlement statement PDF."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.auth.models import User
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import Conflict, DomainError
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.members import exit as exits
from coopsaas.members.exit_pdf import exit_pdf
from coopsaas.members.models import Member
from coopsaas.members.models_exit import APPROVED, EXIT_STATUSES, REQUESTED, MemberExit
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint
from coopsaas.web.pagination import paginate

bp = tenant_blueprint("member_exit", __name__, "/members", template_folder="templates")
REQUIRED = _l("This field is required.")


class ExitForm(FlaskForm):
    exit_on = DateField(_l("Exit date"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for leaving"), validators=[DataRequired(REQUIRED), Length(max=500)])
    payout = SelectField(
        _l("Refund"),
        choices=[
            SelectChoice("cash", _l("Paid in cash now")),
            SelectChoice("payable", _l("Owed to the member, paid later")),
        ],
    )


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Note or reason"), validators=[Length(max=500)])


def _member(member_id: uuid.UUID) -> Member:
    member = get_scoped(db.session, Member, member_id)
    if member is None:
        abort(404)
    return member


def _exit(member_exit_id: uuid.UUID) -> MemberExit:
    row = get_scoped(db.session, MemberExit, member_exit_id)
    if row is None:
        abort(404)
    return row


MONEY_KEYS = frozenset(
    {
        "balance",
        "interest_gross",
        "interest_tax",
        "penalty",
        "forfeited",
        "amount",
        "savings_total",
        "obligations_total",
        "refund",
    }
)


def money_view(st: dict[str, Any]) -> dict[str, Any]:
    """A stored settlement with its decimal strings as Decimal, for the page's figures."""

    def conv(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: conv(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [conv(v) for v in value]
        if key in MONEY_KEYS and isinstance(value, str):
            return Decimal(value)
        return value

    return conv(st or {})


def _user_name(user_id: Any) -> str:
    if user_id is None:
        return ""
    user = db.session.get(User, user_id)
    return user.full_name if user is not None else ""


@bp.get("/exits")
@require_permission("members.view")
def index() -> Any:
    status = request.args.get("status") or None
    if status not in (None, *EXIT_STATUSES):
        status = None
    page = paginate(exits.exits_query(status), per_page=25)
    return render_template("members/exit_index.html", page=page, status=status)


def _preview(member: Member, on: date) -> tuple[dict[str, Any] | None, list[str]]:
    """The settlement as of `on` for the page, and what would stop the exit."""
    try:
        settlement = exits.compute_settlement(g.tenant, member, on)
    except DomainError as exc:
        return None, [str(exc.message)]
    return money_view(settlement.to_json()), settlement.blockers


def _arg_date() -> date | None:
    try:
        return date.fromisoformat((request.args.get("exit_on") or "").strip())
    except ValueError:
        return None


@bp.route("/<uuid:member_id>/exit", methods=["GET", "POST"])
@require_permission("members.manage")
def new(member_id: uuid.UUID) -> Any:
    member = _member(member_id)
    form = ExitForm()
    template = "members/exit_new.html"
    if form.validate_on_submit():
        try:
            exit_ = exits.request_exit(
                tenant=g.tenant,
                actor=current_user,
                member=member,
                exit_on=form.exit_on.data,
                reason=form.reason.data,
                payout=form.payout.data or "cash",
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            member = _member(member_id)
            st, blockers = _preview(member, form.exit_on.data or today_for(g.tenant))
            return render_template(
                template, member=member, form=form, st=st, blockers=blockers
            ), exc.http_status
        db.session.commit()
        flash(
            _("Exit %(no)s requested; a manager other than you must approve it.", no=exit_.exit_no), "success"
        )
        return redirect(url_for(".detail", member_exit_id=exit_.id))
    on = form.exit_on.data or _arg_date() or today_for(g.tenant)
    if request.method == "GET":
        form.exit_on.data = on
    st, blockers = None, []
    if member.status == "active" and on <= today_for(g.tenant):
        st, blockers = _preview(member, on)
    status = 422 if form.errors else 200
    return render_template(template, member=member, form=form, st=st, blockers=blockers), status


def _detail(exit_: MemberExit, form: DecisionForm | None = None, status: int = 200) -> Any:
    can_decide = (
        exit_.status == REQUESTED
        and has_permission("members.exit_approve")
        and exit_.requested_by_id != current_user.id
    )
    return render_template(
        "members/exit_detail.html",
        exit=exit_,
        st=money_view(exit_.settlement),
        form=form or DecisionForm(),
        can_decide=can_decide,
        requester=_user_name(exit_.requested_by_id),
        decider=_user_name(exit_.decided_by_id),
    ), status


@bp.get("/exits/<uuid:member_exit_id>")
@require_permission("members.view")
def detail(member_exit_id: uuid.UUID) -> Any:
    return _detail(_exit(member_exit_id))


def _decide(member_exit_id: uuid.UUID, approve: bool) -> Any:
    exit_ = _exit(member_exit_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail(exit_, form, 422)
    try:
        if approve:
            exits.approve_exit(tenant=g.tenant, actor=current_user, exit_=exit_, note=form.note.data)
        else:
            exits.reject_exit(tenant=g.tenant, actor=current_user, exit_=exit_, reason=form.note.data)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _detail(_exit(member_exit_id), form, exc.http_status)
    db.session.commit()
    if approve:
        flash(_("Exit %(no)s approved; the member's savings are settled.", no=exit_.exit_no), "success")
    else:
        flash(_("Exit %(no)s rejected.", no=exit_.exit_no), "success")
    return redirect(url_for(".detail", member_exit_id=exit_.id))


@bp.post("/exits/<uuid:member_exit_id>/approve")
@require_permission("members.exit_approve")
def approve(member_exit_id: uuid.UUID) -> Any:
    return _decide(member_exit_id, True)


@bp.post("/exits/<uuid:member_exit_id>/reject")
@require_permission("members.exit_approve")
def reject(member_exit_id: uuid.UUID) -> Any:
    return _decide(member_exit_id, False)


@bp.get("/exits/<uuid:member_exit_id>/bukti.pdf")
@require_permission("members.view")
def statement_pdf(member_exit_id: uuid.UUID) -> Any:
    exit_ = _exit(member_exit_id)
    if exit_.status != APPROVED:
        raise Conflict(
            _l("The settlement statement is printed once the exit is approved."), code="not_approved"
        )
    pdf = exit_pdf(
        exit_,
        coop_name=g.tenant.name,
        approver=_user_name(exit_.decided_by_id),
        requester=_user_name(exit_.requested_by_id),
    )
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'inline; filename="bukti-keluar-{exit_.exit_no}.pdf"'
    return resp
