"""API schemas of savings accounts and their transactions. Money travels as decimal strings."""

from __future__ import annotations

import marshmallow as ma

from coopsaas.api.fields import Money, PositiveMoney, Timestamp
from coopsaas.savings.models import CHANNELS, TRANSACTION_KINDS


class AccountListArgs(ma.Schema):
    member_id = ma.fields.UUID(required=True, metadata={"description": "The member whose accounts to list."})


class SavingsAccountSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    account_no = ma.fields.String(required=True)
    member_id = ma.fields.UUID(required=True)
    member_no = ma.fields.String(required=True)
    member_name = ma.fields.String(required=True)
    product_code = ma.fields.String(required=True)
    product_name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    balance = Money(required=True)
    hold_amount = Money(required=True)
    available = Money(required=True, metadata={"description": "Balance less minimum balance and holds."})
    opened_on = ma.fields.Date(required=True)


class SavingsAccountListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SavingsAccountSchema), required=True)


class MovementSchema(ma.Schema):
    amount = PositiveMoney(required=True)
    channel = ma.fields.String(load_default="cash", validate=ma.validate.OneOf(CHANNELS))
    entry_on = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Business date; default today. A closed month is refused."},
    )
    memo = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))


class SavingsTransactionSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    account_id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(TRANSACTION_KINDS)})
    channel = ma.fields.String(required=True)
    amount = Money(required=True)
    balance_after = Money(required=True)
    entry_on = ma.fields.Date(required=True)
    memo = ma.fields.String(required=True)
    journal_entry_id = ma.fields.UUID(required=True)
    voucher_no = ma.fields.String(required=True)
    created_at = Timestamp(required=True)
