"""Browser tests: Debian's Chromium through Playwright against a live server thread.

The server runs its own app on a file SQLite database migrated to head: the per-test rollback
fixture cannot serve a second thread, and `:memory:` is one database per connection.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import migrate_to_head

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian chromium is missing: apt-get install -y chromium (never `playwright install`)")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A cheap phone: the layout must work at 360px.
    return {**browser_context_args, "viewport": {"width": 360, "height": 740}}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: Any) -> Any:
    from coopsaas.app import create_app

    db_file = tmp_path_factory.mktemp("live") / "live.db"
    app = create_app({
        "TESTING": False,
        "COOPSAAS_ENV": "test",
        "SECRET_KEY": "live-" + uuid.uuid4().hex,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
        "SQLALCHEMY_BINDS": {},
        "PASSWORD_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": None,
        "CHECK_DB_ROLE": False,
    })
    migrate_to_head(app, None)
    return app


@pytest.fixture(scope="session")
def live_server(live_app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        from coopsaas.extensions import db

        with live_app.app_context():
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(scope="session")
def results_dir(pytestconfig: Any) -> Path:
    """Playwright's --output folder (test-results/ by default), which pytest-playwright empties at start."""
    path = Path(pytestconfig.getoption("--output")).absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path
