"""Cash day pages under /t/<slug>/till: open the day, the position and the close for the teller;
the list of every teller's days, a day's detail, reopen and PDF for managers (and auditors)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.auth.models import User
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import DomainError, PermissionDenied
from coopsaas.extensions import db
from coopsaas.ledger.exports import to_csv
from coopsaas.ledger.services import today_for
from coopsaas.savings import teller
from coopsaas.savings.models_teller import SESSION_CLOSED, SESSION_OPEN, TellerSession
from coopsaas.savings.teller_pdf import day_close_pdf
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.tenancy.models import Membership
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint
from coopsaas.web.pagination import paginate

bp = tenant_blueprint("till", __name__, "/till", template_folder="templates")
REQUIRED = _l("This field is required.")


@bp.context_processor
def _till_context() -> dict[str, Any]:
    return {"has_permission": has_permission}


class OpenForm(FlaskForm):
    opening_float = StringField(_l("Opening float (Rp)"), validators=[DataRequired(REQUIRED), Length(max=30)])


class CloseForm(FlaskForm):
    counted = StringField(_l("Cash counted (Rp)"), validators=[Optional(), Length(max=30)])
    reason = StringField(_l("Reason for a difference"), validators=[Optional(), Length(max=300)])


class ReopenForm(FlaskForm):
    reason = StringField(_l("Reason for reopening"), validators=[DataRequired(REQUIRED), Length(max=300)])


def _names(ids: set[Any]) -> dict[Any, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _cashiers() -> list[tuple[Any, str]]:
    """Staff of this tenant who may hold a till, for the filter."""
    rows = db.session.execute(
        select(User.id, User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.tenant_id == g.tenant.id,
            Membership.role.in_(("teller", "manager")),
            Membership.is_active.is_(True),
        )
        .order_by(User.full_name)
    ).all()
    seen: dict[Any, str] = {}
    for uid, name in rows:
        seen.setdefault(uid, name)
    return list(seen.items())


def _session(session_id: uuid.UUID) -> TellerSession:
    """A day the user may see: their own, or any with `till.view` (others: 404, no existence leak)."""
    session = get_scoped(db.session, TellerSession, session_id)
    if session is None or (session.teller_id != current_user.id and not has_permission("till.view")):
        abort(404)
    return session


def _pieces_rows(
    session: TellerSession | None, submitted: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    saved = (session.denominations or {}) if session is not None else {}
    rows = []
    for value in teller.DENOMINATIONS:
        raw = (submitted or {}).get(str(value), saved.get(str(value), ""))
        rows.append({"value": value, "name": f"d{value}", "pieces": raw})
    return rows


def _render_index(
    session: TellerSession | None,
    open_form: OpenForm | None = None,
    close_form: CloseForm | None = None,
    submitted: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    on = session.business_on if session is not None else today_for(g.tenant)
    position = (
        teller.position_of(session) if session is not None else teller.cash_position(current_user.id, on)
    )
    return (
        render_template(
            "savings/till_index.html",
            session=session,
            on=on,
            position=position,
            open_form=open_form or OpenForm(),
            close_form=close_form or CloseForm(),
            close_pieces=_pieces_rows(session, submitted),
            required=bool(teller.tenant_setting(g.tenant, "require_teller_session")),
        ),
        status,
    )


@bp.get("/")
@require_permission("till.own")
def index() -> Any:
    return _render_index(teller.session_for(current_user.id, today_for(g.tenant)))


@bp.post("/open")
@require_permission("till.own")
def open_day() -> Any:
    form = OpenForm()
    if not form.validate_on_submit():
        return _render_index(
            teller.session_for(current_user.id, today_for(g.tenant)), open_form=form, status=422
        )
    try:
        teller.open_day(
            tenant=g.tenant,
            actor=current_user,
            opening_float=teller.as_decimal_or_text(form.opening_float.data or ""),
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        session = teller.session_for(current_user.id, today_for(g.tenant))
        return _render_index(session, open_form=form, status=exc.http_status)
    db.session.commit()
    flash(_("Your cash day is open."), "success")
    return redirect(url_for("till.index"))


@bp.post("/close")
@require_permission("till.own")
def close_day() -> Any:
    session = teller.session_for(current_user.id, today_for(g.tenant))
    if session is None:
        flash(_("Open your cash day first."), "error")
        return redirect(url_for("till.index"))
    form = CloseForm()
    pieces = teller.parse_pieces(request.form)
    status = _close(session, form, pieces)
    if status is not None:
        session = teller.session_for(current_user.id, today_for(g.tenant))
        return _render_index(session, close_form=form, submitted=pieces, status=status)
    flash(_("Your cash day is closed."), "success")
    return redirect(url_for("till.day", session_id=session.id))


def _close(session: TellerSession, form: CloseForm, pieces: dict[str, str]) -> int | None:
    """Close `session` from the posted form and commit; the HTTP status of a refusal, else None."""
    if not form.validate_on_submit():
        return 422
    try:
        teller.close_day(
            tenant=g.tenant,
            actor=current_user,
            session=session,
            counted=teller.as_decimal_or_text(form.counted.data or "") if form.counted.data else None,
            denominations=pieces,
            reason=form.reason.data,
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        if "denominations" in exc.fields:
            form.counted.errors = [*list(form.counted.errors or []), *map(str, exc.fields["denominations"])]
        return exc.http_status
    db.session.commit()
    return None


@bp.post("/days/<uuid:session_id>/close")
@require_permission("till.own")
def close_past(session_id: uuid.UUID) -> Any:
    """Close a day left open (an earlier date), by its teller or a manager."""
    session = _session(session_id)
    form = CloseForm()
    pieces = teller.parse_pieces(request.form)
    status = _close(session, form, pieces)
    if status is not None:
        return _render_day(_session(session_id), ReopenForm(), status, close_form=form, submitted=pieces)
    flash(_("The cash day is closed."), "success")
    return redirect(url_for("till.day", session_id=session_id))


def _date_arg(name: str, errors: list[str]) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(value)s is not a date (YYYY-MM-DD).", value=raw))
        return None


CSV_HEADINGS = (
    "Tanggal",
    "Kasir",
    "Status",
    "Saldo awal",
    "Kas masuk",
    "Kas keluar",
    "Seharusnya",
    "Dihitung",
    "Selisih",
    "Alasan",
)


@bp.get("/days.csv")
def days_csv() -> Any:
    """The filtered list as CSV (every close, not one page), exact figures for a spreadsheet."""
    if not (has_permission("till.view") or has_permission("till.own")):
        raise PermissionDenied(_l("You do not have permission to do this."))
    query, _filters, errors = _filtered()
    if errors:
        abort(400)
    rows = list(db.session.scalars(query))
    names = _names({s.teller_id for s in rows})
    data = to_csv(
        CSV_HEADINGS,
        [
            [
                s.business_on.isoformat(),
                names.get(s.teller_id, ""),
                "ditutup" if s.status == SESSION_CLOSED else "dibuka",
                s.opening_float,
                s.cash_in if s.cash_in is not None else "",
                s.cash_out if s.cash_out is not None else "",
                s.expected if s.expected is not None else "",
                s.counted if s.counted is not None else "",
                s.difference if s.difference is not None else "",
                s.reason,
            ]
            for s in rows
        ],
    )
    resp = make_response(data)
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = 'attachment; filename="kas-harian.csv"'
    return resp


def _filtered() -> tuple[Any, dict[str, Any], list[str]]:
    errors: list[str] = []
    start, end = _date_arg("start", errors), _date_arg("end", errors)
    status = request.args.get("status") or ""
    teller_id = None
    raw_teller = request.args.get("teller") or ""
    all_days = has_permission("till.view")
    if not all_days:
        teller_id = current_user.id
    elif raw_teller:
        try:
            teller_id = uuid.UUID(raw_teller)
        except ValueError:
            errors.append(_("Unknown teller."))
    differences = request.args.get("differences") == "1"
    query = teller.sessions_query(
        start=start, end=end, teller_id=teller_id, status=status or None, with_difference=differences
    )
    filters = {"start": start, "end": end, "status": status, "teller": raw_teller, "differences": differences}
    return query, filters, errors


@bp.get("/days")
def days() -> Any:
    if not (has_permission("till.view") or has_permission("till.own")):
        raise PermissionDenied(_l("You do not have permission to do this."))
    query, filters, errors = _filtered()
    page = paginate(query, per_page=50)
    names = _names({s.teller_id for s in page.items})
    return render_template(
        "savings/till_days.html",
        page=page,
        names=names,
        cashiers=_cashiers() if has_permission("till.view") else [],
        filters=filters,
        errors=errors,
        statuses=(SESSION_OPEN, SESSION_CLOSED),
    )


@bp.get("/days/<uuid:session_id>")
def day(session_id: uuid.UUID) -> Any:
    if not (has_permission("till.view") or has_permission("till.own")):
        raise PermissionDenied(_l("You do not have permission to do this."))
    session = _session(session_id)
    return _render_day(session, ReopenForm())


def _render_day(
    session: TellerSession,
    form: ReopenForm,
    status: int = 200,
    close_form: CloseForm | None = None,
    submitted: dict[str, str] | None = None,
) -> Any:
    names = _names({session.teller_id, session.closed_by_id, session.reopened_by_id, session.opened_by_id})
    may_close = (
        session.status == SESSION_OPEN
        and has_permission("till.own")
        and (session.teller_id == current_user.id or has_permission("till.reopen"))
    )
    return (
        render_template(
            "savings/till_day.html",
            session=session,
            position=teller.position_of(session),
            names=names,
            reopen_form=form,
            pieces=[
                (v, session.denominations.get(str(v))) for v in teller.DENOMINATIONS if session.denominations
            ],
            may_close=may_close,
            close_form=close_form or CloseForm(),
            close_pieces=_pieces_rows(session, submitted),
        ),
        status,
    )


@bp.post("/days/<uuid:session_id>/reopen")
@require_permission("till.reopen")
def reopen(session_id: uuid.UUID) -> Any:
    session = _session(session_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _render_day(session, form, 422)
    try:
        teller.reopen_day(tenant=g.tenant, actor=current_user, session=session, reason=form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _render_day(_session(session_id), form, exc.http_status)
    db.session.commit()
    flash(_("The cash day is open again."), "success")
    return redirect(url_for("till.day", session_id=session_id))


@bp.get("/days/<uuid:session_id>/close.pdf")
def day_pdf(session_id: uuid.UUID) -> Any:
    if not (has_permission("till.view") or has_permission("till.own")):
        raise PermissionDenied(_l("You do not have permission to do this."))
    session = _session(session_id)
    names = _names({session.teller_id, session.closed_by_id})
    pdf = day_close_pdf(
        coop_name=g.tenant.name,
        session=session,
        position=teller.position_of(session),
        teller_name=names.get(session.teller_id, ""),
        closed_by=names.get(session.closed_by_id, ""),
    )
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = (
        f'inline; filename="tutup-kas-{session.business_on.isoformat()}.pdf"'
    )
    return resp
