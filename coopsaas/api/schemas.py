"""Schemas of the API shell: the error body, the caller, tenants, tokens, users, audit events.

Request bodies refuse unknown fields (marshmallow's default RAISE): a misspelt field is a 422,
never silently ignored. Query strings ignore unknown parameters (webargs' default for them).
"""

from __future__ import annotations

import marshmallow as ma

from coopsaas.api.fields import Timestamp
from coopsaas.api.pagination import PageArgs
from coopsaas.auth.permissions import TENANT_ROLES
from coopsaas.auth.services import MIN_PASSWORD
from coopsaas.tenancy.models import LEGAL_FORMS

ROLE = ma.validate.OneOf(TENANT_ROLES)


class ProblemSchema(ma.Schema):
    """The one error body of the API, whatever the status."""

    error = ma.fields.String(required=True, metadata={"description": "A code for programs, e.g. not_found."})
    message = ma.fields.String(required=True, metadata={"description": "A sentence for the user."})
    # `fields` on the wire; another attribute name, as Schema.fields is marshmallow's own.
    field_errors = ma.fields.Dict(
        data_key="fields", keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True,
        metadata={"description": "Messages per invalid field (or header, or query parameter)."},
    )


class TenantRolesSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    legal_form = ma.fields.String(required=True, metadata={"enum": list(LEGAL_FORMS)})
    roles = ma.fields.List(ma.fields.String(), required=True)


class AgencyRoleSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)


class MeSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    username = ma.fields.String(required=True)
    full_name = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    locale = ma.fields.String(allow_none=True)
    tenants = ma.fields.List(ma.fields.Nested(TenantRolesSchema), required=True,
                             metadata={"description": "With a token: only the token's cooperative."})
    agencies = ma.fields.List(ma.fields.Nested(AgencyRoleSchema), required=True)


class TenantProfileSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    legal_form = ma.fields.String(required=True, metadata={"enum": list(LEGAL_FORMS)})
    registration_no = ma.fields.String(allow_none=True)
    city = ma.fields.String(allow_none=True)
    timezone = ma.fields.String(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "Your roles here."})
    permissions = ma.fields.List(ma.fields.String(), required=True)


class TokenSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    prefix = ma.fields.String(required=True, metadata={"description": "First characters, to recognise it."})
    created_at = Timestamp(required=True)
    last_used_at = Timestamp(allow_none=True)
    revoked_at = Timestamp(allow_none=True)


class TokenCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))


class TokenCreatedSchema(TokenSchema):
    token = ma.fields.String(required=True, metadata={"description": "The secret: shown once, store it now."})


class UserSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    username = ma.fields.String(required=True)
    full_name = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    is_active = ma.fields.Boolean(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "Active roles here."})


class UserCreateSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=80))
    full_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    password = ma.fields.String(required=True, load_only=True,
                                validate=ma.validate.Length(min=MIN_PASSWORD, max=200))
    email = ma.fields.Email(load_default=None, allow_none=True, validate=ma.validate.Length(max=254))
    phone = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=32))
    role = ma.fields.String(required=True, validate=ROLE)


class RoleGrantSchema(ma.Schema):
    role = ma.fields.String(required=True, validate=ROLE)


class AuditArgs(PageArgs):
    action = ma.fields.String(validate=ma.validate.Length(min=1, max=80),
                              metadata={"description": "Only events with this action, e.g. token.create."})


class AuditEventSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    created_at = Timestamp(required=True)
    action = ma.fields.String(required=True)
    actor = ma.fields.String(allow_none=True, metadata={"description": "Username of who did it."})
    target_type = ma.fields.String(allow_none=True)
    target_id = ma.fields.String(allow_none=True)
    summary = ma.fields.Dict(required=True)
    request_id = ma.fields.String(allow_none=True)


class AgencyTenantSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    legal_form = ma.fields.String(required=True, metadata={"enum": list(LEGAL_FORMS)})
    city = ma.fields.String(allow_none=True)
    agency = ma.fields.String(required=True, metadata={"description": "Slug of the supervising agency."})
