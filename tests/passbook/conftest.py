"""Passbook fixtures: the savings test cooperative in scope, its clock frozen, messages in English."""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale

from coopsaas.core.clock import frozen
from tests.savings_services.builders import NOW, start_coop


@pytest.fixture
def coop(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        yield start_coop("ksp-buku")
