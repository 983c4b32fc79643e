"""Receivables endpoints under /api/v1/t/<slug>/retail/: member credit and its collection, the
payroll list, business customers, invoices (faktur) and the ageing. The same services as the
pages; the boundary commits."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request
from flask.views import MethodView
from sqlalchemy import select

from coopsaas.api.blueprint import get_or_not_found as _get
from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.api.pagination import PageArgs, page_schema, paginate
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.members.models import Member
from coopsaas.retail import credit, invoices, receivables
from coopsaas.retail.api import _item_ref
from coopsaas.retail.credit_models import Customer, Invoice
from coopsaas.retail.credit_schemas import (
    AgeingArgs,
    AgeingSchema,
    CreditPaymentInSchema,
    CreditStatusSchema,
    CreditTxnSchema,
    CustomerCreateSchema,
    CustomerSchema,
    InvoiceArgs,
    InvoiceCreateSchema,
    InvoicePaymentInSchema,
    InvoicePaymentSchema,
    InvoiceSchema,
    InvoiceVoidSchema,
    PayrollArgs,
    PayrollGroupSchema,
    SavingsDeductionInSchema,
)
from coopsaas.tenancy.context import require_permission
from coopsaas.web.helpers import acting_user as _me

blp = tenant_blueprint(
    "api_retail_credit",
    __name__,
    "/retail",
    description="Shop receivables: member credit, payroll deductions, customers, invoices, ageing.",
)
BLUEPRINTS = (blp,)


def _member(member_id: uuid.UUID) -> Member:
    return _get(Member, member_id, _l("Member not found."))


def _status(member: Member) -> dict[str, Any]:
    s = credit.credit_status(g.tenant, member)
    return {
        "member_id": member.id,
        "savings": s.savings,
        "pct": s.pct,
        "cap": s.cap,
        "limit": s.limit,
        "outstanding": s.outstanding,
        "invoices": s.invoices,
        "available": s.available,
    }


@blp.route("/members/<uuid:member_id>/credit")
class CreditStatusView(MethodView):
    @require_permission("retail.view")
    @blp.response(200, CreditStatusSchema)
    def get(self, member_id: uuid.UUID) -> dict[str, Any]:
        """A member's shop-credit limit, what is owed and what is still available."""
        return _status(_member(member_id))


@blp.route("/members/<uuid:member_id>/credit/transactions")
class MemberCreditTxns(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(CreditTxnSchema))
    def get(self, page: int, per_page: int, member_id: uuid.UUID) -> dict[str, Any]:
        """The member's credit history, newest first."""
        member = _member(member_id)
        return paginate(credit.transactions_of(member.id), page=page, per_page=per_page)


@blp.route("/members/<uuid:member_id>/credit/payments")
class MemberCreditPayments(MethodView):
    @require_permission("retail.sell")
    @idempotent
    @blp.arguments(CreditPaymentInSchema)
    @blp.response(201, CreditTxnSchema)
    def post(self, data: dict[str, Any], member_id: uuid.UUID) -> Any:
        """Shop credit paid at the counter (cash or transfer), all or part; more than owed is refused."""
        return credit.pay_credit(
            tenant=g.tenant,
            actor=_me(),
            member=_member(member_id),
            amount=data["amount"],
            method=data["method"],
            idempotency_key=request.headers.get(HEADER, "").strip() or None,
        )


@blp.route("/members/<uuid:member_id>/credit/savings-deductions")
class MemberCreditSavings(MethodView):
    @require_permission("savings.transact")
    @idempotent
    @blp.arguments(SavingsDeductionInSchema)
    @blp.response(201, CreditTxnSchema)
    def post(self, data: dict[str, Any], member_id: uuid.UUID) -> Any:
        """Shop credit paid from the member's sukarela savings (Dr 2101 / Cr 1301); refused when the
        savings cannot cover it."""
        return credit.deduct_from_savings(
            tenant=g.tenant,
            actor=_me(),
            member=_member(member_id),
            amount=data["amount"],
            idempotency_key=request.headers.get(HEADER, "").strip() or None,
        )


@blp.route("/credit/payroll")
class Payroll(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PayrollArgs, location="query", as_kwargs=True)
    @blp.response(200, PayrollGroupSchema(many=True))
    def get(self, month: str) -> Any:
        """The payroll deduction list of a month (`2026-11`): per employer, what members owe."""
        return credit.payroll_list(month)


@blp.route("/customers")
class Customers(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(CustomerSchema))
    def get(self, page: int, per_page: int) -> dict[str, Any]:
        """Business customers by name."""
        return paginate(select(Customer).order_by(Customer.name, Customer.id), page=page, per_page=per_page)

    @require_permission("retail.sell")
    @idempotent
    @blp.arguments(CustomerCreateSchema)
    @blp.response(201, CustomerSchema)
    def post(self, data: dict[str, Any]) -> Customer:
        """Add a business customer (NPWP optional: 15 or 16 digits)."""
        return invoices.create_customer(tenant=g.tenant, actor=_me(), **data)


@blp.route("/invoices")
class Invoices(MethodView):
    @require_permission("retail.view")
    @blp.arguments(InvoiceArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(InvoiceSchema))
    def get(self, page: int, per_page: int, status: str | None) -> dict[str, Any]:
        """Sales invoices, newest first; `status` filters."""
        return paginate(invoices.invoice_query(status), page=page, per_page=per_page)

    @require_permission("retail.sell")
    @idempotent
    @blp.arguments(InvoiceCreateSchema)
    @blp.response(201, InvoiceSchema)
    def post(self, data: dict[str, Any]) -> Invoice:
        """Issue an invoice to a customer or a member (one of them): goods leave stock, the receivable
        and (PKP tenants) the PPN are posted. A member's invoice counts against the credit limit."""
        customer = member = None
        if data["customer_id"] is not None:
            customer = get_scoped(db.session, Customer, data["customer_id"])
            if customer is None:
                message = _l("Customer not found.")
                raise ValidationError(message, fields={"customer_id": [message]})
        if data["member_id"] is not None:
            member = get_scoped(db.session, Member, data["member_id"])
            if member is None:
                message = _l("Member not found.")
                raise ValidationError(message, fields={"member_id": [message]})
        lines = [
            invoices.InvoiceLineData(_item_ref(ln, n), ln["qty"], ln["unit_price"])
            for n, ln in enumerate(data["lines"], start=1)
        ]
        key = request.headers.get(HEADER, "").strip() or uuid.uuid4().hex
        return invoices.issue_invoice(
            tenant=g.tenant,
            actor=_me(),
            lines=lines,
            submit_key=key[:64],
            customer=customer,
            member=member,
            invoice_on=data["invoice_on"],
            terms_days=data["terms_days"],
            memo=data["memo"],
        )


@blp.route("/invoices/<uuid:invoice_id>")
class InvoiceOne(MethodView):
    @require_permission("retail.view")
    @blp.response(200, InvoiceSchema)
    def get(self, invoice_id: uuid.UUID) -> Invoice:
        """One invoice with its lines, tax and balance."""
        return _get(Invoice, invoice_id, _l("Invoice not found."))


@blp.route("/invoices/<uuid:invoice_id>/payments")
class InvoicePayments(MethodView):
    @require_permission("retail.sell")
    @idempotent
    @blp.arguments(InvoicePaymentInSchema)
    @blp.response(201, InvoicePaymentSchema)
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Record money received against an invoice; more than its balance is refused."""
        invoice = _get(Invoice, invoice_id, _l("Invoice not found."))
        return invoices.record_payment(
            tenant=g.tenant,
            actor=_me(),
            invoice=invoice,
            amount=data["amount"],
            method=data["method"],
            paid_on=data["paid_on"],
        )


@blp.route("/invoices/<uuid:invoice_id>/void")
class InvoiceVoid(MethodView):
    @require_permission("retail.sell")
    @idempotent
    @blp.arguments(InvoiceVoidSchema)
    @blp.response(200, InvoiceSchema)
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Invoice:
        """Void an unpaid invoice with a reason: its entry is reversed, the goods go back into stock."""
        invoice = _get(Invoice, invoice_id, _l("Invoice not found."))
        return invoices.void_invoice(tenant=g.tenant, actor=_me(), invoice=invoice, reason=data["reason"])


@blp.route("/receivables-ageing")
class Ageing(MethodView):
    @require_permission("retail.view")
    @blp.arguments(AgeingArgs, location="query", as_kwargs=True)
    @blp.response(200, AgeingSchema)
    def get(self, as_of: Any) -> Any:
        """Open receivables per member and customer by days past due; the total plus other sources
        equals the balance of the receivable account."""
        return receivables.ageing(g.tenant, as_of)
