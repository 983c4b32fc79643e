"""Application factory: a list of register_* steps over unbound extensions."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from coopsaas.config import load_config
from coopsaas.core.logs import configure as configure_logging
from coopsaas.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    from pathlib import Path

    app.config.update(load_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    if not app.testing:
        configure_logging(app.config["LOG_LEVEL"])

    register_extensions(app)
    register_features(app)
    return app


def register_extensions(app: Flask) -> None:
    from coopsaas import models  # noqa: F401  (every table known to the metadata)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            _configure_engine(engine)
        if app.config.get("CHECK_DB_ROLE") and db.engine.dialect.name == "postgresql":
            from coopsaas.core.pgsql import self_check

            with db.engine.connect() as conn:
                problems = self_check(conn)
            if problems:
                raise RuntimeError("unsafe database role: " + "; ".join(problems))
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    from coopsaas.web.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def register_features(app: Flask) -> None:
    from coopsaas import (
        api,
        auth,
        cli,
        demo,
        errors_http,
        jobs,
        ledger,
        loans,
        members,
        network,
        retail,
        savings,
        tenancy,
        web,
    )

    errors_http.init_app(app)
    tenancy.init_app(app)
    auth.init_app(app)
    web.init_app(app)
    api.init_app(app)
    jobs.init_app(app)
    ledger.init_app(app)
    members.init_app(app)
    loans.init_app(app)
    savings.init_app(app)
    retail.init_app(app)
    network.init_app(app)
    cli.init_app(app)
    demo.init_app(app)


def _configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite" or getattr(engine, "_coopsaas_configured", False):
        return
    engine._coopsaas_configured = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, record: Any) -> None:
        # Wall 2 on SQLite needs foreign keys on; pysqlite's own transaction handling is turned
        # off so SAVEPOINTs work and every transaction takes the write lock at BEGIN, which
        # serialises writers the way row locks do on PostgreSQL.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
