from __future__ import annotations

import pytest

from coopsaas.jobs import kinds
from tests.jobs import jobfuncs


@pytest.fixture(autouse=True)
def _clean_job_calls():
    jobfuncs.reset()
    yield
    jobfuncs.reset()


@pytest.fixture(autouse=True)
def _only_the_heartbeat_kind(app):
    """These tests count what the fan-out queues: other features' kinds (ledger_verify, month-end
    interest, ...) are set aside here and put back afterwards."""
    saved = dict(kinds._kinds)
    kinds._kinds.clear()
    if "tenant_heartbeat" in saved:
        kinds._kinds["tenant_heartbeat"] = saved["tenant_heartbeat"]
    yield
    kinds._kinds.clear()
    kinds._kinds.update(saved)
