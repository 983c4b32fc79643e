"""Member statement pages: staff print any member's from the member page; a member (role member)
downloads only their own under /me. Another member's, or another tenant's, is a 404."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coopsaas.core.db import get_scoped
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.members import services as members
from coopsaas.members.models import Member
from coopsaas.savings import statements
from coopsaas.tenancy.context import has_permission
from coopsaas.web.helpers import tenant_blueprint

bp = tenant_blueprint("savings_statements", __name__, "", template_folder="templates")


def _period() -> tuple[date, date] | ValidationError:
    """The ?start=&end= range (YYYY-MM-DD), checked; the error to show otherwise."""
    days: dict[str, date | None] = {}
    for name in ("start", "end"):
        raw = (request.args.get(name) or "").strip()
        try:
            days[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            message = _("Write the date as YYYY-MM-DD.")
            return ValidationError(message, fields={name: [message]})
    try:
        return statements.check_range(days["start"], days["end"], today=today_for(g.tenant))
    except ValidationError as exc:
        return exc


def _page(member: Member, pdf_url: str, back_url: str) -> Any:
    period = _period()
    if isinstance(period, ValidationError):
        return render_template(
            "savings/statement.html",
            member=member,
            st=None,
            error=period,
            start=request.args.get("start", ""),
            end=request.args.get("end", ""),
            back_url=back_url,
        ), 422
    st = statements.member_statement(member, *period)
    return render_template(
        "savings/statement.html",
        member=member,
        st=st,
        error=None,
        start=st.start.isoformat(),
        end=st.end.isoformat(),
        pdf_url=f"{pdf_url}?start={st.start.isoformat()}&end={st.end.isoformat()}",
        back_url=back_url,
    )


def _pdf(member: Member) -> Any:
    period = _period()
    if isinstance(period, ValidationError):
        raise period
    st = statements.member_statement(member, *period)
    resp = make_response(statements.statement_pdf(st, coop_name=g.tenant.name))
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = (
        f'inline; filename="simpanan-{member.member_no}-{st.start.isoformat()}-{st.end.isoformat()}.pdf"'
    )
    return resp


def _member(member_id: uuid.UUID) -> Member:
    # A member (role member) trying another member's id gets the same 404 as a missing one.
    if not has_permission("members.view"):
        abort(404)
    member = get_scoped(db.session, Member, member_id)
    if member is None:
        abort(404)
    return member


@bp.get("/members/<uuid:member_id>/statement")
def member_statement(member_id: uuid.UUID) -> Any:
    member = _member(member_id)
    return _page(
        member,
        url_for(".member_statement_pdf", member_id=member.id),
        url_for("members.detail", member_id=member.id),
    )


@bp.get("/members/<uuid:member_id>/statement.pdf")
def member_statement_pdf(member_id: uuid.UUID) -> Any:
    return _pdf(_member(member_id))


def _own_member() -> Member:
    # Only the member row linked to this login exists here; anyone else finds nothing.
    if not has_permission("self.view"):
        abort(404)
    member = members.member_of_user(current_user)
    if member is None:
        abort(404)
    return member


@bp.get("/me/statement")
def my_statement() -> Any:
    member = _own_member()
    return _page(member, url_for(".my_statement_pdf"), url_for("members_me.my_savings"))


@bp.get("/me/statement.pdf")
def my_statement_pdf() -> Any:
    return _pdf(_own_member())
