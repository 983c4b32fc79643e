"""Payroll deduction API: the XLSX list of an employer for a month, and the confirmed file posted
back (multipart field `file`). A file with any bad row: 422 `payroll_file_rejected` with every
problem under `fields.file`, nothing posted; another file for a month already posted: 409
`payroll_already_posted`; the same file again: 200 with `already_imported: true`."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g, make_response, request
from flask.views import MethodView
from flask_login import current_user

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.fields import Money
from coopsaas.api.idempotency import idempotent
from coopsaas.loans import payroll as pr
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_loans_payroll", __name__, "/loans/payroll", description="Payroll deduction (potong gaji)."
)


class ExportArgs(ma.Schema):
    employer = ma.fields.String(required=True)
    month = ma.fields.String(required=True, metadata={"description": "YYYY-MM"})
    payroll_on = ma.fields.Date(load_default=None, metadata={"description": "Default: the month's last day."})


class RowSchema(ma.Schema):
    member_no = ma.fields.String()
    name = ma.fields.String()
    due = Money()
    confirmed = Money()
    loans = Money()
    wajib = Money()
    shop = Money()


class MissingSchema(ma.Schema):
    member_no = ma.fields.String()
    name = ma.fields.String()
    due = Money()


class ImportSchema(ma.Schema):
    batch_id = ma.fields.UUID()
    employer = ma.fields.String()
    month = ma.fields.String()
    payroll_on = ma.fields.Date()
    already_imported = ma.fields.Boolean()
    due_total = Money()
    confirmed_total = Money()
    rows = ma.fields.List(ma.fields.Nested(RowSchema))
    partial = ma.fields.List(ma.fields.Nested(RowSchema))
    missing = ma.fields.List(ma.fields.Nested(MissingSchema))


def result_out(result: pr.ImportResult) -> dict[str, Any]:
    def row(r: pr.PostedRow) -> dict[str, Any]:
        return {
            "member_no": r.member_no,
            "name": r.name,
            "due": r.due,
            "confirmed": r.confirmed,
            "loans": r.loans,
            "wajib": r.wajib,
            "shop": r.shop,
        }

    batch = result.batch
    return {
        "batch_id": batch.id,
        "employer": batch.employer,
        "month": batch.month,
        "payroll_on": batch.payroll_on,
        "already_imported": result.already_imported,
        "due_total": batch.due_total,
        "confirmed_total": batch.confirmed_total,
        "rows": [row(r) for r in result.rows],
        "partial": [row(r) for r in result.partial],
        "missing": [{"member_no": n, "name": m, "due": d} for n, m, d in result.missing],
    }


@blp.route("/export.xlsx")
class Export(MethodView):
    @require_permission("loans.view")
    @blp.arguments(ExportArgs, location="query", as_kwargs=True)
    def get(self, employer: str, month: str, payroll_on: Any) -> Any:
        """The deduction list of an employer for a month as XLSX."""
        content = pr.export_xlsx(g.tenant, employer=employer, month=month, payroll_on=payroll_on)
        response = make_response(content)
        response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response.headers["Content-Disposition"] = f'attachment; filename="potong-gaji-{month}.xlsx"'
        return response


@blp.route("/imports")
class Imports(MethodView):
    @require_permission("loans.transact")
    @idempotent
    @blp.response(200, ImportSchema)
    def post(self) -> dict[str, Any]:
        """Post the employer's confirmed XLSX (multipart field `file`): all rows or none."""
        upload = request.files.get("file")
        content = upload.read() if upload is not None else b""
        return result_out(pr.import_confirmed(g.tenant, actor=current_user, content=content))
