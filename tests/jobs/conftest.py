from __future__ import annotations

import pytest

from tests.jobs import jobfuncs


@pytest.fixture(autouse=True)
def _clean_job_calls():
    jobfuncs.reset()
    yield
    jobfuncs.reset()
