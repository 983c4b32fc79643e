"""Job kinds: named periodic work that `jobs run <kind>` and the cron fan-out can find.

A feature registers its kinds from its `init_app` (registering the same function twice is
harmless, so every app built in a process may do it):

    register_kind("loan_ageing", age_loans, period="day")

    def age_loans(job: JobHandle, as_of: date) -> str:
        ...                                     # db.session is in job.tenant_id's scope
        job.progress(done, total)
        return f"{n} loans aged"               # becomes JobRun.message

The function writes through services (flush, never commit); `run_once` commits its writes and the
JobRun's `done` together. A daily kind runs once per tenant per business date ("2026-11-25"),
a monthly kind once per tenant per month ("2026-11").
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rq import Retry
from sqlalchemy import select

from coopsaas.core import clock
from coopsaas.core.ids import parse_uuid
from coopsaas.errors import Conflict, NotFound, ValidationError
from coopsaas.extensions import db
from coopsaas.jobs.queue import enqueue_with_options
from coopsaas.jobs.runs import JobHandle, RunResult, run_once
from coopsaas.tenancy.models import Tenant

log = logging.getLogger(__name__)

DAY, MONTH = "day", "month"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
DEFAULT_TIMEOUT = 1800
# Queued kinds are retried after 1 and 10 minutes (a busy database, a deploy); a rerun is safe
# because the JobRun row makes the work once-only.
DEFAULT_RETRIES = 2
RETRY_INTERVALS = [60, 600]
# Daily kinds start in the first hour after the tenant's local midnight (DESIGN: 00:30 tenant time).
FAN_OUT_LOCAL_HOUR = 0

KindFunc = Callable[[JobHandle, date], "str | None"]


@dataclass(frozen=True)
class Kind:
    name: str
    func: KindFunc
    period: str
    timeout: int = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES

    def period_of(self, as_of: date) -> str:
        return as_of.isoformat() if self.period == DAY else f"{as_of:%Y-%m}"


_kinds: dict[str, Kind] = {}


class UnknownKind(NotFound):
    code = "unknown_job_kind"


def register_kind(
    name: str,
    func: KindFunc,
    period: str = DAY,
    *,
    timeout: int = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> Kind:
    """Make `func` runnable as job kind `name`, once per tenant per day or month."""
    if not NAME_PATTERN.match(name):
        raise ValueError(f"job kind names are lower_snake_case, 2-60 characters: {name!r}")
    if period not in (DAY, MONTH):
        raise ValueError(f"period must be {DAY!r} or {MONTH!r}, not {period!r}")
    kind = Kind(name, func, period, timeout, retries)
    existing = _kinds.get(name)
    if existing is not None and existing != kind:
        raise ValueError(f"job kind {name!r} is already registered to {existing.func.__qualname__}")
    _kinds[name] = kind
    return kind


def get_kind(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise UnknownKind(
            f"unknown job kind {name!r}; known: {', '.join(sorted(_kinds)) or 'none'}"
        ) from None


def registered_kinds(period: str | None = None) -> list[Kind]:
    return sorted((k for k in _kinds.values() if period in (None, k.period)), key=lambda k: k.name)


def parse_as_of(value: date | str) -> date:
    """A business date from a date or 'YYYY-MM-DD'; anything else is a ValidationError."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValidationError(f"not a date (YYYY-MM-DD): {text!r}", fields={"as_of": ["YYYY-MM-DD"]})


def run_kind(kind: str, tenant_id: uuid.UUID | str, as_of: date | str) -> RunResult:
    """The job entry point (queued or inline) and what `jobs run` calls: run `kind` once for the
    tenant's period containing `as_of`."""
    k = get_kind(kind)
    day = parse_as_of(as_of)
    tid = parse_uuid(tenant_id)
    tenant = None if tid is None else db.session.scalars(select(Tenant).where(Tenant.id == tid)).one_or_none()
    if tenant is None:
        raise NotFound(f"no tenant {tenant_id!r}")
    if not tenant.is_active:
        raise Conflict(f"tenant {tenant.slug!r} is not active; {k.name} not run")

    def work(job: JobHandle) -> str | None:
        return k.func(job, day)

    # A run left 'running' by a killed worker is taken again once RQ would have killed it anyway.
    return run_once(
        tenant_id=tenant.id,
        kind=k.name,
        period=k.period_of(day),
        work=work,
        stale_after=timedelta(seconds=k.timeout + 300),
    )


def job_id_for(kind: Kind, tenant_id: uuid.UUID | str, as_of: date) -> str:
    return f"{kind.name}-{tenant_id}-{kind.period_of(as_of)}"


def enqueue_kind(kind: str, tenant_id: uuid.UUID | str, as_of: date | str) -> None:
    """Queue `kind` for one tenant and date after the current transaction commits.

    The job id names (kind, tenant, period), so RQ drops a second copy while it remembers the
    first; the JobRun row is what really guarantees once-only.
    """
    k = get_kind(kind)
    day = parse_as_of(as_of)
    enqueue_with_options(
        run_kind,
        (k.name, str(tenant_id), day.isoformat()),
        {},
        job_id=job_id_for(k, tenant_id, day),
        retry=Retry(max=k.retries, interval=RETRY_INTERVALS) if k.retries else None,
        options={
            "job_timeout": k.timeout,
            "failure_ttl": 86400,
            "description": f"{k.name} {k.period_of(day)} tenant {tenant_id}",
        },
    )


def due_runs(
    at: datetime | None = None, *, local_hour: int | None = FAN_OUT_LOCAL_HOUR
) -> list[tuple[str, uuid.UUID, date]]:
    """(kind, tenant_id, as_of) due at `at` for every active tenant, by the tenant's own clock.

    Daily kinds get the tenant's business date; monthly kinds, on the 1st, the last day of the
    month just ended. With `local_hour` set, only tenants whose local time is in that hour are
    due, so an hourly cron reaches each tenant once a day whatever its timezone (WIB, WITA, WIT);
    `local_hour=None` means every active tenant now (catching up after an outage).
    """
    moment = at or clock.now()
    tenants = db.session.execute(
        select(Tenant.id, Tenant.timezone).where(Tenant.is_active.is_(True)).order_by(Tenant.slug)
    ).all()
    daily, monthly = registered_kinds(DAY), registered_kinds(MONTH)
    due: list[tuple[str, uuid.UUID, date]] = []
    for tenant_id, tz in tenants:
        local = moment.astimezone(_zone(tz))
        if local_hour is not None and local.hour != local_hour:
            continue
        today = local.date()
        due.extend((k.name, tenant_id, today) for k in daily)
        if today.day == 1 or local_hour is None:
            month_end = _last_day_of_previous_month(today)
            due.extend((k.name, tenant_id, month_end) for k in monthly)
    return due


def fan_out(at: str | None = None, local_hour: int | None = FAN_OUT_LOCAL_HOUR) -> int:
    """The cron entry point: queue every due (kind, tenant, date); returns how many.

    `at` is an ISO timestamp (job arguments are strings); default now.
    """
    moment = None
    if at:
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    due = due_runs(moment, local_hour=local_hour)
    for kind, tenant_id, as_of in due:
        enqueue_kind(kind, tenant_id, as_of)
    db.session.commit()  # the job boundary: the queued runs go out now
    log.info("fan-out queued %d job runs", len(due))
    return len(due)


def _zone(tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz or clock.DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown timezone %r; using %s", tz, clock.DEFAULT_TZ)
        return ZoneInfo(clock.DEFAULT_TZ)


def _last_day_of_previous_month(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)
