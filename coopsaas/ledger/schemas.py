"""JSON shapes of the ledger API. Money travels as decimal strings ("1250000.00"); request bodies
refuse unknown fields, so a misspelt one is a 422 rather than silently ignored."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma

from coopsaas.api.fields import Money, Timestamp
from coopsaas.api.pagination import PageArgs
from coopsaas.ledger.models import ACCOUNT_TYPES

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
FIRST_YEAR, LAST_YEAR = 1900, 9998


def Day(**kwargs: Any) -> ma.fields.Date:  # a field factory, named like the fields it makes
    """A date the ledger can compute around (a month either side stays in the calendar)."""
    return ma.fields.Date(
        validate=ma.validate.Range(min=date(FIRST_YEAR, 1, 1), max=date(LAST_YEAR, 12, 31)), **kwargs
    )


class AccountSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    type = ma.fields.String(required=True, metadata={"enum": list(ACCOUNT_TYPES)})
    normal_side = ma.fields.String(required=True, metadata={"description": "D (debit) or K (credit)."})
    is_contra = ma.fields.Boolean(required=True)
    parent_id = ma.fields.UUID(allow_none=True)
    tags = ma.fields.List(ma.fields.String(), required=True)
    is_active = ma.fields.Boolean(required=True)


class AccountCreateSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(ACCOUNT_TYPES))
    parent_code = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=20))
    is_contra = ma.fields.Boolean(load_default=False)
    tags = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=40)), load_default=list)


class LineInSchema(ma.Schema):
    account_code = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "The account by code (or give account_id)."},
    )
    account_id = ma.fields.UUID(load_default=None)
    debit = Money(load_default=None, metadata={"description": "Give debit or credit, the other empty or 0."})
    credit = Money(load_default=None)
    memo = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=300))

    @ma.validates_schema
    def _one_account(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("account_code") is None) == (data.get("account_id") is None):
            raise ma.ValidationError("Give account_code or account_id (one of them).", "account_code")


class EntryCreateSchema(ma.Schema):
    entry_on = Day(required=True)
    memo = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    lines = ma.fields.List(
        ma.fields.Nested(LineInSchema), required=True, validate=ma.validate.Length(min=2, max=200)
    )


class LineOutSchema(ma.Schema):
    line_no = ma.fields.Integer(required=True)
    account_id = ma.fields.UUID(required=True)
    account_code = ma.fields.String(required=True)
    account_name = ma.fields.String(required=True)
    debit = Money(required=True)
    credit = Money(required=True)
    memo = ma.fields.String(allow_none=True)


class EntrySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    voucher_no = ma.fields.String(required=True)
    series = ma.fields.String(required=True)
    entry_on = ma.fields.Date(required=True)
    memo = ma.fields.String(required=True)
    source_type = ma.fields.String(allow_none=True)
    total = Money(required=True)
    reverses_entry_id = ma.fields.UUID(allow_none=True)
    reversed_by_entry_id = ma.fields.UUID(allow_none=True)
    created_by = ma.fields.String(allow_none=True, metadata={"description": "Username of who posted it."})
    created_at = Timestamp(required=True)
    lines = ma.fields.List(ma.fields.Nested(LineOutSchema), required=True)


class EntryListArgs(PageArgs):
    start = Day(metadata={"description": "Entries dated on or after this day."})
    end = Day(metadata={"description": "Entries dated on or before this day."})
    voucher = ma.fields.String(
        validate=ma.validate.Length(min=1, max=32), metadata={"description": "Part of the voucher number."}
    )
    account = ma.fields.String(
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "Only entries with a line on this account code."},
    )


class ReverseSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    on = Day(load_default=None, allow_none=True, metadata={"description": "Default today."})


class TrialBalanceArgs(ma.Schema):
    as_of = Day(metadata={"description": "Balances at the end of this day (default today)."})
    period = ma.fields.String(
        validate=ma.validate.Regexp(PERIOD_PATTERN),
        metadata={"description": "A month, YYYY-MM: balances at its end."},
    )

    @ma.validates_schema
    def _not_both(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("as_of") and data.get("period"):
            raise ma.ValidationError("Give as_of or period, not both.", "period")
        if data.get("period") and not FIRST_YEAR <= int(data["period"][:4]) <= LAST_YEAR:
            raise ma.ValidationError(f"A year from {FIRST_YEAR} to {LAST_YEAR}.", "period")


class TrialBalanceRowSchema(ma.Schema):
    account_id = ma.fields.UUID(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    debit = Money(required=True)
    credit = Money(required=True)
    balance = Money(required=True, metadata={"description": "On the account's normal side."})


class TrialBalanceSchema(ma.Schema):
    as_of = ma.fields.Date(required=True)
    rows = ma.fields.List(ma.fields.Nested(TrialBalanceRowSchema), required=True)
    total_debit = Money(required=True)
    total_credit = Money(required=True)
    is_balanced = ma.fields.Boolean(required=True)


class ChecklistItemSchema(ma.Schema):
    label = ma.fields.String(required=True)
    ok = ma.fields.Boolean(required=True)


class PeriodSchema(ma.Schema):
    period = ma.fields.String(required=True, metadata={"example": "2026-10"})
    status = ma.fields.String(required=True, metadata={"enum": ["open", "closed"]})
    closed_at = Timestamp(allow_none=True)
    can_reopen = ma.fields.Boolean(required=True)
    checklist = ma.fields.List(
        ma.fields.Nested(ChecklistItemSchema),
        allow_none=True,
        metadata={"description": "For the next month to close only."},
    )


class PeriodListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PeriodSchema), required=True)


class ReopenSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


class AccountLedgerArgs(PageArgs):
    start = Day(metadata={"description": "Default: the first day of this month."})
    end = Day(metadata={"description": "Default: today."})


class AccountLedgerLineSchema(ma.Schema):
    entry_id = ma.fields.UUID(required=True)
    voucher_no = ma.fields.String(required=True)
    entry_on = ma.fields.Date(required=True)
    memo = ma.fields.String(allow_none=True)
    debit = Money(required=True)
    credit = Money(required=True)
    balance = Money(required=True, metadata={"description": "Running, on the account's normal side."})


class AccountLedgerSchema(ma.Schema):
    account = ma.fields.Nested(AccountSchema, required=True)
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    opening = Money(required=True)
    closing = Money(required=True)
    total_debit = Money(required=True)
    total_credit = Money(required=True)
    items = ma.fields.List(ma.fields.Nested(AccountLedgerLineSchema), required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)
