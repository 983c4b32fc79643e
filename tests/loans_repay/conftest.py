"""Repayment fixtures: the loan cooperative with interest, penalty and reserve accounts in scope,
clock frozen on the disbursement day, messages in English."""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from coopsaas.core.clock import frozen
from coopsaas.extensions import db
from tests.loans_repay.builders import NOW, start_repay_coop


@pytest.fixture
def coop(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        yield start_repay_coop()


@pytest.fixture
def check_deferred(is_postgres: bool) -> Any:
    """Fire PostgreSQL's deferred balance checks now (the test transaction never commits)."""

    def run() -> None:
        if is_postgres:
            db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
            db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))

    return run
