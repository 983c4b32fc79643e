"""JobRun: once-only periodic work per (tenant, kind, period), with progress people can watch.

`run_once` goes through three transactions, each in the tenant's scope:

1. claim: find or insert the JobRun row (locked on PostgreSQL). `done` -> skip; `running` and
   started less than `stale_after` ago -> skip (another worker has it); `pending`, `failed` or
   stale `running` (its worker died) -> take it: `running`, one more attempt. Committed, so
   others see the claim.
2. work: the job's own writes, then the row set to `done`, committed together. A crash halfway
   rolls all of it back and leaves the row `running`, to be taken again once stale, so nothing
   is ever posted twice and nothing half.
3. on an exception only: the row set to `failed` with the reason, and the exception re-raised so
   RQ (or the inline runner) can retry.

Progress is written on a separate connection and committed at once, so a manager can watch a
long month-end; the work's own transaction stays open. (SQLite allows one writer at a time, so
there progress rides in the work's transaction and shows when it ends.)
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coopsaas.core import clock
from coopsaas.core.db import tenant_scope
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.jobs.models import DONE, FAILED, PENDING, RUNNING, JobRun

log = logging.getLogger(__name__)

DEFAULT_STALE_AFTER = timedelta(hours=1)
MESSAGE_LIMIT = 1000


@dataclass(frozen=True)
class RunResult:
    """What happened to a JobRun, readable after its transaction is gone."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    kind: str
    period: str
    status: str
    attempts: int
    progress_done: int
    progress_total: int
    message: str | None
    started_at: datetime | None
    finished_at: datetime | None
    skipped: bool = False

    @classmethod
    def of(cls, run: JobRun, *, skipped: bool = False) -> RunResult:
        return cls(
            run.id,
            run.tenant_id,
            run.kind,
            run.period,
            run.status,
            run.attempts or 0,
            run.progress_done or 0,
            run.progress_total or 0,
            run.message,
            run.started_at,
            run.finished_at,
            skipped,
        )


class JobHandle:
    """Given to the work function: who it works for, and how it reports progress."""

    progress_interval = 1.0  # seconds between progress commits; the first and the last always go

    def __init__(self, *, tenant_id: uuid.UUID, kind: str, period: str, run_id: uuid.UUID, attempt: int):
        self.tenant_id = tenant_id
        self.kind = kind
        self.period = period
        self.run_id = run_id
        self.attempt = attempt
        self._last_write: float | None = None

    def progress(self, done: int, total: int) -> None:
        """Record `done` of `total` units of work; committed at once where the database allows."""
        if done < 0 or total < 0 or done > total:
            raise ValueError(f"progress {done}/{total} is not a fraction of the work")
        moment = time.monotonic()
        due = self._last_write is None or done == total or moment - self._last_write >= self.progress_interval
        if not due:
            return
        self._last_write = moment
        session = db.session()
        if session.get_bind().dialect.name == "sqlite":
            _set_progress(session, self.run_id, done, total)
            return
        with Session(
            bind=db.engine, join_transaction_mode="create_savepoint", info={"tenant_id": self.tenant_id}
        ) as side:
            _set_progress(side, self.run_id, done, total)
            side.commit()


def _set_progress(session: Session, run_id: uuid.UUID, done: int, total: int) -> None:
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(progress_done=done, progress_total=total)
        .execution_options(synchronize_session=False)
    )


WorkFunc = Callable[[JobHandle], "str | None"]


def run_once(
    *,
    tenant_id: uuid.UUID,
    kind: str,
    period: str,
    work: WorkFunc,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> RunResult:
    """Do `work(handle)` once for (tenant, kind, period); its return value becomes the message.

    Returns the JobRun as it ended, `skipped=True` when it was done already or is running
    elsewhere. Raises whatever `work` raised, after recording the run as failed.
    """
    session = db.session()
    if session.in_transaction() and session.info.get("tenant_id") is None:
        # Whatever ran before (a tenant lookup by slug) read global tables only; start clean.
        session.commit()
    claim = _claim(session, tenant_id, kind, period, stale_after)
    if claim.skipped:
        log.info("job %s %s for tenant %s is %s; skipped", kind, period, tenant_id, claim.status)
        return claim
    handle = JobHandle(tenant_id=tenant_id, kind=kind, period=period, run_id=claim.id, attempt=claim.attempts)
    try:
        with tenant_scope(session, tenant_id):
            message = work(handle)
            run = _load(session, claim.id)
            run.status = DONE
            run.message = _clip(message)
            run.finished_at = clock.now()
            session.flush()
            result = RunResult.of(run)
    except Exception as exc:
        _record_failure(session, tenant_id, claim.id, exc)
        raise
    log.info("job %s %s for tenant %s done: %s", kind, period, tenant_id, result.message or "")
    return result


def _claim(
    session: Session, tenant_id: uuid.UUID, kind: str, period: str, stale_after: timedelta
) -> RunResult:
    for _ in range(2):
        try:
            with tenant_scope(session, tenant_id):
                run = session.scalars(
                    select(JobRun).where(JobRun.kind == kind, JobRun.period == period).with_for_update()
                ).one_or_none()
                if run is None:
                    run = JobRun(
                        kind=kind,
                        period=period,
                        status=PENDING,
                        attempts=0,
                        progress_done=0,
                        progress_total=0,
                    )
                    session.add(run)
                elif run.status == DONE or (run.status == RUNNING and not _is_stale(run, stale_after)):
                    return RunResult.of(run, skipped=True)
                run.status = RUNNING
                run.attempts = (run.attempts or 0) + 1
                run.started_at = clock.now()
                run.finished_at = None
                run.message = None
                run.progress_done = 0
                run.progress_total = 0
                session.flush()
                return RunResult.of(run)
        except IntegrityError:
            # Another worker inserted the same (tenant, kind, period) first: look again, once.
            continue
    raise RuntimeError(f"could not claim job run {kind} {period}")


def _is_stale(run: JobRun, stale_after: timedelta) -> bool:
    started = run.started_at
    if started is None:
        return True
    if started.tzinfo is None:  # SQLite hands back naive UTC
        started = started.replace(tzinfo=UTC)
    return clock.now() - started >= stale_after


def _load(session: Session, run_id: uuid.UUID) -> JobRun:
    return session.scalars(select(JobRun).where(JobRun.id == run_id)).one()


def _record_failure(session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID, exc: Exception) -> None:
    reason = str(exc.message) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    log.warning("job run %s failed: %s", run_id, reason)
    try:
        with tenant_scope(session, tenant_id):
            run = _load(session, run_id)
            run.status = FAILED
            run.message = _clip(reason)
            run.finished_at = clock.now()
    except Exception:
        # The original error matters more; the row stays 'running' and is taken again when stale.
        log.exception("could not record the failure of job run %s", run_id)


def _clip(message: Any) -> str | None:
    if message is None:
        return None
    text = str(message)
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def recent_runs(*, limit: int = 20, kind: str | None = None) -> list[RunResult]:
    """The latest job runs of the tenant in scope, newest first (for `jobs status` and pages)."""
    query = select(JobRun).order_by(JobRun.created_at.desc(), JobRun.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(JobRun.kind == kind)
    return [RunResult.of(r) for r in db.session.scalars(query)]


def get_run(*, kind: str, period: str) -> RunResult | None:
    """The tenant in scope's run of `kind` for `period`, if any."""
    run = db.session.scalars(select(JobRun).where(JobRun.kind == kind, JobRun.period == period)).one_or_none()
    return None if run is None else RunResult.of(run)
