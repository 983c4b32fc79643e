"""Loans API, rescheduling: reschedule an active loan (manager; Idempotency-Key) and list its
schedule versions. Refusals: 422 with field messages for bad terms, 409 `loan_closed` /
`loan_written_off` / `nothing_to_reschedule`."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import g, request
from flask.views import MethodView
from flask_login import current_user

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.fields import Money
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound
from coopsaas.extensions import db
from coopsaas.loans import reschedule
from coopsaas.loans.models import Loan, LoanReschedule
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint("api_loans_reschedule", __name__, "/loans", description="Loan rescheduling.")


class RescheduleSchema(ma.Schema):
    term_months = ma.fields.Integer(required=True)
    rate = ma.fields.String(
        load_default=None, metadata={"description": 'Percent, e.g. "12"; default unchanged.'}
    )
    rate_basis = ma.fields.String(load_default=None, validate=ma.validate.OneOf(("rate_pa", "rate_pm")))
    method = ma.fields.String(load_default=None, validate=ma.validate.OneOf(reschedule.METHODS))
    capitalise_interest = ma.fields.Boolean(load_default=False)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(max=500))


class LiveRowSchema(ma.Schema):
    no = ma.fields.Integer()
    due_on = ma.fields.Date()
    principal = Money()
    interest = Money()
    penalty = Money()
    unpaid = Money()
    superseded_on = ma.fields.Date(allow_none=True)


class RescheduleOutSchema(ma.Schema):
    id = ma.fields.UUID()
    loan_id = ma.fields.UUID()
    version = ma.fields.Integer()
    effective_on = ma.fields.Date()
    first_due_on = ma.fields.Date()
    method = ma.fields.String()
    rate_basis = ma.fields.String()
    rate = ma.fields.String()
    term_months = ma.fields.Integer()
    arrears_interest = Money()
    capitalise_interest = ma.fields.Boolean()
    penalty_carried = Money()
    new_principal = Money()
    class_before = ma.fields.String(allow_none=True)
    old_terms = ma.fields.Dict()
    instalments = ma.fields.List(ma.fields.Nested(LiveRowSchema))


class ScheduleVersionSchema(ma.Schema):
    version = ma.fields.Integer()
    instalments = ma.fields.List(ma.fields.Nested(LiveRowSchema))


def _loan(ident: Any) -> Loan:
    row = get_scoped(db.session, Loan, ident)
    if row is None:
        raise NotFound(_l("Loan not found."))
    return row


def _rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [{k: getattr(r, k) for k in LiveRowSchema._declared_fields} for r in rows]


def reschedule_out(record: LoanReschedule, loan: Loan) -> dict[str, Any]:
    versions = reschedule.schedule_versions(loan)
    return {
        **{k: getattr(record, k) for k in RescheduleOutSchema._declared_fields if k != "instalments"},
        "instalments": _rows(versions.get(record.version, [])),
    }


@blp.route("/<uuid:loan_id>/reschedules")
class Reschedules(MethodView):
    @require_permission("loans.view")
    @blp.response(200, ScheduleVersionSchema(many=True))
    def get(self, loan_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every schedule version of the loan, superseded rows marked with `superseded_on`."""
        versions = reschedule.schedule_versions(_loan(loan_id))
        return [{"version": v, "instalments": _rows(rows)} for v, rows in sorted(versions.items())]

    @require_permission("loans.approve")
    @idempotent
    @blp.arguments(RescheduleSchema)
    @blp.response(201, RescheduleOutSchema)
    def post(self, data: dict[str, Any], loan_id: uuid.UUID) -> dict[str, Any]:
        """Reschedule from the next due date on the outstanding principal (manager)."""
        loan = _loan(loan_id)
        raw = request.headers.get(HEADER, "").strip()
        record = reschedule.reschedule_loan(
            tenant=g.tenant,
            actor=current_user,
            loan=loan,
            idempotency_key=f"api:{current_user.id}:{raw}" if raw else None,
            **data,
        )
        return reschedule_out(record, loan)
