"""`flask loans payroll export|import`: the payroll deduction list of an employer as XLSX, and the
employer's confirmed file posted back (payroll.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from coopsaas.auth.models import User
from coopsaas.core.money import format_rupiah
from coopsaas.extensions import db
from coopsaas.ledger.cli import _in_tenant
from coopsaas.loans import payroll as pr

loans_cli = AppGroup("loans", help="Loans: payroll deduction (potong gaji).")
payroll_cli = AppGroup("payroll", help="Payroll deduction lists per employer and month.")
loans_cli.add_command(payroll_cli)


def _rp(amount) -> str:
    return format_rupiah(amount, sen=amount != amount.to_integral_value())


@payroll_cli.command("export")
@click.option("--tenant", "slug", required=True, help="The cooperative's slug.")
@click.option("--employer", required=True, help="The employer as written on the members.")
@click.option("--month", required=True, help="YYYY-MM")
@click.option(
    "--payroll-date", "payroll_on", default=None, help="YYYY-MM-DD (default: the month's last day)."
)
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def export_cmd(slug: str, employer: str, month: str, payroll_on: str | None, file: str) -> None:
    """Write the deduction list of EMPLOYER for MONTH to FILE (XLSX)."""
    day = None
    if payroll_on:
        try:
            day = date.fromisoformat(payroll_on)
        except ValueError as exc:
            raise click.ClickException(f"--payroll-date: {payroll_on!r} is not a date (YYYY-MM-DD)") from exc

    def work(tenant):
        rows = pr.deduction_list(tenant, employer=employer, month=month, payroll_on=day)
        content = pr.export_xlsx(tenant, employer=employer, month=month, payroll_on=day)
        return rows, content

    rows, content = _in_tenant(slug, work)
    Path(file).write_bytes(content)
    total = sum((r.total for r in rows), pr.ZERO)
    click.echo(f"{file}: {len(rows)} members, total {_rp(total)}")


@payroll_cli.command("import")
@click.option("--tenant", "slug", required=True, help="The cooperative's slug.")
@click.option("--user", "username", default=None, help="Recorded as the user who posted it.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_cmd(slug: str, username: str | None, file: str) -> None:
    """Post the employer's confirmed FILE; all rows or none. Exit 1 on any error."""
    content = Path(file).read_bytes()
    actor = None
    if username:
        actor = db.session.query(User).filter_by(username=username).one_or_none()
        if actor is None:
            raise click.ClickException(f"no user {username!r}")

    def work(tenant):
        result = pr.import_confirmed(tenant, actor=actor, content=content)
        return (
            result.already_imported,
            result.batch.employer,
            result.batch.month,
            [(r.member_no, r.name, r.due, r.confirmed) for r in result.partial],
            result.missing,
            len(result.rows),
            result.batch.confirmed_total,
        )

    already, employer, month, partial, missing, count, total = _in_tenant(slug, work)
    if already:
        click.echo(f"This file was already posted for {employer} {month}: nothing posted.")
        return
    click.echo(f"Posted {count} rows for {employer} {month}, total {_rp(total)}.")
    for no, name, due, confirmed in partial:
        click.echo(f"  partial: {no} {name}: due {_rp(due)}, confirmed {_rp(confirmed)}")
    for no, name, due in missing:
        click.echo(f"  not in the file: {no} {name}: due {_rp(due)}")
