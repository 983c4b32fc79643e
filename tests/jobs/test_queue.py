"""enqueue(): jobs leave only after COMMIT, never after ROLLBACK; inline mode retries."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from rq import Retry
from sqlalchemy import select

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.jobs import enqueue
from coopsaas.jobs.queue import check_job_args, pending_jobs
from coopsaas.ledger.models import Account
from tests.helpers import make_tenant
from tests.jobs import jobfuncs


def test_inline_job_runs_after_commit_and_sees_the_committed_row(db_session):
    tenant = make_tenant("kop-antri", name="Koperasi Antri")
    enqueue(jobfuncs.record_tenant_name, str(tenant.id))
    assert jobfuncs.calls == []  # not before the commit
    db_session.commit()
    assert jobfuncs.calls == [("record_tenant_name", "Koperasi Antri")]


def test_job_enqueued_in_a_rolled_back_transaction_never_runs(db_session):
    tenant = make_tenant("kop-batal")
    enqueue(jobfuncs.record_tenant_name, str(tenant.id))
    db_session.rollback()
    assert pending_jobs(db_session) == []
    db_session.commit()
    assert jobfuncs.calls == []


def test_job_runs_once_even_if_the_session_commits_again(db_session):
    tenant = make_tenant("kop-sekali", name="Koperasi Sekali")
    enqueue(jobfuncs.record_tenant_name, str(tenant.id))
    db_session.commit()
    make_tenant("kop-lain")
    db_session.commit()
    assert jobfuncs.calls == [("record_tenant_name", "Koperasi Sekali")]


def test_enqueue_outside_a_transaction_waits_for_the_next_commit(db_session):
    db_session.commit()
    enqueue(jobfuncs.flaky, "tanpa-transaksi")
    assert jobfuncs.calls == []
    db_session.commit()
    assert jobfuncs.calls == [("flaky", "tanpa-transaksi")]


def test_inline_job_is_retried_as_often_as_its_retry_allows(db_session):
    jobfuncs.failures_left["sync"] = 2
    enqueue(jobfuncs.flaky, "sync", retry=Retry(max=2))
    db_session.commit()
    assert jobfuncs.calls == [("flaky", "sync")] * 3
    assert jobfuncs.failures_left["sync"] == 0


def test_inline_job_that_keeps_failing_does_not_undo_the_commit(db_session):
    jobfuncs.failures_left["rusak"] = 5
    tenant = make_tenant("kop-tetap")
    enqueue(jobfuncs.flaky, "rusak", retry=Retry(max=1))
    db_session.commit()
    assert jobfuncs.calls == [("flaky", "rusak")] * 2
    assert db.session.get(type(tenant), tenant.id).slug == "kop-tetap"


def test_inline_job_writes_in_its_own_committed_transaction(db_session):
    tenant = make_tenant("kop-tulis")
    enqueue(jobfuncs.add_cash_account, str(tenant.id), "1101")
    db_session.commit()
    with tenant_scope(db_session, tenant.id):
        codes = db_session.scalars(select(Account.code)).all()
    assert codes == ["1101"]


@pytest.mark.parametrize("bad", [Decimal("1000.00"), 1.5, {"id": 1}, ["a"], object()])
def test_job_arguments_must_be_ids_dates_or_strings(db_session, bad):
    with pytest.raises(TypeError, match="ids, dates or strings"):
        enqueue(jobfuncs.flaky, bad)
    with pytest.raises(TypeError, match="ids, dates or strings"):
        enqueue(jobfuncs.flaky, label=bad)
    assert pending_jobs(db_session) == []


def test_ids_dates_and_strings_are_accepted(db_session):
    check_job_args((uuid.uuid4(), date(2026, 11, 25), "kop-a", 7, None), {"as_of": date(2026, 11, 1)})
    enqueue(jobfuncs.record_tenant_name, str(uuid.uuid4()))
    assert len(pending_jobs(db_session)) == 1
    db_session.rollback()


def test_job_must_be_a_module_level_function(db_session):
    with pytest.raises(TypeError, match="module-level"):
        enqueue(lambda: None)


def test_job_id_with_forbidden_characters_is_refused(db_session):
    with pytest.raises(ValueError, match="job_id"):
        enqueue(jobfuncs.flaky, "x", job_id="heartbeat 2026/11/25")


def test_job_enqueued_in_a_rolled_back_savepoint_never_runs(db_session):
    make_tenant("kop-simpan")
    enqueue(jobfuncs.flaky, "luar")
    savepoint = db_session.begin_nested()
    enqueue(jobfuncs.flaky, "dalam")
    savepoint.rollback()
    kept = db_session.begin_nested()
    enqueue(jobfuncs.flaky, "disimpan")
    kept.commit()
    db_session.commit()
    assert jobfuncs.calls == [("flaky", "luar"), ("flaky", "disimpan")]
