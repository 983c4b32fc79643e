"""API schemas of the member register. Request bodies refuse unknown fields."""

from __future__ import annotations

import marshmallow as ma

from coopsaas.api.fields import Money, Timestamp
from coopsaas.members.models import MEMBER_STATUSES, MEMBER_TYPES, SEXES


class MemberSearchArgs(ma.Schema):
    q = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=100),
        metadata={"description": "Member number, NIK (or its start) or part of the name."},
    )


class MemberCreateSchema(ma.Schema):
    nik = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    sex = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(SEXES))
    birth_date = ma.fields.Date(load_default=None, allow_none=True)
    address = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=500))
    phone = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=30))
    occupation = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=100))
    employer = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=200))
    joined_on = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Default: today. Simpanan pokok is posted on it."},
    )
    type = ma.fields.String(load_default="anggota", validate=ma.validate.OneOf(MEMBER_TYPES))
    channel = ma.fields.String(
        load_default="cash",
        validate=ma.validate.OneOf(("cash", "transfer")),
        metadata={"description": "How simpanan pokok is paid."},
    )


class MemberSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    member_no = ma.fields.String(required=True)
    nik = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    sex = ma.fields.String(allow_none=True)
    birth_date = ma.fields.Date(allow_none=True)
    address = ma.fields.String(required=True)
    phone = ma.fields.String(allow_none=True)
    occupation = ma.fields.String(allow_none=True)
    employer = ma.fields.String(allow_none=True)
    joined_on = ma.fields.Date(required=True)
    type = ma.fields.String(required=True, metadata={"enum": list(MEMBER_TYPES)})
    status = ma.fields.String(required=True, metadata={"enum": list(MEMBER_STATUSES)})
    created_at = Timestamp(required=True)


class MemberAccountSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    account_no = ma.fields.String(required=True)
    product_code = ma.fields.String(required=True)
    product_name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    balance = Money(required=True)
    available = Money(required=True, metadata={"description": "What may be withdrawn now."})


class MemberDetailSchema(MemberSchema):
    accounts = ma.fields.List(ma.fields.Nested(MemberAccountSchema), required=True)
    total_savings = Money(required=True)
