"""Background jobs: enqueue after commit (RQ or inline), workers, JobRun once-only runs, job kinds
and the cron fan-out.

Public API:
- `enqueue(func, *args, job_id=None, retry=None, **kwargs)`: run after the current commit.
- `register_kind(name, func, period="day"|"month")`: a periodic kind, found by cron and `jobs run`.
- `enqueue_kind(kind, tenant_id, as_of)`, `run_kind(kind, tenant_id, as_of)`.
- `run_once(tenant_id=, kind=, period=, work=)`: the once-only guard for any tenant job.
"""

from __future__ import annotations

from flask import Flask

from coopsaas.jobs.kinds import enqueue_kind, register_kind, registered_kinds, run_kind
from coopsaas.jobs.queue import enqueue
from coopsaas.jobs.runs import JobHandle, RunResult, run_once

__all__ = [
    "JobHandle",
    "RunResult",
    "enqueue",
    "enqueue_kind",
    "register_kind",
    "registered_kinds",
    "run_kind",
    "run_once",
]


def init_app(app: Flask) -> None:
    from coopsaas.jobs import heartbeat
    from coopsaas.jobs.cli import jobs_cli

    register_kind(heartbeat.KIND, heartbeat.tenant_heartbeat, period="day", timeout=300)
    app.cli.add_command(jobs_cli)
