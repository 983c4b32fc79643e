"""Job kinds: registry, the tenant_heartbeat demo end to end, and the cron fan-out by tenant clock."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from coopsaas.core.clock import frozen
from coopsaas.core.db import tenant_scope
from coopsaas.errors import Conflict, NotFound, ValidationError
from coopsaas.jobs import kinds
from coopsaas.jobs.models import JobRun
from coopsaas.ledger.models import Account
from tests.helpers import make_tenant
from tests.jobs import jobfuncs


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the kind registry, so test kinds never leak into other tests."""
    monkeypatch.setattr(kinds, "_kinds", dict(kinds._kinds))
    return kinds


def add_accounts(session, tenant, *rows):
    with tenant_scope(session, tenant.id):
        for code, active in rows:
            session.add(
                Account(
                    code=code,
                    name=f"Akun {code}",
                    type="asset",
                    normal_side="D",
                    tags=[],
                    weights={},
                    is_active=active,
                )
            )


def runs_of(session, tenant):
    with tenant_scope(session, tenant.id):
        return [
            (r.kind, r.period, r.status, r.message)
            for r in session.scalars(select(JobRun).order_by(JobRun.kind, JobRun.period))
        ]


def test_heartbeat_counts_the_tenants_accounts_into_the_job_run(db_session):
    a, b = make_tenant("kop-a"), make_tenant("kop-b")
    db_session.commit()
    add_accounts(db_session, a, ("1101", True), ("1102", True), ("1199", False))
    add_accounts(db_session, b, ("1101", True))
    result = kinds.run_kind("tenant_heartbeat", str(a.id), "2026-11-25")
    assert (result.status, result.period) == ("done", "2026-11-25")
    assert result.message == "2 of 3 accounts active on 2026-11-25"
    assert (result.progress_done, result.progress_total) == (1, 1)
    assert runs_of(db_session, b) == []


def test_register_kind_refuses_bad_names_periods_and_a_second_function(registry):
    registry.register_kind("demo_open_cash", jobfuncs.open_cash_account, period="day")
    registry.register_kind("demo_open_cash", jobfuncs.open_cash_account, period="day")  # same: harmless
    with pytest.raises(ValueError, match="already registered"):
        registry.register_kind("demo_open_cash", jobfuncs.flaky)
    with pytest.raises(ValueError, match="lower_snake_case"):
        registry.register_kind("Open Cash", jobfuncs.open_cash_account)
    with pytest.raises(ValueError, match="period"):
        registry.register_kind("demo_weekly", jobfuncs.open_cash_account, period="week")


def test_unknown_kind_and_bad_dates_are_domain_errors(db_session):
    with pytest.raises(NotFound, match="unknown job kind 'no_such_kind'"):
        kinds.run_kind("no_such_kind", "00000000-0000-0000-0000-000000000000", "2026-11-25")
    for bad in ("25-11-2026", "2026-02-30", "kemarin", datetime(2026, 11, 25, tzinfo=UTC)):
        with pytest.raises(ValidationError, match="not a date"):
            kinds.parse_as_of(bad)


def test_monthly_kind_runs_once_per_month_whatever_the_day(db_session, registry):
    registry.register_kind("demo_month_end", jobfuncs.open_cash_account, period="month")
    t = make_tenant("kop-bulan")
    db_session.commit()
    first = kinds.run_kind("demo_month_end", t.id, date(2026, 10, 31))
    again = kinds.run_kind("demo_month_end", t.id, date(2026, 10, 15))
    assert (first.period, first.status, again.skipped) == ("2026-10", "done", True)
    with tenant_scope(db_session, t.id):
        assert db_session.scalars(select(Account.code)).all() == ["1131"]


def test_due_runs_follow_each_tenants_local_midnight(db_session, registry):
    registry.register_kind("demo_month_end", jobfuncs.open_cash_account, period="month")
    jakarta, makassar, jayapura = make_tenant("kop-wib"), make_tenant("kop-wita"), make_tenant("kop-wit")
    makassar.timezone, jayapura.timezone = "Asia/Makassar", "Asia/Jayapura"
    closed = make_tenant("kop-tutup")
    closed.is_active = False
    db_session.commit()

    # 17:30 UTC on 31 Oct is 00:30 on 1 Nov in Jakarta (UTC+7), 01:30 in Makassar, 02:30 in Jayapura.
    due = kinds.due_runs(datetime(2026, 10, 31, 17, 30, tzinfo=UTC))
    assert sorted((k, t, d) for k, t, d in due) == sorted(
        [
            ("tenant_heartbeat", jakarta.id, date(2026, 11, 1)),
            ("demo_month_end", jakarta.id, date(2026, 10, 31)),
        ]
    )
    # 15:30 UTC on 1 Nov is 00:30 on 2 Nov in Jayapura (UTC+9) only; not a month start.
    due = kinds.due_runs(datetime(2026, 11, 1, 15, 30, tzinfo=UTC))
    assert sorted((k, t, d) for k, t, d in due) == [("tenant_heartbeat", jayapura.id, date(2026, 11, 2))]
    everyone = kinds.due_runs(datetime(2026, 11, 1, 15, 30, tzinfo=UTC), local_hour=None)
    assert {t for _, t, _ in everyone} == {jakarta.id, makassar.id, jayapura.id}


def test_fan_out_runs_every_due_kind_inline_once(db_session):
    a = make_tenant("kop-a")
    add_accounts(db_session, a, ("1101", True))
    db_session.commit()
    at = "2026-11-24T17:30:00+00:00"  # 00:30 on 25 Nov in Jakarta
    assert kinds.fan_out(at) == 1
    assert runs_of(db_session, a) == [
        ("tenant_heartbeat", "2026-11-25", "done", "1 of 1 accounts active on 2026-11-25")
    ]
    assert kinds.fan_out(at) == 1  # a second scheduler: queued again, but the JobRun says done
    with tenant_scope(db_session, a.id):
        assert db_session.scalars(select(JobRun.attempts)).all() == [1]


def test_fan_out_default_time_is_now(db_session):
    a = make_tenant("kop-a")
    db_session.commit()
    with frozen(datetime(2026, 11, 24, 17, 45, tzinfo=UTC)):
        assert kinds.fan_out() == 1
    assert [r[:3] for r in runs_of(db_session, a)] == [("tenant_heartbeat", "2026-11-25", "done")]


def test_cron_table_registers_the_hourly_fan_out():
    from rq import cron as rq_cron

    from coopsaas.jobs import cron

    rq_cron._job_data_registry.clear()
    importlib.reload(cron)
    entries = [(d["func"], d["cron"], d["name"]) for d in rq_cron._job_data_registry]
    rq_cron._job_data_registry.clear()
    assert entries == [(kinds.fan_out, "30 * * * *", "coopsaas_fan_out")]


def test_run_kind_refuses_unknown_and_inactive_tenants_without_a_job_run(db_session):
    closed = make_tenant("kop-tutup")
    closed.is_active = False
    db_session.commit()
    with pytest.raises(NotFound, match="no tenant"):
        kinds.run_kind("tenant_heartbeat", "0190f000-0000-7000-8000-000000000000", "2026-11-25")
    with pytest.raises(NotFound, match="no tenant"):
        kinds.run_kind("tenant_heartbeat", "bukan-uuid", "2026-11-25")
    with pytest.raises(Conflict, match="'kop-tutup' is not active"):
        kinds.run_kind("tenant_heartbeat", closed.id, "2026-11-25")
    assert runs_of(db_session, closed) == []


def flaky_kind(job, as_of):
    jobfuncs.flaky("kind")
    return f"ok on attempt {job.attempt}"


def test_queued_kind_is_retried_and_its_job_run_counts_the_attempts(db_session, registry):
    registry.register_kind("demo_flaky", flaky_kind)
    jobfuncs.failures_left["kind"] = 1
    t = make_tenant("kop-ulang")
    db_session.commit()
    kinds.enqueue_kind("demo_flaky", t.id, "2026-11-25")
    db_session.commit()
    assert runs_of(db_session, t) == [("demo_flaky", "2026-11-25", "done", "ok on attempt 2")]
