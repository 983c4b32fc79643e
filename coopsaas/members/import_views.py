"""Onboarding import page and its API and CLI: members with opening balances from CSV or XLSX."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click
import marshmallow as ma
from flask import g, make_response, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest.fields import Upload
from sqlalchemy import select

from coopsaas.api.blueprint import tenant_blueprint as api_blueprint
from coopsaas.api.fields import Money
from coopsaas.core.db import tenant_scope
from coopsaas.errors import DomainError, ValidationError
from coopsaas.extensions import db
from coopsaas.members import importer
from coopsaas.tenancy.context import require_permission
from coopsaas.tenancy.models import Tenant
from coopsaas.web.helpers import tenant_blueprint

bp = tenant_blueprint("members_import", __name__, "/members/import", template_folder="templates")

TEMPLATE_TYPES = {
    "csv": ("text/csv; charset=utf-8", importer.template_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", importer.template_xlsx),
}


def _opened_on(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        message = _("Write the date as YYYY-MM-DD.")
        raise ValidationError(message, fields={"opened_on": [message]}) from None


@bp.route("", methods=["GET", "POST"])
@require_permission("members.manage")
def upload() -> Any:
    if request.method == "GET":
        return render_template("members/import.html", error=None, opened_on="")
    upload = request.files.get("file")
    opened_on_raw = request.form.get("opened_on", "")
    try:
        if upload is None or not upload.filename:
            message = _("Choose a .csv or .xlsx file.")
            raise ValidationError(message, fields={"file": [message]})
        result = importer.import_members(
            tenant=g.tenant,
            actor=current_user,
            filename=upload.filename,
            data=upload.read(),
            opened_on=_opened_on(opened_on_raw),
        )
    except DomainError as exc:
        db.session.rollback()
        return render_template("members/import.html", error=exc, opened_on=opened_on_raw), exc.http_status
    db.session.commit()
    return render_template("members/import_done.html", result=result)


@bp.get("/template.<fmt>")
@require_permission("members.manage")
def template(fmt: str) -> Any:
    if fmt not in TEMPLATE_TYPES:
        return redirect(url_for(".upload"))
    mimetype, build = TEMPLATE_TYPES[fmt]
    resp = make_response(build())
    resp.headers["Content-Type"] = mimetype
    resp.headers["Content-Disposition"] = f'attachment; filename="impor-anggota.{fmt}"'
    return resp


# ---- API ---------------------------------------------------------------------------------------------

blp = api_blueprint(
    "api_members_import",
    __name__,
    "/members/import",
    description="Onboarding: members with opening balances from a CSV or XLSX file.",
)


class ImportFileSchema(ma.Schema):
    file = Upload(required=True, metadata={"description": "The CSV or XLSX file (columns as the template)."})


class ImportFormSchema(ma.Schema):
    opened_on = ma.fields.Date(load_default=None, metadata={"description": "Opening date (default today)."})


class ImportedMemberSchema(ma.Schema):
    id = ma.fields.UUID()
    member_no = ma.fields.String()
    nik = ma.fields.String()
    name = ma.fields.String()


class ImportResultSchema(ma.Schema):
    fingerprint = ma.fields.String()
    opened_on = ma.fields.Date()
    members = ma.fields.List(ma.fields.Nested(ImportedMemberSchema))
    pokok = Money()
    wajib = Money()
    sukarela = Money()
    total = Money()


@blp.route("")
class MemberImport(MethodView):
    @require_permission("members.manage")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.arguments(ImportFormSchema, location="form")
    @blp.response(201, ImportResultSchema)
    @blp.alt_response(409, description="This file was imported before.")
    def post(self, files: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
        """Import members and their opening balances, all or nothing. A 422 lists every problem under
        `fields` as `rows.<row>.<column>`; the same file a second time is a 409."""
        upload = files["file"]
        result = importer.import_members(
            tenant=g.tenant,
            actor=current_user,
            filename=upload.filename or "",
            data=upload.read(),
            opened_on=form.get("opened_on"),
        )
        return {
            "fingerprint": result.fingerprint,
            "opened_on": result.opened_on,
            "members": result.members,
            **result.totals,
            "total": result.total,
        }


# ---- CLI ---------------------------------------------------------------------------------------------

members_cli = AppGroup("members", help="The member register: onboarding import.")


@members_cli.command("import")
@click.option("--tenant", "slug", required=True, help="The cooperative's slug.")
@click.option("--on", "on", help="Opening date of the balances (YYYY-MM-DD; default today).")
@click.option("--user", "username", help="Who imports (recorded as the author).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(slug: str, on: str | None, username: str | None, file: Path) -> None:
    """Import members with opening balances from a CSV or XLSX file; nothing is written if any row fails."""
    from coopsaas.auth.models import User

    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one_or_none()
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    actor = None
    if username:
        actor = db.session.scalars(select(User).where(User.username == username)).one_or_none()
        if actor is None:
            raise click.ClickException(f"no user {username!r}")
    try:
        opened_on = date.fromisoformat(on) if on else None
    except ValueError as exc:
        raise click.ClickException(f"--on: {on!r} is not a date (YYYY-MM-DD)") from exc
    db.session.rollback()  # the lookups began a transaction; the scope starts a fresh one
    try:
        with tenant_scope(db.session, tenant.id):
            result = importer.import_members(
                tenant=tenant, actor=actor, filename=file.name, data=file.read_bytes(), opened_on=opened_on
            )
            summary = (len(result.members), result.totals, result.total)
    except importer.ImportRejected as exc:
        lines = [str(exc.message)]
        for p in exc.problems:
            where = f"row {p.row}, {p.column}" if p.row is not None else "file"
            lines.append(f"  {where}: {p.message}")
        raise click.ClickException("\n".join(lines)) from exc
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from exc
    n, totals, total = summary
    click.echo(
        f"imported {n} members: pokok {totals['pokok']}, wajib {totals['wajib']}, "
        f"sukarela {totals['sukarela']}, total {total}"
    )
