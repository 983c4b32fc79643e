"""Member register API: search, register (collecting simpanan pokok), one member with accounts."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask.views import MethodView
from flask_login import current_user

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.idempotency import idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound
from coopsaas.extensions import db
from coopsaas.members import services
from coopsaas.members.models import Member
from coopsaas.members.schemas import MemberCreateSchema, MemberDetailSchema, MemberSchema, MemberSearchArgs
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint("api_members", __name__, "/members", description="The member register.")


class MemberListArgs(PageArgs, MemberSearchArgs):
    pass


MEMBER_FIELDS = tuple(MemberSchema().fields)


def member_detail(member: Member) -> dict[str, Any]:
    lines = services.member_accounts(member)
    accounts = [
        {
            "id": ln.account.id,
            "account_no": ln.account.account_no,
            "product_code": ln.account.product.code,
            "product_name": ln.account.product.name,
            "kind": ln.account.product.kind,
            "status": ln.account.status,
            "balance": ln.account.balance,
            "available": ln.available,
        }
        for ln in lines
    ]
    plain = {name: getattr(member, name) for name in MEMBER_FIELDS}
    return {**plain, "accounts": accounts, "total_savings": services.total_savings(lines)}


@blp.route("/")
class Members(MethodView):
    @require_permission("members.view")
    @blp.arguments(MemberListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(MemberSchema))
    def get(self, q: str, page: int, per_page: int) -> dict[str, Any]:
        """Members by name; `q` finds them by member number, NIK or part of the name."""
        return paginate(services.search_members(q), page=page, per_page=per_page)

    @require_permission("members.manage")
    @idempotent
    @blp.arguments(MemberCreateSchema)
    @blp.response(201, MemberDetailSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a member. An anggota pays simpanan pokok (posted on the joining date) and gets
        pokok, wajib and sukarela accounts; a calon anggota gets a sukarela account only."""
        admission = services.register_member(tenant=g.tenant, actor=current_user, **data)
        return member_detail(admission.member)


@blp.route("/<uuid:member_id>")
class MemberItem(MethodView):
    @require_permission("members.view")
    @blp.response(200, MemberDetailSchema)
    def get(self, member_id: uuid.UUID) -> dict[str, Any]:
        """One member with every savings account and its balance."""
        member = get_scoped(db.session, Member, member_id)
        if member is None:
            raise NotFound(_l("Member not found."))
        return member_detail(member)


me_blp = tenant_blueprint("api_members_me", __name__, "/me", description="A member's own savings.")


@me_blp.route("/savings")
class MySavings(MethodView):
    @require_permission("self.view")
    @me_blp.response(200, MemberDetailSchema)
    def get(self) -> dict[str, Any]:
        """The calling member's own register entry with every savings account and balance."""
        member = services.member_of_user(current_user)
        if member is None:
            raise NotFound(_l("No member is linked to your login here."))
        return member_detail(member)
