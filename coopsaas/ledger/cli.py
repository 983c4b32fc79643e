"""`flask --app wsgi ledger ...`: verify, trial-balance, import-opening, close.

Each command works in one tenant scope and commits once at the end; a domain error prints its
message (and the problem rows) and exits non-zero with nothing written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from flask.cli import AppGroup
from sqlalchemy import select

from coopsaas.auth.models import User
from coopsaas.core.db import tenant_scope
from coopsaas.core.money import format_number
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.tenancy.models import Tenant

T = TypeVar("T")


ledger_cli = AppGroup("ledger", help="General ledger: verify, trial balance, opening balances, period close.")


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one_or_none()
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    return tenant


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = db.session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.ClickException(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from exc


@contextmanager
def _domain_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        lines = [str(exc.message)]
        for messages in exc.fields.values():  # each message names its row or line already
            lines.extend(f"  - {m}" for m in messages if str(m) != str(exc.message))
        raise click.ClickException("\n".join(lines)) from exc


def _in_tenant(slug: str, work: Callable[[Tenant], T]) -> T:
    tenant = _tenant(slug)
    db.session.rollback()  # the slug lookup began a transaction; the scope starts a fresh one
    with _domain_errors(), tenant_scope(db.session, tenant.id):
        return work(tenant)


@ledger_cli.command("verify")
@click.option("--tenant", "slug", help="One tenant (default: every active tenant).")
def verify_cmd(slug: str | None) -> None:
    """Check every entry balances, closed months are intact and reversals mirror; exit 1 on findings."""
    from coopsaas.ledger.verify import verify_ledger

    if slug:
        slugs = [slug]
    else:
        slugs = list(
            db.session.scalars(select(Tenant.slug).where(Tenant.is_active.is_(True)).order_by(Tenant.slug))
        )
    total = 0
    for s in slugs:
        findings = _in_tenant(s, verify_ledger)
        total += len(findings)
        for f in findings:
            click.echo(f"{s}\t{f.code}\t{f.message}")
        if not findings:
            click.echo(f"{s}\tok")
    if total:
        click.echo(f"{total} finding(s)", err=True)
        sys.exit(1)


@ledger_cli.command("trial-balance")
@click.option("--tenant", "slug", required=True)
@click.option("--as-of", "as_of", help="Balances at the end of this date (YYYY-MM-DD); default today.")
def trial_balance_cmd(slug: str, as_of: str | None) -> None:
    """Print the trial balance (neraca saldo)."""
    from coopsaas.ledger.balances import trial_balance

    day = _date(as_of, "--as-of")
    tb = _in_tenant(slug, lambda t: trial_balance(t, as_of=day))
    click.echo(f"Trial balance {slug} as of {tb.as_of.isoformat()}")
    click.echo(f"{'code':<8} {'account':<40} {'debit':>20} {'credit':>20}")
    for r in tb.rows:
        click.echo(
            f"{r.code:<8} {r.name[:40]:<40} {format_number(r.debit, 2):>20} {format_number(r.credit, 2):>20}"
        )
    click.echo(
        f"{'':<8} {'TOTAL':<40} {format_number(tb.total_debit, 2):>20} "
        f"{format_number(tb.total_credit, 2):>20}"
    )
    if not tb.is_balanced:
        click.echo(f"NOT BALANCED: difference {format_number(tb.difference, 2)}", err=True)
        sys.exit(1)


@ledger_cli.command("import-opening")
@click.option("--tenant", "slug", required=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--on", "on", required=True, help="Date of the opening entry (YYYY-MM-DD).")
@click.option("--user", "username", help="Who posts it (recorded as the entry's author).")
def import_opening_cmd(slug: str, file: Path, on: str, username: str | None) -> None:
    """Post opening balances from a CSV or XLSX file (columns: account code, name, debit, credit)."""
    from coopsaas.ledger.opening import import_opening

    day = _date(on, "--on")
    assert day is not None
    actor = _user(username)

    def work(tenant: Tenant) -> Any:
        entry = import_opening(tenant=tenant, actor=actor, path=file, on=day)
        return entry.voucher_no, len(entry.lines), entry.total

    voucher, n, total = _in_tenant(slug, work)
    click.echo(f"posted {voucher}: {n} lines, total {format_number(total, 2)}")


@ledger_cli.command("close")
@click.option("--tenant", "slug", required=True)
@click.option("--period", required=True, help="The month to close, YYYY-MM.")
@click.option("--user", "username", help="Who closes it (recorded in the audit trail).")
def close_cmd(slug: str, period: str, username: str | None) -> None:
    """Close a month: check it, store balances, refuse later postings into it."""
    from coopsaas.ledger.periods import close_period

    try:
        year, month = (int(p) for p in period.split("-"))
    except ValueError as exc:
        raise click.ClickException(f"--period: {period!r} is not YYYY-MM") from exc
    actor = _user(username)
    _in_tenant(slug, lambda t: close_period(tenant=t, actor=actor, year=year, month=month))
    click.echo(f"closed {year}-{month:02d}")
