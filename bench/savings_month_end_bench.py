"""Savings month-end benchmark: interest for one tenant with 50,000 sukarela accounts and
1,500,000 transactions on PostgreSQL, against a raw SQL computation of the same interest.

    python bench/savings_month_end_bench.py [--scale 0.1] [--batch 100]

The history (members, accounts, transactions from March to June 2026) is written with COPY as
the superuser; then June is closed twice over the same data:

a) `coopsaas.savings.month_end.run_month_end` as the application role (RLS on), which locks,
   computes with interest.py, withholds tax per member, posts one journal entry per batch and
   inserts the interest/tax transactions, committed;
b) one SQL statement computing every account's lowest-balance interest for June (aggregate
   and window functions over the same rows), read only.

Both totals are printed and must agree. The database is its own (`coopsaas_bench_monthend`,
dropped and created again, roles by `db-roles init`).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("COOPSAAS_BENCH_PG_DATABASE", "coopsaas_bench_monthend")

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ledger_bench import make_app, prepare_database, url_for  # noqa: E402

from coopsaas.core import pgsql  # noqa: E402

FULL_ACCOUNTS = 50_000
TXNS_PER_ACCOUNT = 30
YEAR, MONTH = 2026, 6
FIRST, LAST = date(2026, 6, 1), date(2026, 6, 30)
HISTORY_START = date(2026, 3, 1)
RATE = Decimal("3")


def setup_tenant(app: Any) -> tuple[uuid.UUID, uuid.UUID]:
    """Tenant, chart, the sukarela product and one opening journal entry the rows point at."""
    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.ledger.models import Account
    from coopsaas.savings.models import SavingsProduct
    from coopsaas.tenancy.models import Tenant

    with app.app_context():
        tenant = Tenant(
            slug="bench-savings", name="KSP Bench", legal_form="ksp", chart_template="ksp", settings={}
        )
        db.session.add(tenant)
        db.session.commit()
        with tenant_scope(db.session, tenant.id):
            for code, name, type_, side, tags in [
                ("1101", "Kas", "asset", "D", ["kas"]),
                ("2101", "Simpanan sukarela", "liability", "K", ["simpanan_sukarela"]),
                ("2122", "Utang pajak", "liability", "K", ["utang_pajak"]),
                ("5101", "Beban jasa simpanan sukarela", "expense", "D", ["beban_jasa_sukarela"]),
            ]:
                db.session.add(
                    Account(code=code, name=name, type=type_, normal_side=side, tags=tags, weights={})
                )
            product = SavingsProduct(
                code="SIRELA",
                name="Sirela",
                kind="sukarela",
                is_active=True,
                parameters={
                    "rate_pa": str(RATE),
                    "interest_method": "LOWEST_BALANCE",
                    "day_count": "ACT_365",
                },
            )
            db.session.add(product)
            db.session.flush()
            ids = (tenant.id, product.id)
        return ids


def load_history(tenant_id: uuid.UUID, product_id: uuid.UUID, scale: float) -> tuple[int, int, float]:
    """COPY members, accounts and transactions; deposits and withdrawals that keep every running
    balance positive. Returns (accounts, transactions, seconds)."""
    rng = random.Random(20260630)
    n_accounts = int(FULL_ACCOUNTS * scale)
    span = (LAST - HISTORY_START).days + 1
    now = datetime.now(UTC).isoformat()
    entry_id = uuid.uuid4()
    members, accounts, txns = io.StringIO(), io.StringIO(), io.StringIO()
    n_txns = 0
    for i in range(n_accounts):
        member_id, account_id = uuid.uuid4(), uuid.uuid4()
        members.write(
            f"{tenant_id}\t{member_id}\tA-{i:06d}\t3578011703{i:06d}\tAnggota {i}\t\t2026-01-05\t"
            f"anggota\tactive\t{now}\n"
        )
        days = sorted(rng.randrange(span) for _ in range(TXNS_PER_ACCOUNT))
        balance = 0
        for day in days:
            on = HISTORY_START + timedelta(days=day)
            if balance > 200_000 and rng.random() < 0.35:
                kind, amount = "withdrawal", rng.randrange(10_000, balance // 2)
                balance -= amount
            else:
                kind, amount = "deposit", rng.randrange(10_000, 2_000_000)
                balance += amount
            txns.write(
                f"{tenant_id}\t{uuid.uuid4()}\t{account_id}\t{kind}\tcash\t{amount}.00\t{balance}.00\t"
                f"{on}\t\t{entry_id}\t{now}\n"
            )
            n_txns += 1
        accounts.write(
            f"{tenant_id}\t{account_id}\t{member_id}\t{product_id}\tSIRELA-{i:06d}\topen\t"
            f"{balance}.00\t0.00\t2026-01-05\t{now}\n"
        )
    t0 = time.perf_counter()
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        conn.execute("SET session_replication_role = replica")  # rows consistent by construction
        conn.execute(
            "INSERT INTO journal_entry (tenant_id, id, voucher_no, series, entry_on, memo, created_at)"
            " VALUES (%s, %s, 'SA-2026-000001', 'SA', '2026-03-01', 'saldo awal bench', now())",
            (tenant_id, entry_id),
        )
        with conn.cursor() as cur:
            for sql, buf in [
                (
                    "COPY member (tenant_id, id, member_no, nik, name, address, joined_on, type, status,"
                    " created_at) FROM STDIN",
                    members,
                ),
                (
                    "COPY savings_account (tenant_id, id, member_id, product_id, account_no, status, balance,"
                    " hold_amount, opened_on, created_at) FROM STDIN",
                    accounts,
                ),
                (
                    "COPY savings_transaction (tenant_id, id, account_id, kind, channel, amount,"
                    " balance_after,"
                    " entry_on, memo, journal_entry_id, created_at) FROM STDIN",
                    txns,
                ),
            ]:
                with cur.copy(sql) as cp:
                    cp.write(buf.getvalue())
        conn.execute("SET session_replication_role = origin")
        conn.commit()
        conn.execute("ANALYZE member")
        conn.execute("ANALYZE savings_account")
        conn.execute("ANALYZE savings_transaction")
    return n_accounts, n_txns, time.perf_counter() - t0


RAW_SQL = """
WITH acc AS (
    SELECT id, balance FROM savings_account WHERE tenant_id = %(t)s AND status = 'open'
),
daily AS (
    SELECT account_id, entry_on,
           sum(CASE WHEN kind IN ('withdrawal', 'tax', 'fee') THEN -amount ELSE amount END) AS delta
    FROM savings_transaction WHERE tenant_id = %(t)s AND entry_on >= %(first)s
    GROUP BY account_id, entry_on
),
opening AS (
    SELECT a.id, a.balance - coalesce(sum(d.delta), 0) AS ob
    FROM acc a LEFT JOIN daily d ON d.account_id = a.id GROUP BY a.id, a.balance
),
running AS (
    SELECT d.account_id, d.entry_on,
           sum(d.delta) OVER (PARTITION BY d.account_id ORDER BY d.entry_on) AS cum
    FROM daily d WHERE d.entry_on <= %(last)s
),
lowest AS (
    SELECT o.id,
           least(CASE WHEN min(r.entry_on) IS NULL OR min(r.entry_on) > %(first)s THEN o.ob END,
                 min(o.ob + r.cum)) AS low
    FROM opening o LEFT JOIN running r ON r.account_id = o.id GROUP BY o.id, o.ob
)
SELECT count(*) FILTER (WHERE round(low * %(rate)s * %(days)s / 36500.0) > 0),
       sum(round(low * %(rate)s * %(days)s / 36500.0))
FROM lowest
"""


def raw_interest(tenant_id: uuid.UUID) -> tuple[int, Decimal, float]:
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        t0 = time.perf_counter()
        count, total = conn.execute(
            RAW_SQL,
            {"t": tenant_id, "first": FIRST, "last": LAST, "rate": RATE, "days": (LAST - FIRST).days + 1},
        ).fetchone()
        return count, Decimal(total).quantize(Decimal("0.01")), time.perf_counter() - t0


def service_interest(app, tenant_id: uuid.UUID, batch: int) -> tuple[int, Decimal, float]:
    from sqlalchemy import select

    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.savings.month_end import run_month_end
    from coopsaas.tenancy.models import Tenant

    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.id == tenant_id)).one()
        db.session.commit()
        t0 = time.perf_counter()
        with tenant_scope(db.session, tenant_id):
            result = run_month_end(tenant=tenant, actor=None, year=YEAR, month=MONTH, batch_size=batch)
        seconds = time.perf_counter() - t0
        posted = sum(1 for _ in result.entries)
        print(f"  service: {result.summary()} ({posted} journal entries)", flush=True)
        return result.accounts, result.interest, seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 50,000 accounts (default 1)")
    parser.add_argument("--batch", type=int, default=100, help="accounts per journal entry")
    opts = parser.parse_args()
    print(f"preparing PostgreSQL database {os.environ['COOPSAAS_BENCH_PG_DATABASE']} ...", flush=True)
    prepare_database()
    app = make_app(url_for(pgsql.APP), {"agency": url_for(pgsql.AGENCY)}, url_for(pgsql.OWNER))
    tenant_id, product_id = setup_tenant(app)
    n_accounts, n_txns, load_s = load_history(tenant_id, product_id, opts.scale)
    print(f"loaded {n_accounts:,} accounts, {n_txns:,} transactions in {load_s:.1f} s", flush=True)
    raw_count, raw_total, raw_s = raw_interest(tenant_id)
    print(f"raw SQL: {raw_count:,} accounts earn, total {raw_total} in {raw_s:.2f} s", flush=True)
    accounts, total, service_s = service_interest(app, tenant_id, opts.batch)
    print(f"service: {accounts:,} accounts, total {total} in {service_s:.2f} s", flush=True)
    agree = "agree" if total == raw_total else "DIFFER"
    print()
    print("| figure | service | raw SQL | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| month-end interest, {n_accounts:,} accounts / {n_txns:,} transactions | {service_s:.1f} s |"
        f" {raw_s:.2f} s | {service_s / raw_s:.0f}x | < 60 s at full scale |"
    )
    print(f"\ntotals {agree}: service {total}, raw {raw_total}")


if __name__ == "__main__":
    main()
