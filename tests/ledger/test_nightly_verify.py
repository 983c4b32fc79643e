"""The nightly `ledger_verify` job checks a tenant's books and keeps the findings in its JobRun."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from coopsaas.core.db import clear_tenant
from coopsaas.jobs import registered_kinds, run_kind
from coopsaas.ledger.verify import VERIFY_HOOKS, Finding
from tests.ledger.conftest import start_books


def test_ledger_verify_is_a_daily_job_kind(app):
    kinds = {k.name: k for k in registered_kinds()}
    assert kinds["ledger_verify"].period == "day"


def test_clean_books_are_reported_without_findings_and_a_rerun_does_nothing(db_session):
    with force_locale("en"):
        books = start_books("kop-malam")
        books.post(date(2026, 1, 5), ("1101", 1_250_000, 0), ("3101", 0, 1_250_000))
        db_session.commit()
        clear_tenant(db_session)
        first = run_kind("ledger_verify", books.tenant.id, "2026-11-24")
        again = run_kind("ledger_verify", books.tenant.id, "2026-11-24")
    assert first.status == "done"
    assert first.message == "ledger verified on 2026-11-24: no findings"
    assert again.skipped is True


def test_findings_of_a_sub_ledger_hook_are_stored_in_the_run(db_session):
    def savings_differ(tenant):
        return [Finding("subledger_difference", "Simpanan sukarela differs from 2101 by Rp 1.000")]

    VERIFY_HOOKS.append(savings_differ)
    try:
        with force_locale("en"):
            books = start_books("kop-selisih")
            db_session.commit()
            clear_tenant(db_session)
            result = run_kind("ledger_verify", books.tenant.id, "2026-11-25")
    finally:
        VERIFY_HOOKS.remove(savings_differ)
    assert result.status == "done"
    assert result.message.splitlines() == [
        "ledger verified on 2026-11-25: 1 finding(s)",
        "subledger_difference: Simpanan sukarela differs from 2101 by Rp 1.000",
    ]
