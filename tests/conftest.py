"""Test fixtures: a real database per session, one rolled-back transaction per test.

The suite runs twice in `make test`: on SQLite (default) and on PostgreSQL with real Redis
(COOPSAAS_TEST_DB=postgres). Tests marked `postgres` run only in the PostgreSQL pass (they are
deselected, not skipped, on SQLite). In CI (CI=true) a missing PostgreSQL or Redis is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coopsaas.core import pgsql

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_DB = os.environ.get("COOPSAAS_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "COOPSAAS_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_TEST_DB = os.environ.get("COOPSAAS_TEST_PG_DATABASE", "coopsaas_test")
REDIS_URL = os.environ.get("COOPSAAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if TEST_DB != "postgres":
        keep, drop = [], []
        for item in items:
            (drop if item.get_closest_marker("postgres") else keep).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep


def pg_url(role: str, database: str = PG_TEST_DB) -> str:
    return (
        make_url(PG_ADMIN_URL)
        .set(username=role, password=None, database=database)
        .render_as_string(hide_password=False)
    )


def _prepare_postgres() -> dict[str, str]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)'))
    except Exception as exc:
        msg = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}"
        if IN_CI:
            pytest.exit(msg, returncode=3)
        pytest.exit(msg + " (start it, or run the SQLite pass only)", returncode=3)
    finally:
        admin.dispose()
    from click.testing import CliRunner

    from coopsaas.cli import init_roles

    result = CliRunner().invoke(init_roles, ["--admin-url", PG_ADMIN_URL, "--database", PG_TEST_DB])
    if result.exit_code != 0:
        pytest.exit(f"db-roles init failed: {result.output} {result.exception}", returncode=3)
    return {
        "SQLALCHEMY_DATABASE_URI": pg_url(pgsql.APP),
        "SQLALCHEMY_BINDS": {"agency": pg_url(pgsql.AGENCY)},
        "MIGRATE_URL": pg_url(pgsql.OWNER),
    }


def _test_config(tmp_dir: Path) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "TESTING": True,
        "COOPSAAS_ENV": "test",
        "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
        "PASSWORD_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": None,
        "SERVER_NAME": None,
        "TENANTS_DIR": str(ROOT / "tenants"),
    }
    if TEST_DB == "postgres":
        cfg.update(_prepare_postgres())
    else:
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_dir / 'test.db'}"
        cfg["SQLALCHEMY_BINDS"] = {}
    return cfg


def migrate_to_head(app: Any, migrate_url: str | None) -> None:
    from flask_migrate import upgrade

    if migrate_url:
        os.environ["COOPSAAS_MIGRATE_DATABASE_URL"] = migrate_url
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
    finally:
        os.environ.pop("COOPSAAS_MIGRATE_DATABASE_URL", None)


@pytest.fixture(scope="session")
def app_config(tmp_path_factory: Any) -> dict[str, Any]:
    return _test_config(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def app(app_config: dict[str, Any]) -> Iterator[Any]:
    from coopsaas.app import create_app

    cfg = {k: v for k, v in app_config.items() if k != "MIGRATE_URL"}
    application = create_app(cfg)
    migrate_to_head(application, app_config.get("MIGRATE_URL"))
    yield application
    from coopsaas.extensions import db

    with application.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def db_session(app: Any) -> Iterator[Any]:
    """Every commit inside the test becomes a SAVEPOINT release; all of it is rolled back after."""
    from coopsaas.extensions import db

    with app.app_context():
        conn = db.engine.connect()
        outer = conn.begin()
        engines = db.engines
        saved = engines[None]
        engines[None] = conn
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            db.session.remove()
            outer.rollback()
            conn.close()
            engines[None] = saved
            db.session.configure(join_transaction_mode="conditional_savepoint")


@pytest.fixture
def client(app: Any, db_session: Any) -> Any:
    return app.test_client()


@pytest.fixture
def is_postgres(app: Any) -> bool:
    return TEST_DB == "postgres"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A real Redis (database 15, flushed). Locally skipped when absent; in CI a failure."""
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    try:
        r.ping()
    except redis.exceptions.ConnectionError as exc:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {REDIS_URL} in CI: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    r.flushdb()
    return REDIS_URL
