"""Two workers on the same (tenant, kind, period) at once, on real PostgreSQL connections.

Real commits are needed (each worker has its own connection), so this runs outside the
rolled-back `db_session` and removes what it made. PostgreSQL only: on SQLite the first worker's
open transaction holds the database's single write lock, so the second would simply wait.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.jobs.models import JobRun
from coopsaas.jobs.runs import run_once
from coopsaas.ledger.models import Account
from coopsaas.tenancy.models import Tenant

pytestmark = pytest.mark.postgres


@pytest.fixture
def committed_tenant(app):
    with app.app_context():
        tenant = Tenant(
            slug="kop-dua-worker", name="Koperasi Dua", legal_form="ksp", chart_template="ksp", settings={}
        )
        db.session.add(tenant)
        db.session.commit()
        tenant_id = tenant.id
    yield tenant_id
    with app.app_context():
        with tenant_scope(db.session, tenant_id):
            db.session.execute(delete(Account))
            db.session.execute(delete(JobRun))
        db.session.execute(delete(Tenant).where(Tenant.id == tenant_id))
        db.session.commit()


def test_second_worker_skips_while_the_first_is_running_and_the_work_lands_once(app, committed_tenant):
    started, release = threading.Event(), threading.Event()
    outcome = {}

    def slow_work(job):
        db.session.add(Account(code="1101", name="Kas", type="asset", normal_side="D", tags=[], weights={}))
        db.session.flush()
        started.set()
        assert release.wait(timeout=30)
        return "first worker"

    def first_worker():
        with app.app_context():
            outcome["first"] = run_once(
                tenant_id=committed_tenant, kind="demo", period="2026-11", work=slow_work
            )

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert started.wait(timeout=30)
        with app.app_context():
            second = run_once(tenant_id=committed_tenant, kind="demo", period="2026-11", work=slow_work)
    finally:
        release.set()
        thread.join(timeout=30)

    assert (second.status, second.skipped) == ("running", True)
    assert (outcome["first"].status, outcome["first"].message) == ("done", "first worker")
    with app.app_context(), tenant_scope(db.session, committed_tenant):
        assert db.session.scalars(select(Account.code)).all() == ["1101"]
        assert db.session.scalars(select(JobRun.attempts)).all() == [1]
