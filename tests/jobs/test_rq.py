"""With REDIS_URL set: jobs go to RQ after commit, an in-process worker drains them into the database.

Real Redis (the `redis_url` fixture); FlaskSimpleWorker runs each job in a fresh app context that
shares the test's connection, so it sees what the test committed (a forked worker would not).
"""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue, Retry
from sqlalchemy import select

from coopsaas.core.db import tenant_scope
from coopsaas.jobs import enqueue, enqueue_kind
from coopsaas.jobs.models import JobRun
from coopsaas.jobs.worker import FlaskSimpleWorker
from coopsaas.ledger.models import Account
from tests.helpers import make_tenant
from tests.jobs import jobfuncs


@pytest.fixture
def rq_app(app, redis_url, monkeypatch):
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    yield app
    connection.flushdb()
    connection.close()


@pytest.fixture
def queue(rq_app, redis_url):
    return Queue("default", connection=Redis.from_url(redis_url))


def drain(app, queue):
    worker = FlaskSimpleWorker([queue], connection=queue.connection)
    worker.app = app
    worker.work(burst=True)
    return worker


def test_job_is_queued_only_at_commit_and_the_worker_records_done(rq_app, queue, db_session):
    t = make_tenant("kop-rq")
    with tenant_scope(db_session, t.id):
        db_session.add(Account(code="1101", name="Kas", type="asset", normal_side="D", tags=[], weights={}))
        enqueue_kind("tenant_heartbeat", t.id, "2026-11-25")
        assert queue.count == 0
    assert queue.job_ids == [f"tenant_heartbeat-{t.id}-2026-11-25"]

    drain(rq_app, queue)
    assert queue.count == 0
    with tenant_scope(db_session, t.id):
        run = db_session.scalars(select(JobRun)).one()
        assert (run.kind, run.period, run.status, run.attempts) == (
            "tenant_heartbeat",
            "2026-11-25",
            "done",
            1,
        )
        assert run.message == "1 of 1 accounts active on 2026-11-25"


def test_rolled_back_transaction_queues_nothing(rq_app, queue, db_session):
    t = make_tenant("kop-rq")
    enqueue(jobfuncs.record_tenant_name, str(t.id))
    db_session.rollback()
    db_session.commit()
    assert queue.count == 0


def test_repeated_job_id_is_not_queued_twice(rq_app, queue, db_session):
    t = make_tenant("kop-rq")
    db_session.commit()
    enqueue_kind("tenant_heartbeat", t.id, "2026-11-25")
    db_session.commit()
    enqueue_kind("tenant_heartbeat", t.id, "2026-11-25")
    db_session.commit()
    assert queue.count == 1
    enqueue_kind("tenant_heartbeat", t.id, "2026-11-26")
    db_session.commit()
    assert queue.count == 2


def test_worker_runs_plain_jobs_after_commit_in_their_own_context(rq_app, queue, db_session):
    t = make_tenant("kop-rq", name="Koperasi Antrian")
    enqueue(jobfuncs.record_tenant_name, str(t.id))
    enqueue(jobfuncs.add_cash_account, str(t.id), "1102")
    db_session.commit()
    assert queue.count == 2
    drain(rq_app, queue)
    assert jobfuncs.calls == [("record_tenant_name", "Koperasi Antrian"), ("add_cash_account", "1102")]
    with tenant_scope(db_session, t.id):
        assert db_session.scalars(select(Account.code)).all() == ["1102"]


def test_failed_rq_job_is_retried_by_the_worker(rq_app, queue, db_session):
    jobfuncs.failures_left["rq"] = 1
    enqueue(jobfuncs.flaky, "rq", retry=Retry(max=2))
    db_session.commit()
    drain(rq_app, queue)  # first attempt fails; a retry without interval goes straight back to the queue
    drain(rq_app, queue)
    assert jobfuncs.calls == [("flaky", "rq"), ("flaky", "rq")]
    assert queue.count == 0
