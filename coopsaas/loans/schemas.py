"""API schemas of the loan book. Money travels as decimal strings, rates as percent strings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from coopsaas.api.fields import Money, PositiveMoney, Timestamp
from coopsaas.api.pagination import PageArgs
from coopsaas.loans.models import (
    APPLICATION_STATUSES,
    DISBURSE_CHANNELS,
    FEE_COLLECTIONS,
    LOAN_STATUSES,
    METHODS,
    PENALTY_UNITS,
    RATE_BASES,
)

PERCENT = r"^\d{1,3}(\.\d{1,4})?$"


def _percent(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.Regexp(PERCENT), metadata={"pattern": PERCENT, "example": "1.5"}, **kwargs
    )


class LoanProductSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    method = ma.fields.String(required=True, metadata={"enum": list(METHODS)})
    rate_basis = ma.fields.String(required=True, metadata={"enum": list(RATE_BASES)})
    rate = ma.fields.String(required=True, metadata={"description": "Percent per year or per month."})
    min_amount = Money(required=True)
    max_amount = Money(required=True)
    max_savings_multiple = ma.fields.String(allow_none=True, required=True)
    min_term_months = ma.fields.Integer(required=True)
    max_term_months = ma.fields.Integer(required=True)
    admin_fee = Money(required=True)
    provision_pct = ma.fields.String(required=True)
    fee_collection = ma.fields.String(required=True, metadata={"enum": list(FEE_COLLECTIONS)})
    penalty_rate_pct = ma.fields.String(required=True)
    penalty_per = ma.fields.String(required=True, metadata={"enum": list(PENALTY_UNITS)})
    penalty_grace_days = ma.fields.Integer(required=True)
    requires_guarantor = ma.fields.Boolean(required=True)
    requires_collateral = ma.fields.Boolean(required=True)
    is_active = ma.fields.Boolean(required=True)
    edited_at = Timestamp(allow_none=True, required=True)


class LoanProductListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(LoanProductSchema), required=True)


class LoanProductPatchSchema(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    method = ma.fields.String(validate=ma.validate.OneOf(METHODS))
    rate_basis = ma.fields.String(validate=ma.validate.OneOf(RATE_BASES))
    rate = _percent()
    min_amount = PositiveMoney()
    max_amount = PositiveMoney()
    max_savings_multiple = _percent(allow_none=True)
    min_term_months = ma.fields.Integer(validate=ma.validate.Range(min=1, max=360))
    max_term_months = ma.fields.Integer(validate=ma.validate.Range(min=1, max=360))
    admin_fee = Money()
    provision_pct = _percent()
    fee_collection = ma.fields.String(validate=ma.validate.OneOf(FEE_COLLECTIONS))
    penalty_rate_pct = _percent()
    penalty_per = ma.fields.String(validate=ma.validate.OneOf(PENALTY_UNITS))
    penalty_grace_days = ma.fields.Integer(validate=ma.validate.Range(min=0, max=90))
    requires_guarantor = ma.fields.Boolean()
    requires_collateral = ma.fields.Boolean()
    is_active = ma.fields.Boolean()


class InstalmentSchema(ma.Schema):
    no = ma.fields.Integer(required=True)
    due_on = ma.fields.Date(required=True)
    principal = Money(required=True)
    interest = Money(required=True)
    total = Money(required=True)
    balance_after = Money(required=True)


class QuoteArgs(ma.Schema):
    member_id = ma.fields.UUID(required=True)
    product_id = ma.fields.UUID(required=True)
    amount = PositiveMoney(required=True)
    term_months = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=360))


class QuoteSchema(ma.Schema):
    amount = Money(required=True)
    term_months = ma.fields.Integer(required=True)
    method = ma.fields.String(required=True)
    rate_basis = ma.fields.String(required=True)
    rate = ma.fields.String(required=True)
    admin_fee = Money(required=True)
    provision_fee = Money(required=True)
    net_disbursed = Money(required=True)
    regular_instalment = Money(required=True)
    total_interest = Money(required=True)
    margin = Money(
        required=True,
        metadata={"description": "Murabahah: the margin fixed at the akad (cost x rate x term); else 0."},
    )
    selling_price = Money(
        required=True, metadata={"description": "Murabahah: cost + margin (harga jual); else the amount."}
    )
    instalments = ma.fields.List(ma.fields.Nested(InstalmentSchema), required=True)


class ApplicationCreateSchema(ma.Schema):
    member_id = ma.fields.UUID(required=True)
    product_id = ma.fields.UUID(required=True)
    amount = PositiveMoney(required=True)
    term_months = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=360))
    purpose = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    collateral = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    collateral_value = Money(load_default=None, allow_none=True)
    guarantor = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))


class ApplicationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    application_no = ma.fields.String(required=True)
    member_id = ma.fields.UUID(required=True)
    member_no = ma.fields.String(required=True)
    product_id = ma.fields.UUID(required=True)
    product_code = ma.fields.String(required=True)
    amount = Money(required=True)
    term_months = ma.fields.Integer(required=True)
    purpose = ma.fields.String(required=True)
    collateral = ma.fields.String(required=True)
    collateral_value = Money(allow_none=True, required=True)
    guarantor = ma.fields.String(required=True)
    admin_fee = Money(required=True)
    provision_fee = Money(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(APPLICATION_STATUSES)})
    applied_on = ma.fields.Date(required=True)
    decision_reason = ma.fields.String(required=True)
    loan_id = ma.fields.UUID(allow_none=True, required=True)


class ApplicationListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(APPLICATION_STATUSES))


class DecisionSchema(ma.Schema):
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class DisburseSchema(ma.Schema):
    channel = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(DISBURSE_CHANNELS))
    disbursed_on = ma.fields.Date(
        load_default=None, allow_none=True, metadata={"description": "Business date; default today."}
    )
    savings_account_id = ma.fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={"description": "For channel savings; default the member's open sukarela account."},
    )


class LoanListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(LOAN_STATUSES))
    member_id = ma.fields.UUID(load_default=None)
    product_id = ma.fields.UUID(load_default=None)
    disbursed_from = ma.fields.Date(load_default=None)
    disbursed_to = ma.fields.Date(load_default=None)


class LoanSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    loan_no = ma.fields.String(required=True)
    application_id = ma.fields.UUID(required=True)
    member_id = ma.fields.UUID(required=True)
    member_no = ma.fields.String(required=True)
    product_code = ma.fields.String(required=True)
    method = ma.fields.String(required=True)
    rate_basis = ma.fields.String(required=True)
    rate = ma.fields.String(required=True)
    principal = Money(required=True)
    term_months = ma.fields.Integer(required=True)
    admin_fee = Money(required=True)
    provision_fee = Money(required=True)
    net_disbursed = Money(required=True)
    channel = ma.fields.String(required=True)
    disbursed_on = ma.fields.Date(required=True)
    maturity_on = ma.fields.Date(required=True)
    outstanding_principal = Money(
        required=True, metadata={"description": "For a murabahah the remaining cost (1211 - 1212)."}
    )
    is_sharia = ma.fields.Boolean(required=True, metadata={"description": "Murabahah or qardh financing."})
    margin = Money(
        required=True, metadata={"description": "Murabahah: the margin fixed at the akad; else 0."}
    )
    status = ma.fields.String(required=True, metadata={"enum": list(LOAN_STATUSES)})
    voucher_no = ma.fields.String(required=True)
    next_due_on = ma.fields.Date(allow_none=True, required=True)
    next_due_amount = Money(allow_none=True, required=True)


class LoanDetailSchema(LoanSchema):
    instalments = ma.fields.List(ma.fields.Nested(InstalmentSchema), required=True)
