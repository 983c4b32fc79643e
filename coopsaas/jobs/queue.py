"""enqueue(): run a function in the background, but only once the current transaction commits.

A job enqueued inside a transaction belongs to it: the job is handed over after COMMIT (so the
worker finds the rows it was told about) and forgotten on ROLLBACK (so nothing runs for data that
never existed). With `REDIS_URL` set the job goes to RQ; without it (the embedded default) it runs
inline, right after the commit, in a fresh app context and so a fresh database session, with the
same number of attempts RQ would give it. A savepoint rolled back drops the jobs enqueued in it.

If Redis is unreachable at commit the data stays committed and the failure is logged: periodic
kinds are fanned out again by cron, but a one-off job that must run needs an outbox.

Job arguments are ids, dates and strings only: a worker must load current rows itself, never
trust a pickled ORM object or a float amount taken from a request.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from coopsaas.extensions import db

log = logging.getLogger(__name__)

QUEUE_NAME = "default"
PENDING_KEY = "coopsaas_pending_jobs"
ALLOWED_ARG_TYPES = (str, int, uuid.UUID, date)


@dataclass
class PendingJob:
    app: Flask
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    job_id: str | None = None
    retry: Retry | None = None
    options: dict[str, Any] = field(default_factory=dict)
    transaction: SessionTransaction | None = None  # the innermost (nested) transaction it joined


def check_job_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse anything but ids, dates and strings (or None) as job arguments."""
    for value in (*args, *kwargs.values()):
        if value is None or isinstance(value, ALLOWED_ARG_TYPES):
            continue
        raise TypeError(
            f"job arguments must be ids, dates or strings, not {type(value).__name__}: pass the id and "
            "load the row in the job"
        )


def enqueue(
    func: Callable[..., Any],
    *args: Any,
    job_id: str | None = None,
    retry: Retry | None = None,
    **kwargs: Any,
) -> None:
    """Run `func(*args, **kwargs)` in the background after the current transaction commits.

    `job_id` (letters, digits, `_` and `-`) makes the job unique while RQ remembers it: a second
    enqueue with the same id is skipped. `retry` is an `rq.Retry`; inline mode honours its count
    but not its intervals (it runs inside the request that committed).
    """
    enqueue_with_options(func, args, kwargs, job_id=job_id, retry=retry)


def enqueue_with_options(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    job_id: str | None = None,
    retry: Retry | None = None,
    options: dict[str, Any] | None = None,
) -> None:
    """`enqueue` with RQ job options (`job_timeout`, `failure_ttl`, ...) kept apart from the kwargs."""
    check_job_args(args, kwargs)
    if job_id is not None and not _valid_job_id(job_id):
        raise ValueError(f"job_id may hold only letters, digits, '_' and '-': {job_id!r}")
    if getattr(func, "__name__", "<lambda>") == "<lambda>" or "<locals>" in getattr(func, "__qualname__", ""):
        raise TypeError("jobs must be module-level functions, so a worker can import them")
    session = db.session()
    if not session.in_transaction():
        session.begin()
    pending = session.info.setdefault(PENDING_KEY, [])
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    joined = session.get_nested_transaction() or session.get_transaction()
    pending.append(
        PendingJob(app, func, tuple(args), dict(kwargs), job_id, retry, dict(options or {}), joined)
    )


def pending_jobs(session: Any = None) -> list[PendingJob]:
    """Jobs waiting for this session's commit (for tests and debugging)."""
    s = db.session() if session is None else session
    return list(s.info.get(PENDING_KEY, []))


def _valid_job_id(job_id: str) -> bool:
    return bool(job_id) and all(c.isascii() and (c.isalnum() or c in "_-") for c in job_id)


def redis_for(app: Flask) -> Redis:
    """One Redis client per app and URL (clients hold a connection pool; never one per commit)."""
    url = app.config["REDIS_URL"]
    clients: dict[str, Redis] = app.extensions.setdefault("coopsaas_redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(url)
    return clients[url]


def queue_for(app: Flask, name: str = QUEUE_NAME) -> Queue:
    return Queue(name, connection=redis_for(app))


@event.listens_for(Session, "after_commit")
def _dispatch_pending_jobs(session: Session) -> None:
    for job in session.info.pop(PENDING_KEY, []):
        if job.app.config.get("REDIS_URL"):
            _send_to_rq(job)
        else:
            run_inline(job)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending_jobs(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ending without passing through after_commit was rolled back.
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back_jobs(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rolled back takes the jobs enqueued inside it (or inside its children) along.
    pending = session.info.get(PENDING_KEY)
    if pending:
        pending[:] = [job for job in pending if not _inside(job.transaction, previous_transaction)]


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _send_to_rq(job: PendingJob) -> None:
    try:
        queue_for(job.app).enqueue_call(
            job.func,
            args=job.args,
            kwargs=job.kwargs,
            job_id=job.job_id,
            retry=job.retry,
            unique=job.job_id is not None,
            timeout=job.options.get("job_timeout"),
            failure_ttl=job.options.get("failure_ttl"),
            description=job.options.get("description"),
        )
    except DuplicateJobError:
        log.info("job %s is already queued; not queued again", job.job_id)
    except Exception:
        # The data is committed; failing the request now would only hide that. Periodic kinds are
        # fanned out again by cron and are idempotent; one-off jobs that must run need an outbox.
        log.exception("could not queue job %s (%s)", job.job_id or "", _name(job.func))


def run_inline(job: PendingJob) -> None:
    """Run a job now, in a fresh app context, with as many attempts as its Retry allows."""
    attempts = 1 + (job.retry.max if job.retry is not None else 0)
    for attempt in range(1, attempts + 1):
        try:
            with job.app.app_context():
                job.func(*job.args, **job.kwargs)
            return
        except Exception:
            log.exception("inline job %s failed (attempt %d of %d)", _name(job.func), attempt, attempts)


def _name(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}"
