"""`flask jobs ...`: clear errors with a non-zero exit, outcomes an operator can read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coopsaas.core.db import tenant_scope
from coopsaas.jobs.models import JobRun
from coopsaas.ledger.models import Account
from tests.helpers import make_tenant


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def tenant(db_session):
    t = make_tenant("kop-cli")
    db_session.commit()
    with tenant_scope(db_session, t.id):
        db_session.add(Account(code="1101", name="Kas", type="asset", normal_side="D", tags=[], weights={}))
    return t


def job_run_count(session, tenant):
    with tenant_scope(session, tenant.id):
        return session.scalar(select(func.count()).select_from(JobRun))


def test_run_prints_the_outcome_and_a_second_run_says_already_done(runner, tenant, db_session):
    args = ["jobs", "run", "tenant_heartbeat", "--tenant", "kop-cli", "--as-of", "2026-11-25"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert first.output == (
        "kop-cli: tenant_heartbeat 2026-11-25 done 1/1 (attempt 1): 1 of 1 accounts active on 2026-11-25\n"
    )
    second = runner.invoke(args=args)
    assert second.exit_code == 0
    assert second.output == (
        "kop-cli: tenant_heartbeat 2026-11-25 done 1/1 (attempt 1): 1 of 1 accounts active on 2026-11-25"
        " [nothing run: already done]\n"
    )
    assert job_run_count(db_session, tenant) == 1


def test_run_without_as_of_uses_the_tenants_business_date(runner, tenant, db_session):
    from datetime import UTC, datetime

    from coopsaas.core.clock import frozen

    with frozen(datetime(2026, 11, 24, 18, 0, tzinfo=UTC)):  # 01:00 on 25 Nov in Jakarta
        result = runner.invoke(args=["jobs", "run", "tenant_heartbeat", "--tenant", "kop-cli"])
    assert result.exit_code == 0, result.output
    assert "tenant_heartbeat 2026-11-25 done" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["jobs", "run", "no_such_kind", "--tenant", "kop-cli", "--as-of", "2026-11-25"],
            "unknown job kind 'no_such_kind'; known: ",
        ),
        (
            ["jobs", "run", "tenant_heartbeat", "--tenant", "kop-hilang", "--as-of", "2026-11-25"],
            "no tenant with slug 'kop-hilang'",
        ),
        (
            ["jobs", "run", "tenant_heartbeat", "--tenant", "kop-cli", "--as-of", "25/11/2026"],
            "--as-of: not a date (YYYY-MM-DD): '25/11/2026'",
        ),
        (
            ["jobs", "run", "tenant_heartbeat", "--tenant", "kop-cli", "--as-of", "2026-02-30"],
            "--as-of: not a date (YYYY-MM-DD): '2026-02-30'",
        ),
        (["jobs", "status", "--tenant", "kop-hilang"], "no tenant with slug 'kop-hilang'"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message_and_writes_nothing(
    runner, tenant, db_session, args, message
):
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert job_run_count(db_session, tenant) == 0


def test_run_for_an_inactive_tenant_is_refused(runner, tenant, db_session):
    tenant.is_active = False
    db_session.commit()
    result = runner.invoke(
        args=["jobs", "run", "tenant_heartbeat", "--tenant", "kop-cli", "--as-of", "2026-11-25"]
    )
    assert result.exit_code == 1
    assert "Error: tenant 'kop-cli' is not active" in result.output


@pytest.mark.parametrize("command", ["worker", "cron"])
def test_worker_and_cron_need_redis(runner, command, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    result = runner.invoke(args=["jobs", command])
    assert result.exit_code == 1
    assert "Error: REDIS_URL is not set (COOPSAAS_REDIS_URL)" in result.output


def test_status_lists_recent_runs_with_progress(runner, tenant, db_session):
    assert (
        runner.invoke(args=["jobs", "status", "--tenant", "kop-cli"]).output == "kop-cli: no job runs yet\n"
    )
    for day in ("2026-11-24", "2026-11-25"):
        runner.invoke(args=["jobs", "run", "tenant_heartbeat", "--tenant", "kop-cli", "--as-of", day])
    result = runner.invoke(args=["jobs", "status", "--tenant", "kop-cli"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "tenant_heartbeat 2026-11-25 done 1/1 (attempt 1): 1 of 1 accounts active on 2026-11-25",
        "tenant_heartbeat 2026-11-24 done 1/1 (attempt 1): 1 of 1 accounts active on 2026-11-24",
    ]


def test_kinds_lists_the_demo_kind(runner):
    result = runner.invoke(args=["jobs", "kinds"])
    assert "tenant_heartbeat\tday\tcoopsaas.jobs.heartbeat.tenant_heartbeat" in result.output


def test_failing_kind_exits_non_zero_and_the_run_is_marked_failed(runner, tenant, db_session, monkeypatch):
    from coopsaas.jobs import kinds
    from tests.jobs import jobfuncs

    monkeypatch.setattr(kinds, "_kinds", dict(kinds._kinds))
    jobfuncs.failures_left["cli"] = 1
    kinds.register_kind("demo_flaky", lambda job, as_of: jobfuncs.flaky("cli"))
    args = ["jobs", "run", "demo_flaky", "--tenant", "kop-cli", "--as-of", "2026-11-25"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert (
        "Error: demo_flaky 2026-11-25 for kop-cli failed: RuntimeError: cli is not ready yet" in result.output
    )
    status = runner.invoke(args=["jobs", "status", "--tenant", "kop-cli"]).output
    assert status == "demo_flaky 2026-11-25 failed (attempt 1): RuntimeError: cli is not ready yet\n"
    retried = runner.invoke(args=args)
    assert retried.exit_code == 0
    assert retried.output == "kop-cli: demo_flaky 2026-11-25 done (attempt 2)\n"


def test_worker_burst_drains_the_queue_and_stops(runner, app, redis_url, monkeypatch):
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output


def test_cron_loads_the_periodic_table(runner, app, redis_url, monkeypatch):
    from rq.cron import CronScheduler

    started = []
    monkeypatch.setattr(CronScheduler, "start", lambda self: started.extend(j.name for j in self.get_jobs()))
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    result = runner.invoke(args=["jobs", "cron"])
    assert result.exit_code == 0, result.output
    assert started == ["coopsaas_fan_out"]


def test_fan_out_every_tenant_catches_up_now(runner, tenant, db_session):
    result = runner.invoke(args=["jobs", "fan-out", "--every-tenant"])
    assert result.exit_code == 0, result.output
    assert result.output == "1 job runs queued\n"
    with tenant_scope(db_session, tenant.id):
        assert db_session.scalars(select(JobRun.status)).all() == ["done"]
