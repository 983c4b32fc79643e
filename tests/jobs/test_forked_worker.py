"""The production worker: FlaskWorker forks a work horse per job, which must open its own
connections. A forked child cannot see the test's savepoints, so this test commits for real
(a tenant of its own) and removes what it made."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import delete, select

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.jobs import enqueue_kind
from coopsaas.jobs.models import JobRun
from coopsaas.jobs.worker import FlaskWorker
from coopsaas.tenancy.models import Tenant


@pytest.fixture
def committed_tenant(app):
    with app.app_context():
        tenant = Tenant(
            slug="kop-forked", name="Koperasi Fork", legal_form="ksp", chart_template="ksp", settings={}
        )
        db.session.add(tenant)
        db.session.commit()
        tenant_id = tenant.id
    yield tenant_id
    with app.app_context():
        with tenant_scope(db.session, tenant_id):
            db.session.execute(delete(JobRun))
        db.session.execute(delete(Tenant).where(Tenant.id == tenant_id))
        db.session.commit()


def test_forked_worker_runs_the_job_in_its_own_process_and_connection(
    app, redis_url, monkeypatch, committed_tenant
):
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    queue = Queue("default", connection=connection)
    with app.app_context():
        db.session.begin()
        enqueue_kind("tenant_heartbeat", committed_tenant, "2026-11-25")
        db.session.commit()
        assert queue.count == 1

        worker = FlaskWorker([queue], connection=connection)
        worker.app = app
        worker.work(burst=True)

        with tenant_scope(db.session, committed_tenant):
            run = db.session.scalars(select(JobRun)).one()
            assert (run.status, run.message) == ("done", "0 of 0 accounts active on 2026-11-25")
    connection.flushdb()
