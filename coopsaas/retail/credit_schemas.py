"""JSON shapes of the receivables API. Money travels as decimal strings ("1250000.00")."""

from __future__ import annotations

import marshmallow as ma

from coopsaas.api.fields import Money
from coopsaas.api.pagination import PageArgs
from coopsaas.retail.schemas import ItemRefSchema, Quantity


class CreditStatusSchema(ma.Schema):
    member_id = ma.fields.UUID(required=True)
    savings = Money(required=True, metadata={"description": "Savings the limit is a share of."})
    pct = ma.fields.Decimal(as_string=True, required=True, metadata={"description": "Percent of savings."})
    cap = Money(allow_none=True)
    limit = Money(required=True)
    outstanding = Money(required=True, metadata={"description": "Owed for credit sales at the till."})
    invoices = Money(required=True, metadata={"description": "Owed on the member's unpaid invoices."})
    available = Money(required=True)


class CreditTxnSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    member_id = ma.fields.UUID(required=True)
    kind = ma.fields.String(
        required=True, metadata={"enum": ["sale", "payment", "savings", "exit", "void", "return"]}
    )
    txn_on = ma.fields.Date(required=True)
    amount = Money(required=True)
    balance_after = Money(required=True)
    method = ma.fields.String(allow_none=True)
    sale_id = ma.fields.UUID(allow_none=True)
    journal_entry_id = ma.fields.UUID(allow_none=True)
    memo = ma.fields.String(required=True)


class CreditPaymentInSchema(ma.Schema):
    amount = Money(required=True)
    method = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(["cash", "transfer"]))


class SavingsDeductionInSchema(ma.Schema):
    amount = Money(required=True)


class PayrollArgs(ma.Schema):
    month = ma.fields.String(required=True, metadata={"example": "2026-11"})


class PayrollRowSchema(ma.Schema):
    member_id = ma.fields.UUID(required=True)
    member_no = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    employer = ma.fields.String(required=True)
    occupation = ma.fields.String(required=True)
    credit = Money(required=True)
    invoices = Money(required=True)
    total = Money(required=True)


class PayrollGroupSchema(ma.Schema):
    employer = ma.fields.String(required=True)
    total = Money(required=True)
    rows = ma.fields.List(ma.fields.Nested(PayrollRowSchema), required=True)


class CustomerSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    address = ma.fields.String(required=True)
    npwp = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    is_active = ma.fields.Boolean(required=True)


class CustomerCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    address = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    npwp = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=25))
    phone = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=40))


class InvoiceLineInSchema(ItemRefSchema):
    qty = Quantity(required=True)
    unit_price = Money(load_default=None, metadata={"description": "Empty: the member or public price."})


class InvoiceCreateSchema(ma.Schema):
    customer_id = ma.fields.UUID(load_default=None)
    member_id = ma.fields.UUID(load_default=None)
    invoice_on = ma.fields.Date(load_default=None)
    terms_days = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=0, max=366),
        metadata={"description": "Default: 30."},
    )
    memo = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    lines = ma.fields.List(
        ma.fields.Nested(InvoiceLineInSchema), required=True, validate=ma.validate.Length(min=1, max=50)
    )


class InvoiceLineSchema(ma.Schema):
    line_no = ma.fields.Integer(required=True)
    item_id = ma.fields.UUID(required=True)
    sku = ma.fields.Function(lambda ln: ln.item.sku)
    name = ma.fields.Function(lambda ln: ln.item.name)
    qty = Quantity(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)


class InvoiceSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    number = ma.fields.String(required=True)
    customer_id = ma.fields.UUID(allow_none=True)
    member_id = ma.fields.UUID(allow_none=True)
    invoice_on = ma.fields.Date(required=True)
    terms_days = ma.fields.Integer(required=True)
    due_on = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["open", "partial", "paid", "voided"]})
    is_taxable = ma.fields.Boolean(required=True)
    tax_rate = ma.fields.Decimal(as_string=True, places=4, required=True)
    subtotal = Money(required=True, metadata={"description": "DPP when taxable."})
    tax = Money(required=True, metadata={"description": "PPN."})
    total = Money(required=True)
    paid = Money(required=True)
    balance = Money(required=True)
    void_reason = ma.fields.String(allow_none=True)
    journal_entry_id = ma.fields.UUID(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineSchema), required=True)


class InvoiceArgs(PageArgs):
    status = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(["open", "partial", "paid", "voided"])
    )


class InvoicePaymentInSchema(ma.Schema):
    amount = Money(required=True)
    method = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(["cash", "transfer"]))
    paid_on = ma.fields.Date(load_default=None)


class InvoicePaymentSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    invoice_id = ma.fields.UUID(required=True)
    paid_on = ma.fields.Date(required=True)
    amount = Money(required=True)
    method = ma.fields.String(required=True)
    journal_entry_id = ma.fields.UUID(allow_none=True)


class InvoiceVoidSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class AgeingArgs(ma.Schema):
    as_of = ma.fields.Date(load_default=None)


class AgeingRowSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"enum": ["member", "customer"]})
    id = ma.fields.UUID(attribute="ident", required=True)
    name = ma.fields.String(required=True)
    buckets = ma.fields.Dict(keys=ma.fields.String(), values=Money(), required=True)
    total = Money(required=True)


class AgeingSchema(ma.Schema):
    as_of = ma.fields.Date(required=True)
    rows = ma.fields.List(ma.fields.Nested(AgeingRowSchema), required=True)
    totals = ma.fields.Dict(keys=ma.fields.String(), values=Money(), required=True)
    total = Money(required=True)
    other = Money(required=True, metadata={"description": "Other features' balances in 1301."})
    control = Money(required=True, metadata={"description": "Balance of the receivable account 1301."})
    difference = Money(required=True)
