"""`flask tenants ...`: sync tenants/*.toml into the database, list tenants, scaffold a new file."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.tenancy import sync as tenant_sync
from coopsaas.tenancy.models import LEGAL_FORMS, Agency, AgencyLink, Tenant

tenants_cli = AppGroup("tenants", help="Tenants as data: tenants/<slug>.toml and tenants/agencies/.")


def init_app(app: Flask) -> None:
    app.cli.add_command(tenants_cli)


def tenants_dir(option: str | None) -> Path:
    return Path(option or current_app.config["TENANTS_DIR"])


def run_sync(directory: Path) -> tenant_sync.SyncReport:
    """Sync for CLI commands: file errors become a ClickException (non-zero exit, nothing written)."""
    try:
        return tenant_sync.sync(db.session, directory)
    except tenant_sync.DefinitionsInvalid as exc:
        db.session.rollback()
        lines = [f"{len(exc.errors)} error(s) in {directory}; nothing was changed:"]
        raise click.ClickException("\n".join(lines + [f"  {e}" for e in exc.errors])) from exc


@tenants_cli.command("sync")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Directory with the tenant files (default: TENANTS_DIR, i.e. tenants/).")
def sync_command(directory: str | None) -> None:
    """Create or update agencies, tenants, links and accounts from the files (never deletes)."""
    report = run_sync(tenants_dir(directory))
    for line in report.lines():
        click.echo(line)
    if not report.changed:
        click.echo("nothing to change")


@tenants_cli.command("list")
def list_command() -> None:
    """Tenants in the database, with their agency."""
    agencies = {
        link.tenant_id: slug
        for link, slug in db.session.execute(
            select(AgencyLink, Agency.slug).join(Agency, Agency.id == AgencyLink.agency_id)
        ).all()
    }
    tenants = db.session.scalars(select(Tenant).order_by(Tenant.slug)).all()
    if not tenants:
        click.echo("no tenants yet: run `flask tenants sync`")
        return
    for t in tenants:
        state = "" if t.is_active else "  (inactive)"
        click.echo(f"{t.slug:<32} {t.legal_form:<12} {agencies.get(t.id, '-'):<24} {t.name}{state}")


@tenants_cli.command("new")
@click.argument("slug")
@click.option("--name", required=True, help="Full name, e.g. 'Koperasi Simpan Pinjam Maju Jaya'.")
@click.option("--legal-form", required=True, type=click.Choice(LEGAL_FORMS))
@click.option("--agency", default=None, help="Slug of the supervising agency (default: the only one).")
@click.option("--registration-no", default=None, help="NIK koperasi (16 digits).")
@click.option("--address", default=None)
@click.option("--city", default=None)
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None)
def new_command(slug: str, name: str, legal_form: str, agency: str | None, registration_no: str | None,
                address: str | None, city: str | None, directory: str | None) -> None:
    """Write tenants/<slug>.toml from the template for its legal form (never overwrites)."""
    root = tenants_dir(directory)
    if agency is None:
        found = sorted(p.stem for p in (root / "agencies").glob("*.toml"))
        agency = found[0] if len(found) == 1 else None
    try:
        path, text = tenant_sync.render_new_tenant(
            root, slug=slug, name=name, legal_form=legal_form, agency=agency,
            registration_no=registration_no, address=address, city=city)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    except tenant_sync.DefinitionsInvalid as exc:
        raise click.ClickException("\n".join(["the new file would not be valid:"]
                                             + [f"  {e}" for e in exc.errors])) from exc
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}; review it, then run `flask tenants sync`")
