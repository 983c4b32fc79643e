"""On PostgreSQL, progress is committed on its own connection while the work's transaction is open.

This needs real commits (another connection cannot see the test's savepoints), so it runs outside
the rolled-back `db_session` and removes what it made.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.jobs.models import JobRun
from coopsaas.jobs.runs import run_once
from coopsaas.ledger.models import Account
from coopsaas.tenancy.models import Tenant

pytestmark = pytest.mark.postgres


def _committed(tenant_id):
    """What another connection sees: committed rows only, under the tenant's RLS."""
    with db.engine.connect() as other:
        other.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        run = other.execute(text("SELECT status, progress_done, progress_total FROM job_run")).one()
        accounts = other.execute(text("SELECT count(*) FROM account")).scalar()
        other.rollback()
    return tuple(run), accounts


def test_progress_commits_at_once_and_the_work_only_with_done(app):
    with app.app_context():
        tenant = Tenant(
            slug="kop-progress-pg",
            name="Koperasi Progres",
            legal_form="ksp",
            chart_template="ksp",
            settings={},
        )
        db.session.add(tenant)
        db.session.commit()
        tenant_id = tenant.id
        seen = []

        def work(job):
            db.session.add(
                Account(code="1101", name="Kas", type="asset", normal_side="D", tags=[], weights={})
            )
            db.session.flush()
            job.progress(1, 2)
            seen.append(_committed(tenant_id))
            return "half and half"

        try:
            result = run_once(tenant_id=tenant_id, kind="import", period="2026-11", work=work)
            assert seen == [(("running", 1, 2), 0)]  # progress visible, the account not yet
            assert result.status == "done"
            assert _committed(tenant_id) == (("done", 1, 2), 1)
        finally:
            with tenant_scope(db.session, tenant_id):
                db.session.execute(delete(Account))
                db.session.execute(delete(JobRun))
            db.session.execute(delete(Tenant).where(Tenant.id == tenant_id))
            db.session.commit()
