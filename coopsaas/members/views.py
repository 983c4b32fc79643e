"""Member pages: search the register, register a member, a member's accounts and balances."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coopsaas.core.db import get_scoped
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.members import services
from coopsaas.members.forms import MemberForm
from coopsaas.members.models import Member
from coopsaas.savings import services as savings
from coopsaas.savings.models import SavingsAccount
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint
from coopsaas.web.pagination import paginate

bp = tenant_blueprint("members", __name__, "/members", template_folder="templates")
# The member's own pages (role member): only the member row linked to the logged-in user.
me_bp = tenant_blueprint("members_me", __name__, "/me", template_folder="templates")


@bp.get("/")
@require_permission("members.view")
def index() -> Any:
    q = (request.args.get("q") or "").strip()[:100]
    page = paginate(services.search_members(q), per_page=25)
    return render_template(
        "members/index.html", page=page, q=q, can_register=has_permission("members.manage")
    )


@bp.route("/new", methods=["GET", "POST"])
@require_permission("members.manage")
def new() -> Any:
    form = MemberForm()
    pokok = savings.pokok_amount(g.tenant)
    if form.validate_on_submit():
        try:
            admission = services.register_member(
                tenant=g.tenant,
                actor=current_user,
                nik=form.nik.data or "",
                name=form.name.data or "",
                sex=form.sex.data or None,
                birth_date=form.birth_date.data,
                address=form.address.data,
                phone=form.phone.data,
                occupation=form.occupation.data,
                employer=form.employer.data,
                joined_on=form.joined_on.data,
                type=form.type.data or "anggota",
                channel=form.channel.data or "cash",
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return render_template("members/new.html", form=form, pokok=pokok), exc.http_status
        member = admission.member
        db.session.commit()
        flash(
            _("Member %(no)s %(name)s has been registered.", no=member.member_no, name=member.name), "success"
        )
        if admission.pokok is not None:
            return redirect(url_for("savings.transaction", savings_transaction_id=admission.pokok.id))
        return redirect(url_for("members.detail", member_id=member.id))
    status = 422 if form.errors else 200
    return render_template("members/new.html", form=form, pokok=pokok), status


@bp.get("/<uuid:member_id>")
@require_permission("members.view")
def detail(member_id: uuid.UUID) -> Any:
    member = get_scoped(db.session, Member, member_id)
    if member is None:
        abort(404)
    lines = services.member_accounts(member)
    wajib = next((ln.account for ln in lines if ln.account.product.kind == "wajib"), None)
    return render_template(
        "members/detail.html",
        arrears=savings.wajib_arrears(g.tenant, wajib) if wajib is not None else None,
        member=member,
        lines=lines,
        total=services.total_savings(lines),
        can_transact=has_permission("savings.transact"),
    )


def _own_member() -> Member:
    # Only a member's own row exists here: anyone else (staff included) finds nothing, so an
    # account id never tells whether it exists.
    if not has_permission("self.view"):
        abort(404)
    member = services.member_of_user(current_user)
    if member is None:
        abort(404)
    return member


@me_bp.get("/savings")
def my_savings() -> Any:
    if not has_permission("self.view"):
        # As the shell's own /me page does: staff have no "own accounts" here.
        return redirect(url_for("web_tenant.home"))
    member = _own_member()
    lines = services.member_accounts(member)
    return render_template(
        "members/my_savings.html", member=member, lines=lines, total=services.total_savings(lines)
    )


@me_bp.get("/savings/<uuid:savings_account_id>")
def my_account(savings_account_id: uuid.UUID) -> Any:
    member = _own_member()
    account = get_scoped(db.session, SavingsAccount, savings_account_id)
    if account is None or account.member_id != member.id:
        abort(404)
    page = paginate(savings.transactions_query(account), per_page=20)
    return render_template("members/my_account.html", member=member, account=account, page=page)
