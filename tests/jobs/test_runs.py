"""run_once: one JobRun per (tenant, kind, period); work and 'done' commit together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from coopsaas.core.clock import frozen
from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.jobs.models import JobRun
from coopsaas.jobs.runs import get_run, recent_runs, run_once
from coopsaas.ledger.models import Account
from tests.helpers import make_tenant

PERIOD = "2026-11-25"


class WorkerKilled(BaseException):
    """Stands for the worker process dying mid-job (SIGKILL, OOM): nothing after it runs."""


@pytest.fixture
def tenant(db_session):
    t = make_tenant("kop-job")
    db_session.commit()
    return t


def open_account(code):
    def work(job):
        db.session.add(
            Account(code=code, name=f"Kas {code}", type="asset", normal_side="D", tags=[], weights={})
        )
        db.session.flush()
        return f"opened {code}"

    return work


def accounts(session, tenant):
    with tenant_scope(session, tenant.id):
        return session.scalars(select(Account.code).order_by(Account.code)).all()


def job_run(session, tenant, kind="demo"):
    with tenant_scope(session, tenant.id):
        run = session.scalars(select(JobRun).where(JobRun.kind == kind)).one()
        return run.status, run.attempts, run.message


def test_first_run_does_the_work_and_records_done(db_session, tenant):
    result = run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=open_account("1101"))
    assert (result.status, result.attempts, result.message, result.skipped) == (
        "done",
        1,
        "opened 1101",
        False,
    )
    assert accounts(db_session, tenant) == ["1101"]
    assert job_run(db_session, tenant) == ("done", 1, "opened 1101")


def test_second_run_for_the_same_period_does_nothing(db_session, tenant):
    run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=open_account("1101"))
    again = run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=open_account("1102"))
    assert (again.status, again.skipped, again.attempts) == ("done", True, 1)
    assert accounts(db_session, tenant) == ["1101"]


def test_next_period_runs_again(db_session, tenant):
    run_once(tenant_id=tenant.id, kind="demo", period="2026-11-25", work=open_account("1101"))
    nxt = run_once(tenant_id=tenant.id, kind="demo", period="2026-11-26", work=open_account("1102"))
    assert (nxt.status, nxt.skipped) == ("done", False)
    assert accounts(db_session, tenant) == ["1101", "1102"]


def test_same_period_in_another_tenant_is_its_own_run(db_session, tenant):
    other = make_tenant("kop-lain")
    db_session.commit()
    run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=open_account("1101"))
    result = run_once(tenant_id=other.id, kind="demo", period=PERIOD, work=open_account("1101"))
    assert (result.status, result.skipped) == ("done", False)
    assert accounts(db_session, other) == ["1101"]


def test_failed_work_writes_nothing_and_records_the_reason(db_session, tenant):
    def work(job):
        open_account("1101")(job)
        raise RuntimeError("saldo kas tidak cocok")

    with pytest.raises(RuntimeError, match="saldo kas"):
        run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=work)
    assert accounts(db_session, tenant) == []
    assert job_run(db_session, tenant) == ("failed", 1, "RuntimeError: saldo kas tidak cocok")


def test_failed_run_is_retried_and_then_done(db_session, tenant):
    def broken(job):
        raise RuntimeError("database sibuk")

    with pytest.raises(RuntimeError):
        run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=broken)
    result = run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=open_account("1101"))
    assert (result.status, result.attempts, result.message) == ("done", 2, "opened 1101")
    assert accounts(db_session, tenant) == ["1101"]


def test_crash_halfway_leaves_nothing_half_done_and_is_taken_again_once_stale(db_session, tenant):
    def dies_halfway(job):
        open_account("1101")(job)
        raise WorkerKilled

    start = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    with frozen(start), pytest.raises(WorkerKilled):
        run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=dies_halfway)
    assert accounts(db_session, tenant) == []
    assert job_run(db_session, tenant)[:2] == ("running", 1)

    # Still within the stale window: another worker may be on it, so leave it alone.
    with frozen(start + timedelta(minutes=10)):
        busy = run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=open_account("1102"))
    assert (busy.status, busy.skipped) == ("running", True)
    assert accounts(db_session, tenant) == []

    with frozen(start + timedelta(hours=2)):
        result = run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=open_account("1101"))
    assert (result.status, result.attempts) == ("done", 2)
    assert accounts(db_session, tenant) == ["1101"]


def test_progress_is_visible_to_another_session_while_the_work_runs(db_session, tenant):
    seen = []

    def long_work(job):
        for done in range(1, 4):
            job.progress(done, 3)
            job.progress_interval = 0
            with Session(
                bind=db.engine, join_transaction_mode="create_savepoint", info={"tenant_id": tenant.id}
            ) as watcher:
                run = watcher.scalars(select(JobRun).where(JobRun.kind == "import")).one()
                seen.append((run.status, run.progress_done, run.progress_total))
        return "3 rows imported"

    result = run_once(tenant_id=tenant.id, kind="import", period=PERIOD, work=long_work)
    assert seen == [("running", 1, 3), ("running", 2, 3), ("running", 3, 3)]
    assert (result.progress_done, result.progress_total) == (3, 3)


def test_progress_must_be_a_fraction_of_the_work(db_session, tenant):
    def bad(job):
        job.progress(4, 3)

    with pytest.raises(ValueError, match="4/3"):
        run_once(tenant_id=tenant.id, kind="demo", period=PERIOD, work=bad)
    assert job_run(db_session, tenant)[0] == "failed"


def test_recent_runs_lists_the_tenants_runs_newest_first(db_session, tenant):
    other = make_tenant("kop-lain")
    db_session.commit()
    run_once(tenant_id=tenant.id, kind="demo", period="2026-11-24", work=open_account("1101"))
    run_once(tenant_id=tenant.id, kind="demo", period="2026-11-25", work=open_account("1102"))
    run_once(tenant_id=other.id, kind="demo", period="2026-11-25", work=open_account("1101"))
    with tenant_scope(db_session, tenant.id):
        runs = recent_runs()
        single = get_run(kind="demo", period="2026-11-24")
    assert [(r.period, r.status) for r in runs] == [("2026-11-25", "done"), ("2026-11-24", "done")]
    assert single is not None and single.message == "opened 1101"
