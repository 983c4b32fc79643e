"""`flask --app wsgi jobs ...`: the worker, the cron scheduler, and any job kind run by hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from coopsaas.core import clock
from coopsaas.core.db import tenant_scope
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.jobs import kinds as job_kinds
from coopsaas.jobs.runs import RunResult, recent_runs
from coopsaas.tenancy.models import Tenant

jobs_cli = AppGroup("jobs", help="Background jobs: worker, cron, run a job kind, status.")


def _redis_url() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "REDIS_URL is not set (COOPSAAS_REDIS_URL): jobs run inline after each commit and "
            "need no worker; use `jobs run` for periodic kinds"
        )
    return str(url)


@jobs_cli.command("worker")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    default=["default"],
    show_default=True,
    help="Queue to listen on (repeatable).",
)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker (forking, one app context per job) with the scheduler for retries."""
    from rq import Queue

    from coopsaas.jobs.queue import redis_for
    from coopsaas.jobs.worker import FlaskWorker

    _redis_url()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = redis_for(app)
    worker = FlaskWorker([Queue(q, connection=connection) for q in queues], connection=connection)
    worker.app = app
    worker.work(burst=burst, with_scheduler=True)


@jobs_cli.command("cron")
def cron_command() -> None:
    """Run the periodic table (coopsaas.jobs.cron) on rq's cron scheduler."""
    from rq.cron import CronScheduler

    from coopsaas.jobs.queue import redis_for

    _redis_url()
    scheduler = CronScheduler(connection=redis_for(current_app._get_current_object()))  # type: ignore[attr-defined]
    scheduler.load_config_from_file("coopsaas.jobs.cron")
    scheduler.start()  # type: ignore[no-untyped-call]


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one_or_none()
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    return tenant


def _describe(r: RunResult) -> str:
    progress = f" {r.progress_done}/{r.progress_total}" if r.progress_total else ""
    message = f": {r.message}" if r.message else ""
    return f"{r.kind} {r.period} {r.status}{progress} (attempt {r.attempts}){message}"


@jobs_cli.command("run")
@click.argument("kind")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option("--as-of", "as_of", help="Business date YYYY-MM-DD (default: today in the tenant's timezone).")
def run_command(kind: str, slug: str, as_of: str | None) -> None:
    """Run one job kind for one tenant now, inline, and print how its JobRun ended."""
    try:
        k = job_kinds.get_kind(kind)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    tenant = _tenant(slug)
    if not tenant.is_active:
        raise click.ClickException(f"tenant {slug!r} is not active")
    try:
        day = job_kinds.parse_as_of(as_of) if as_of else clock.business_date(tenant.timezone)
    except DomainError as exc:
        raise click.ClickException(f"--as-of: {exc.message}") from None
    tenant_id = tenant.id
    db.session.commit()
    try:
        result = job_kinds.run_kind(k.name, tenant_id, day)
    except Exception as exc:
        reason = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        raise click.ClickException(f"{k.name} {k.period_of(day)} for {slug} failed: {reason}") from None
    note = ""
    if result.skipped:
        note = (
            " [nothing run: already done]" if result.status == "done" else " [nothing run: running elsewhere]"
        )
    click.echo(f"{slug}: {_describe(result)}{note}")


@jobs_cli.command("status")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--kind", help="Only this job kind.")
def status_command(slug: str, limit: int, kind: str | None) -> None:
    """List the tenant's latest job runs with their progress."""
    tenant = _tenant(slug)
    with tenant_scope(db.session, tenant.id):
        runs = recent_runs(limit=limit, kind=kind)
    if not runs:
        click.echo(f"{slug}: no job runs yet")
        return
    for r in runs:
        click.echo(_describe(r))


@jobs_cli.command("fan-out")
@click.option(
    "--every-tenant",
    is_flag=True,
    help="Every active tenant now, not only those just past local midnight (catch up after an outage).",
)
def fan_out_command(every_tenant: bool) -> None:
    """Queue the due job kinds now, as the hourly cron entry does (inline without REDIS_URL)."""
    count = job_kinds.fan_out(local_hour=None if every_tenant else job_kinds.FAN_OUT_LOCAL_HOUR)
    click.echo(f"{count} job runs queued")


@jobs_cli.command("kinds")
def kinds_command() -> None:
    """List the registered job kinds."""
    for k in job_kinds.registered_kinds():
        click.echo(f"{k.name}\t{k.period}\t{k.func.__module__}.{k.func.__qualname__}")
