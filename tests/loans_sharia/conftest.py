"""Sharia financing fixtures: the sharia cooperative in scope, clock frozen on the akad day,
messages in English unless a test asks for Indonesian."""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from coopsaas.core.clock import frozen
from coopsaas.extensions import db
from tests.loans_sharia.builders import NOW, start_sharia_coop


@pytest.fixture
def coop(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        yield start_sharia_coop()


@pytest.fixture
def check_deferred(is_postgres: bool) -> Any:
    """Fire PostgreSQL's deferred balance checks now (the test transaction never commits)."""

    def run() -> None:
        if is_postgres:
            db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
            db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))

    return run
