"""RQ workers that run every job in its own Flask app context (and so its own database session).

Production: `flask --app wsgi jobs worker` or `rq worker -w coopsaas.jobs.worker.FlaskWorker
--with-scheduler`. Tests drain a queue in-process with `FlaskSimpleWorker`, whose `app` is the
test app: it shares the test's connection, so it sees the test's committed savepoints.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from rq import SimpleWorker, Worker
from rq.job import Job
from rq.queue import Queue

from coopsaas.extensions import db


class AppContextMixin:
    app: Flask | None = None

    def work(self, *args: Any, **kwargs: Any) -> bool:
        # Built here rather than in __init__: `rq info` and the scheduler build workers too, and
        # they have no business creating an app (and connecting) just to list queues.
        if self.app is None:
            from coopsaas.app import create_app

            self.app = create_app()
        return bool(super().work(*args, **kwargs))  # type: ignore[misc]

    def perform_job(self, job: Job, queue: Queue) -> bool:
        # One app context per job: one db.session per job, removed (rolled back if left open)
        # when the context ends, so nothing leaks from one job or tenant into the next.
        assert self.app is not None
        with self.app.app_context():
            return bool(super().perform_job(job, queue))  # type: ignore[misc]


class FlaskWorker(AppContextMixin, Worker):
    """Forks a work horse per job (rq's default); the horse must not reuse the parent's sockets."""

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        assert self.app is not None
        with self.app.app_context():
            for engine in db.engines.values():
                # close=False: the parent still owns these connections; the child only forgets them.
                engine.dispose(close=False)
        super().main_work_horse(job, queue)


class FlaskSimpleWorker(AppContextMixin, SimpleWorker):
    """Runs jobs in the worker's own process: tests, and debugging one job at a time."""
