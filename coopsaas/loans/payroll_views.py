"""Payroll deduction page (`/t/<slug>/loans/payroll`): download an employer's deduction list for a
month as XLSX, upload the confirmed file to post it, and the batches posted so far."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from coopsaas.core.db import get_scoped
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.loans import payroll as pr
from coopsaas.loans.payroll_models import PayrollBatch
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import tenant_blueprint

bp = tenant_blueprint("loans_payroll", __name__, "/loans/payroll", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(FlaskForm):
    file = FileField()


def _page(
    *,
    form: UploadForm,
    result: Any = None,
    problems: list[str] | None = None,
    error: str = "",
    status: int = 200,
) -> Any:
    return (
        render_template(
            "loans/payroll.html",
            employers=pr.employers(),
            batches=pr.batches(),
            form=form,
            result=result,
            problems=problems or [],
            error=error,
            month=request.args.get("month", ""),
            can_post=has_permission("loans.transact"),
        ),
        status,
    )


@bp.get("/")
@require_permission("loans.view")
def index() -> Any:
    return _page(form=UploadForm())


@bp.get("/export.xlsx")
@require_permission("loans.view")
def export() -> Any:
    employer = request.args.get("employer", "")
    month = request.args.get("month", "")
    day = None
    if request.args.get("payroll_on"):
        try:
            day = date.fromisoformat(request.args["payroll_on"])
        except ValueError:
            return _page(form=UploadForm(), error=_("Give the payroll date as YYYY-MM-DD."), status=422)
    try:
        content = pr.export_xlsx(g.tenant, employer=employer, month=month, payroll_on=day)
    except DomainError as exc:
        return _page(form=UploadForm(), error=str(exc.message), status=exc.http_status)
    response = make_response(content)
    response.headers["Content-Type"] = XLSX
    safe = "".join(c if c.isalnum() else "-" for c in employer)[:60]
    response.headers["Content-Disposition"] = f'attachment; filename="potong-gaji-{safe}-{month}.xlsx"'
    return response


@bp.post("/import")
@require_permission("loans.transact")
def upload() -> Any:
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form=form, error=_("The form expired; upload the file again."), status=400)
    sent = request.files.get("file")
    content = sent.read() if sent is not None else b""
    try:
        result = pr.import_confirmed(g.tenant, actor=current_user, content=content)
    except pr.PayrollFileRejected as exc:
        db.session.rollback()
        return _page(
            form=UploadForm(),
            error=_("The file was refused and nothing was posted:"),
            problems=exc.fields["file"],
            status=422,
        )
    except DomainError as exc:
        db.session.rollback()
        return _page(form=UploadForm(), error=str(exc.message), status=exc.http_status)
    db.session.commit()
    return _page(form=UploadForm(), result=result)


@bp.get("/batches/<uuid:batch_id>")
@require_permission("loans.view")
def batch(batch_id: uuid.UUID) -> Any:
    row = get_scoped(db.session, PayrollBatch, batch_id)
    if row is None:
        abort(404)
    return _page(form=UploadForm(), result=pr.result_of(row))
