"""Loans API: products, a schedule quote, applications with their decision, disbursement and loans.

Every POST honours `Idempotency-Key`; errors are problem bodies (maker approving: 409
`maker_checker`; disbursing twice: 409 `already_disbursed`; not approved: 409 `not_approved`).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from coopsaas.api.blueprint import get_or_not_found as _get
from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.api.pagination import page_schema, paginate
from coopsaas.core.i18n import _l
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products
from coopsaas.loans.models import ZERO, Loan, LoanApplication, LoanProduct
from coopsaas.loans.schemas import (
    ApplicationCreateSchema,
    ApplicationListArgs,
    ApplicationSchema,
    DecisionSchema,
    DisburseSchema,
    LoanDetailSchema,
    LoanListArgs,
    LoanProductListSchema,
    LoanProductPatchSchema,
    LoanProductSchema,
    LoanSchema,
    QuoteArgs,
    QuoteSchema,
)
from coopsaas.members.models import Member
from coopsaas.savings.models import SavingsAccount
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint("api_loans", __name__, "/loans", description="Loan products, applications and loans.")


def _product(ident: Any) -> LoanProduct:
    return _get(LoanProduct, ident, _l("Loan product not found."))


def _member(ident: Any) -> Member:
    return _get(Member, ident, _l("Member not found."))


def _key() -> str | None:
    raw = request.headers.get(HEADER, "").strip()
    return f"api:{current_user.id}:{raw}" if raw else None


def product_out(p: LoanProduct) -> dict[str, Any]:
    return {k: getattr(p, k) for k in LoanProductSchema._declared_fields}


def _rows_out(rows: Any) -> list[dict[str, Any]]:
    return [
        {
            "no": r.no,
            "due_on": r.due_on,
            "principal": r.principal,
            "interest": r.interest,
            "total": r.principal + r.interest,
            "balance_after": r.balance_after,
        }
        for r in rows
    ]


def application_out(a: LoanApplication) -> dict[str, Any]:
    loan_id = db.session.scalar(select(Loan.id).where(Loan.application_id == a.id))
    return {
        "id": a.id,
        "application_no": a.application_no,
        "member_id": a.member_id,
        "member_no": a.member.member_no,
        "product_id": a.product_id,
        "product_code": a.terms.get("product_code", ""),
        "amount": a.amount,
        "term_months": a.term_months,
        "purpose": a.purpose,
        "collateral": a.collateral,
        "collateral_value": a.collateral_value,
        "guarantor": a.guarantor,
        "admin_fee": a.admin_fee,
        "provision_fee": a.provision_fee,
        "status": a.status,
        "applied_on": a.applied_on,
        "decision_reason": a.decision_reason,
        "loan_id": loan_id,
    }


def loan_out(loan: Loan, *, detail: bool = False) -> dict[str, Any]:
    rows = disbursement.instalments_of(loan)
    due = disbursement.next_due(loan, rows)
    voucher = db.session.scalar(
        select(JournalEntry.voucher_no).where(JournalEntry.id == loan.journal_entry_id)
    )
    out = {
        "id": loan.id,
        "loan_no": loan.loan_no,
        "application_id": loan.application_id,
        "member_id": loan.member_id,
        "member_no": loan.member.member_no,
        "product_code": loan.terms.get("product_code", ""),
        "method": loan.method,
        "rate_basis": loan.rate_basis,
        "rate": loan.rate,
        "principal": loan.principal,
        "term_months": loan.term_months,
        "admin_fee": loan.admin_fee,
        "provision_fee": loan.provision_fee,
        "net_disbursed": loan.net_disbursed,
        "channel": loan.channel,
        "disbursed_on": loan.disbursed_on,
        "maturity_on": loan.maturity_on,
        "outstanding_principal": loan.outstanding_principal,
        "is_sharia": loan.is_sharia,
        "margin": loan.total_interest if loan.method == "MURABAHAH" else ZERO,
        "status": loan.status,
        "voucher_no": voucher or "",
        "next_due_on": due.instalment.due_on if due else None,
        "next_due_amount": due.amount if due else None,
    }
    if detail:
        out["instalments"] = _rows_out(rows)
    return out


@blp.route("/products")
class Products(MethodView):
    @require_permission("loans.view")
    @blp.response(200, LoanProductListSchema)
    def get(self) -> dict[str, Any]:
        """The cooperative's loan products (seeded from its file on first use)."""
        products.ensure_products(g.tenant, actor=current_user)
        return {"items": [product_out(p) for p in products.products()]}


@blp.route("/products/<uuid:product_id>")
class ProductItem(MethodView):
    @require_permission("loans.view")
    @blp.response(200, LoanProductSchema)
    def get(self, product_id: uuid.UUID) -> dict[str, Any]:
        """One loan product."""
        return product_out(_product(product_id))

    @require_permission("loans.manage")
    @blp.arguments(LoanProductPatchSchema)
    @blp.response(200, LoanProductSchema)
    def patch(self, data: dict[str, Any], product_id: uuid.UUID) -> dict[str, Any]:
        """Change a product (managers). From then on the tenant file no longer updates it."""
        product = _product(product_id)
        products.update_product(tenant=g.tenant, actor=current_user, product=product, values=data)
        return product_out(product)


@blp.route("/quote")
class Quote(MethodView):
    @require_permission("loans.apply")
    @blp.arguments(QuoteArgs, location="query", as_kwargs=True)
    @blp.response(200, QuoteSchema)
    def get(
        self, member_id: uuid.UUID, product_id: uuid.UUID, amount: Any, term_months: int
    ) -> dict[str, Any]:
        """The schedule a loan would have if paid out today; nothing is saved."""
        offer = apps.quote(
            tenant=g.tenant,
            member=_member(member_id),
            product=_product(product_id),
            amount=amount,
            term_months=term_months,
        )
        db.session.rollback()
        s = offer.schedule
        return {
            "amount": offer.amount,
            "term_months": offer.term_months,
            "method": offer.terms["method"],
            "rate_basis": offer.terms["rate_basis"],
            "rate": offer.terms["rate"],
            "admin_fee": offer.admin_fee,
            "provision_fee": offer.provision_fee,
            "net_disbursed": offer.net_disbursed,
            "regular_instalment": s.regular_instalment,
            "total_interest": s.total_interest,
            "margin": offer.margin,
            "selling_price": offer.selling_price,
            "instalments": _rows_out(s.instalments),
        }


@blp.route("/applications")
class Applications(MethodView):
    @require_permission("loans.view")
    @blp.arguments(ApplicationListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(ApplicationSchema))
    def get(self, page: int, per_page: int, status: str | None) -> dict[str, Any]:
        """Applications, newest first, optionally by status."""
        return paginate(
            apps.applications_query(status=status),
            page=page,
            per_page=per_page,
            transform=lambda rows: [application_out(a) for a in rows],
        )

    @require_permission("loans.apply")
    @idempotent
    @blp.arguments(ApplicationCreateSchema)
    @blp.response(201, ApplicationSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Enter an application; amount and term must fit the product (422 otherwise)."""
        application = apps.submit_application(
            tenant=g.tenant,
            actor=current_user,
            member=_member(data["member_id"]),
            product=_product(data["product_id"]),
            amount=data["amount"],
            term_months=data["term_months"],
            purpose=data["purpose"],
            collateral=data["collateral"],
            collateral_value=data["collateral_value"],
            guarantor=data["guarantor"],
            idempotency_key=_key(),
        )
        return application_out(application)


def _application(ident: Any) -> LoanApplication:
    return _get(LoanApplication, ident, _l("Loan application not found."))


@blp.route("/applications/<uuid:application_id>")
class ApplicationItem(MethodView):
    @require_permission("loans.view")
    @blp.response(200, ApplicationSchema)
    def get(self, application_id: uuid.UUID) -> dict[str, Any]:
        """One application."""
        return application_out(_application(application_id))


@blp.route("/applications/<uuid:application_id>/approve")
class Approve(MethodView):
    @require_permission("loans.approve")
    @idempotent
    @blp.arguments(DecisionSchema)
    @blp.response(200, ApplicationSchema)
    def post(self, data: dict[str, Any], application_id: uuid.UUID) -> dict[str, Any]:
        """Approve (never by the user who entered it: 409 maker_checker)."""
        row = apps.approve_application(
            tenant=g.tenant,
            actor=current_user,
            application=_application(application_id),
            reason=data["reason"],
        )
        return application_out(row)


@blp.route("/applications/<uuid:application_id>/reject")
class Reject(MethodView):
    @require_permission("loans.approve")
    @idempotent
    @blp.arguments(DecisionSchema)
    @blp.response(200, ApplicationSchema)
    def post(self, data: dict[str, Any], application_id: uuid.UUID) -> dict[str, Any]:
        """Reject with a reason (422 without one; 409 for the maker)."""
        row = apps.reject_application(
            tenant=g.tenant,
            actor=current_user,
            application=_application(application_id),
            reason=data["reason"],
        )
        return application_out(row)


@blp.route("/applications/<uuid:application_id>/disburse")
class Disburse(MethodView):
    @require_permission("loans.transact")
    @idempotent
    @blp.arguments(DisburseSchema)
    @blp.response(201, LoanDetailSchema)
    def post(self, data: dict[str, Any], application_id: uuid.UUID) -> dict[str, Any]:
        """Pay out an approved application in cash or into the member's sukarela account."""
        account = None
        if data["savings_account_id"] is not None:
            account = _get(SavingsAccount, data["savings_account_id"], _l("Savings account not found."))
        loan = disbursement.disburse(
            tenant=g.tenant,
            actor=current_user,
            application=_application(application_id),
            channel=data["channel"],
            on=data["disbursed_on"],
            savings_account=account,
            idempotency_key=_key(),
        )
        return loan_out(loan, detail=True)


@blp.route("/")
class Loans(MethodView):
    @require_permission("loans.view")
    @blp.arguments(LoanListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(LoanSchema))
    def get(self, page: int, per_page: int, **filters: Any) -> dict[str, Any]:
        """The loan book, newest first, with filters."""
        return paginate(
            disbursement.loans_query(**filters),
            page=page,
            per_page=per_page,
            transform=lambda rows: [loan_out(r) for r in rows],
        )


@blp.route("/<uuid:loan_id>")
class LoanItem(MethodView):
    @require_permission("loans.view")
    @blp.response(200, LoanDetailSchema)
    def get(self, loan_id: uuid.UUID) -> dict[str, Any]:
        """One loan with its stored schedule, outstanding principal and next due."""
        return loan_out(_get(Loan, loan_id, _l("Loan not found.")), detail=True)
