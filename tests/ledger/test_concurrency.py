"""Concurrent posting on PostgreSQL: real threads, real commits, one tenant made for the test.

These tests cannot use the rolled-back `db_session`: each thread has its own app context and
session and commits every entry, as web workers do. The tenant gets a unique slug and is
removed afterwards by the superuser, so later tests find the database as they expect.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from coopsaas.core.db import tenant_scope
from coopsaas.errors import ClosedPeriodError
from coopsaas.extensions import db
from coopsaas.ledger import close_period, post_entry, trial_balance, verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.ledger.posting import EntrySpec, LineSpec
from coopsaas.tenancy.models import Tenant
from tests.helpers import make_tenant
from tests.ledger.conftest import make_chart, rp

pytestmark = pytest.mark.postgres

THREADS, PER_THREAD = 8, 200


@pytest.fixture
def race_tenant(app):
    with app.app_context():
        tenant = make_tenant(f"kop-race-{uuid.uuid4().hex[:10]}")
        db.session.commit()
        tid = tenant.id
        with tenant_scope(db.session, tid):
            accounts = {code: a.id for code, a in make_chart().items()}
    yield tid, accounts
    with app.app_context():
        remove_tenant(tid)


def remove_tenant(tid):
    """Delete the committed test tenant so later tests start from an empty database. Posted rows
    are append-only and under RLS, so this runs as the superuser with triggers off."""
    from tests.conftest import PG_ADMIN_URL, pg_url

    engine = create_engine(pg_url(make_url(PG_ADMIN_URL).username or "postgres"))
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(db.metadata.sorted_tables):
                if "tenant_id" in table.c:
                    conn.execute(table.delete().where(table.c.tenant_id == tid))
            conn.execute(Tenant.__table__.delete().where(Tenant.__table__.c.id == tid))
    finally:
        engine.dispose()


def run_threads(app, tid, work):
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def body(n):
        try:
            with app.app_context():
                start.wait()
                work(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            with app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=body, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def deposit(accounts, amount, day):
    return EntrySpec(
        entry_on=day,
        series="KM",
        lines=[LineSpec(accounts["1101"], debit=amount), LineSpec(accounts["2101"], credit=amount)],
    )


def test_eight_threads_post_1600_entries_with_gapless_voucher_numbers(app, race_tenant):
    tid, accounts = race_tenant

    def work(n):
        amount = rp(1000 + n)
        for i in range(PER_THREAD):
            with tenant_scope(db.session, tid):
                tenant = db.session.get(Tenant, tid)
                post_entry(
                    tenant=tenant, actor=None, spec=deposit(accounts, amount, date(2026, 1, 1 + i % 28))
                )

    run_threads(app, tid, work)

    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        vouchers = db.session.scalars(select(JournalEntry.voucher_no)).all()
        assert len(vouchers) == THREADS * PER_THREAD
        assert sorted(vouchers) == [f"KM-2026-{i:06d}" for i in range(1, THREADS * PER_THREAD + 1)]
        tb = trial_balance(tenant, as_of=date(2026, 1, 31))
        expected = sum((rp(1000 + n) * PER_THREAD for n in range(THREADS)), Decimal("0.00"))
        assert expected == rp(1605600)
        assert tb.total_debit == tb.total_credit == expected
        assert tb.row("1101").debit == expected
        assert verify_ledger(tenant) == []


def test_threads_racing_with_the_same_idempotency_keys_post_each_key_once(app, race_tenant):
    tid, accounts = race_tenant
    keys = [f"setoran-{i}" for i in range(25)]

    def work(n):
        for key in keys:
            with tenant_scope(db.session, tid):
                tenant = db.session.get(Tenant, tid)
                post_entry(
                    tenant=tenant,
                    actor=None,
                    spec=deposit(accounts, rp(5000), date(2026, 2, 2)),
                    idempotency_key=key,
                )

    run_threads(app, tid, work)

    with app.app_context(), tenant_scope(db.session, tid):
        entries = db.session.scalars(select(JournalEntry)).all()
        assert sorted(e.idempotency_key for e in entries) == sorted(keys)
        assert sorted(e.voucher_no for e in entries) == [f"KM-2026-{i:06d}" for i in range(1, 26)]
        tenant = db.session.get(Tenant, tid)
        assert trial_balance(tenant, as_of=date(2026, 2, 28)).row("2101").credit == rp(125000)


def test_a_posting_that_waited_for_a_close_is_refused_and_takes_no_number(app, race_tenant):
    """The close holds the book lock; a posting into the month starts, waits for it, and when
    the close commits, the database refuses its lines (the check it made before waiting is
    stale): a ClosedPeriodError, nothing written, no voucher number used."""
    tid, accounts = race_tenant
    with app.app_context(), tenant_scope(db.session, tid):
        post_entry(
            tenant=db.session.get(Tenant, tid), actor=None, spec=deposit(accounts, rp(1000), date(2026, 1, 5))
        )
    closing, posting = threading.Event(), threading.Event()
    outcome: list[BaseException | str] = []

    def closer():
        with app.app_context():
            try:
                with tenant_scope(db.session, tid):
                    close_period(tenant=db.session.get(Tenant, tid), actor=None, year=2026, month=1)
                    closing.set()
                    assert posting.wait(10)
                    time.sleep(0.5)  # the posting is now waiting for the book lock
            except BaseException as exc:  # reported by the main thread
                outcome.append(exc)
                closing.set()
            finally:
                db.session.remove()

    thread = threading.Thread(target=closer)
    thread.start()
    assert closing.wait(10)
    with app.app_context():
        try:
            with tenant_scope(db.session, tid):
                tenant = db.session.get(Tenant, tid)
                posting.set()
                post_entry(tenant=tenant, actor=None, spec=deposit(accounts, rp(2000), date(2026, 1, 30)))
        except ClosedPeriodError as exc:
            with force_locale("en"):
                outcome.append(str(exc.message))
        finally:
            db.session.remove()
    thread.join()
    assert outcome == [
        "The books are closed through 2026-01-31: 2026-01-30 cannot be posted. Post it in an open month "
        "or ask a manager to reopen the period."
    ]

    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        assert db.session.scalars(select(JournalEntry.voucher_no)).all() == ["KM-2026-000001"]
        entry = post_entry(tenant=tenant, actor=None, spec=deposit(accounts, rp(3000), date(2026, 2, 2)))
        assert entry.voucher_no == "KM-2026-000002"
        assert trial_balance(tenant, period=(2026, 1)).row("1101").debit == rp(1000)


def test_a_close_waits_for_a_posting_in_flight_and_includes_it(app, race_tenant):
    tid, accounts = race_tenant
    posted = threading.Event()
    errors: list[BaseException] = []

    def poster():
        with app.app_context():
            try:
                with tenant_scope(db.session, tid):
                    tenant = db.session.get(Tenant, tid)
                    post_entry(
                        tenant=tenant, actor=None, spec=deposit(accounts, rp(70000), date(2026, 1, 30))
                    )
                    posted.set()
                    time.sleep(0.5)  # posted, not yet committed, while the close starts
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                posted.set()
            finally:
                db.session.remove()

    thread = threading.Thread(target=poster)
    thread.start()
    assert posted.wait(10)
    with app.app_context(), tenant_scope(db.session, tid):
        close_period(tenant=db.session.get(Tenant, tid), actor=None, year=2026, month=1)
    thread.join()
    assert errors == []

    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        assert trial_balance(tenant, period=(2026, 1)).row("1101").debit == rp(70000)
        assert verify_ledger(tenant) == []
