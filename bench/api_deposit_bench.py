"""Savings deposits through the HTTP API under gunicorn on PostgreSQL, against raw posting.

    python bench/api_deposit_bench.py            # quick: 300 members, 400 deposits
    python bench/api_deposit_bench.py --full     # 3,000 members, 4,000 deposits

The cooperatives of tenants/ are synced into a fresh database (`coopsaas_bench_api`); KSP
Sejahtera gets members with simpanan pokok, wajib and sukarela accounts (opening balances and
their journal entry written with COPY) and 20 tellers with an API token each. gunicorn then
serves the app as in production (2 workers, `coopsaas_app`), and 20 client threads post
`POST /api/v1/t/ksp-sejahtera/savings/accounts/<id>/deposits` with a new Idempotency-Key each,
on sukarela accounts drawn at random. Requests per second and p50/p95 latency are printed next
to the raw posting rate measured in the same run: raw psycopg inserting one 2-line journal entry
per transaction (the ledger benchmark's baseline, 1 connection), and the same with 20
connections. One client alone then sends deposits too: its latency is the one without queueing.
The deposits are then checked: the balances grew by exactly what was deposited. `--threads N`
serves with gthread workers of N threads instead of the Procfile's sync workers.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

os.environ.setdefault("COOPSAAS_BENCH_PG_DATABASE", "coopsaas_bench_api")

import psycopg
from http_harness import (
    bearer,
    database_name,
    drop_database,
    fresh_app,
    gunicorn,
    load_average,
    make_tokens,
    ms,
    print_table,
    run_load,
    sync_tenants,
    url_for,
)
from ledger_bench import post_raw_pg

from coopsaas.core import pgsql
from coopsaas.core.money import format_rupiah

SLUG = "ksp-sejahtera"
CLIENTS = 20


def load_members(app: Any, n_members: int) -> dict[str, Any]:
    """Members with pokok, wajib and sukarela accounts and one opening entry for their balances."""
    from sqlalchemy import select

    from coopsaas.auth.models import User
    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.ledger.services import today_for
    from coopsaas.savings.models import SavingsProduct
    from coopsaas.savings.services import channel_account, control_account, ensure_products
    from coopsaas.tenancy.models import Tenant

    rng = random.Random(20261125)
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == SLUG)).one()
        with tenant_scope(db.session, tenant.id):
            ensure_products(tenant)
            products = {p.kind: (p.id, p.code) for p in db.session.scalars(select(SavingsProduct))}
            controls = {kind: control_account(kind).id for kind in ("pokok", "wajib", "sukarela")}
            kas = channel_account("cash").id
            today = today_for(tenant)
            teller = db.session.scalars(select(User).where(User.username.like("teller-%"))).first()
            tid, teller_id = tenant.id, teller.id
        db.session.commit()
    now = datetime.now(UTC).isoformat()
    entry_id = uuid.uuid4()
    members, accounts, txns = io.StringIO(), io.StringIO(), io.StringIO()
    totals = dict.fromkeys(controls, Decimal(0))
    sukarela: list[uuid.UUID] = []
    for i in range(n_members):
        member_id = uuid.uuid4()
        members.write(
            f"{tid}\t{member_id}\tB-{i:06d}\t3578011703{i:06d}\tAnggota Bench {i}\tJl. Bench {i}\t"
            f"2025-01-06\tanggota\tactive\t{now}\n"
        )
        for kind, balance in (
            ("pokok", Decimal(250_000)),
            ("wajib", Decimal(50_000 * rng.randint(1, 22))),
            ("sukarela", Decimal(rng.randrange(100_000, 20_000_000, 1_000))),
        ):
            account_id = uuid.uuid4()
            product_id, code = products[kind]
            accounts.write(
                f"{tid}\t{account_id}\t{member_id}\t{product_id}\t{code}-{i:06d}\topen\t"
                f"{balance}.00\t0.00\t2025-01-06\t{now}\n"
            )
            txns.write(
                f"{tid}\t{uuid.uuid4()}\t{account_id}\tdeposit\tcash\t{balance}.00\t{balance}.00\t"
                f"{today.replace(day=1)}\tsaldo awal\t{entry_id}\t{now}\n"
            )
            totals[kind] += balance
            if kind == "sukarela":
                sukarela.append(account_id)
    lines = io.StringIO()
    total = sum(totals.values())
    lines.write(f"{tid}\t{uuid.uuid4()}\t{entry_id}\t{today.replace(day=1)}\t1\t{kas}\t{total}\t0\n")
    for n, (kind, amount) in enumerate(totals.items(), start=2):
        lines.write(
            f"{tid}\t{uuid.uuid4()}\t{entry_id}\t{today.replace(day=1)}\t{n}\t{controls[kind]}\t0\t{amount}\n"
        )
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        conn.execute("SET session_replication_role = replica")  # consistent by construction
        conn.execute(
            "INSERT INTO journal_entry (tenant_id, id, voucher_no, series, entry_on, memo, created_at)"
            " VALUES (%s, %s, 'SA-BENCH-000001', 'SA', %s, 'saldo awal simpanan', now())",
            (tid, entry_id, today.replace(day=1)),
        )
        with conn.cursor() as cur:
            for sql, buf in [
                (
                    "COPY member (tenant_id, id, member_no, nik, name, address, joined_on, type, status,"
                    " created_at) FROM STDIN",
                    members,
                ),
                (
                    "COPY savings_account (tenant_id, id, member_id, product_id, account_no, status,"
                    " balance, hold_amount, opened_on, created_at) FROM STDIN",
                    accounts,
                ),
                (
                    "COPY savings_transaction (tenant_id, id, account_id, kind, channel, amount,"
                    " balance_after, entry_on, memo, journal_entry_id, created_at) FROM STDIN",
                    txns,
                ),
                (
                    "COPY journal_line (tenant_id, id, entry_id, entry_on, line_no, account_id, debit,"
                    " credit) FROM STDIN",
                    lines,
                ),
            ]:
                with cur.copy(sql) as cp:
                    cp.write(buf.getvalue())
        conn.execute("SET session_replication_role = origin")
        conn.commit()
        for table in ("member", "savings_account", "savings_transaction", "journal_line", "journal_entry"):
            conn.execute(f"ANALYZE {table}")
    return {
        "tenant_id": tid,
        "teller_id": teller_id,
        "kas": kas,
        "sukarela_control": controls["sukarela"],
        "accounts": sukarela,
        "members": n_members,
    }


def balances(tenant_id: uuid.UUID) -> tuple[Decimal, int]:
    with psycopg.connect(url_for(pgsql.APP, driver=False)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant_id),))
        total = conn.execute("SELECT sum(balance) FROM savings_account").fetchone()[0]
        count = conn.execute("SELECT count(*) FROM savings_transaction").fetchone()[0]
    return Decimal(total), count


def raw_concurrent(ids: tuple[uuid.UUID, ...], clients: int, per_client: int) -> float:
    """Entries per second: `clients` connections, each inserting one 2-line entry per transaction."""
    tenant_id, user_id, kas, control = ids
    start = threading.Barrier(clients + 1)
    run = uuid.uuid4().hex[:6]

    def client(c: int) -> None:
        with psycopg.connect(url_for(pgsql.APP, driver=False)) as conn:
            start.wait()
            for i in range(per_client):
                with conn.transaction():
                    conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))
                    entry_id = uuid.uuid4()
                    conn.execute(
                        "INSERT INTO journal_entry (tenant_id, id, voucher_no, series, entry_on, memo,"
                        " idempotency_key, created_by_id, created_at)"
                        " VALUES (%s, %s, %s, 'RAW', current_date, 'Setoran', %s, %s, now())",
                        (tenant_id, entry_id, f"RW{run}-{c:02d}-{i:06d}", f"rw-{run}-{c}-{i}", user_id),
                    )
                    conn.execute(
                        "INSERT INTO journal_line (tenant_id, id, entry_id, entry_on, line_no, account_id,"
                        " debit, credit) VALUES (%s, %s, %s, current_date, 1, %s, 125000.00, 0),"
                        " (%s, %s, %s, current_date, 2, %s, 0, 125000.00)",
                        (tenant_id, uuid.uuid4(), entry_id, kas, tenant_id, uuid.uuid4(), entry_id, control),
                    )

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return clients * per_client / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="3,000 members and 4,000 deposits")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (default 1: sync workers)"
    )
    parser.add_argument("--members", type=int, help="members (default 300, full 3,000)")
    parser.add_argument("--requests", type=int, help="deposits timed (default 400, full 4,000)")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    opts = parser.parse_args()
    n_members = opts.members or (3_000 if opts.full else 300)
    n_requests = opts.requests or (4_000 if opts.full else 400)
    per_client = max(1, n_requests // CLIENTS)

    print(f"preparing PostgreSQL database {database_name()} ...", flush=True)
    app = fresh_app()
    sync_tenants(app)
    tokens = make_tokens(app, SLUG, "teller", CLIENTS)
    data = load_members(app, n_members)
    accounts = data["accounts"]
    print(f"{n_members:,} members, {3 * n_members:,} savings accounts loaded", flush=True)
    before, txns_before = balances(data["tenant_id"])

    rng = random.Random(7)
    plan = [
        [(rng.choice(accounts), rng.randrange(10_000, 2_000_000, 500)) for _ in range(per_client + 5)]
        for _ in range(CLIENTS)
    ]
    n_solo = max(50, per_client)
    plan.append([(rng.choice(accounts), rng.randrange(10_000, 2_000_000, 500)) for _ in range(n_solo)])

    def deposit(offset: int, only: int | None = None) -> Any:
        def make(c: int, i: int) -> Any:
            account_id, amount = plan[c if only is None else only][i + offset]
            path = f"/api/v1/t/{SLUG}/savings/accounts/{account_id}/deposits"
            return ("POST", path, {"amount": f"{amount}.00", "memo": "setoran tunai"}, bearer(tokens[c]))

        return make

    with gunicorn(workers=2, threads=opts.threads) as port:
        warm = run_load(port, CLIENTS, 2, deposit(per_client), 201, keep_bodies=True)
        load = run_load(port, CLIENTS, per_client, deposit(0), 201, keep_bodies=True)
        busy = load_average()
        solo = run_load(port, 1, n_solo, deposit(0, only=CLIENTS), 201, keep_bodies=True)
    for err in (warm.errors + load.errors + solo.errors)[:5]:
        print("  error:", err, file=sys.stderr)

    after, txns_after = balances(data["tenant_id"])
    deposited = sum(Decimal(b["amount"]) for b in warm.bodies + load.bodies + solo.bodies)
    ok = txns_after - txns_before == warm.ok + load.ok + solo.ok and after - before == deposited

    ids = (data["tenant_id"], data["teller_id"], data["kas"], data["sukarela_control"])
    raw_one = post_raw_pg(ids, max(200, n_requests // 4))
    raw_many = raw_concurrent(ids, CLIENTS, per_client)

    server = "sync" if opts.threads == 1 else f"gthread x {opts.threads}"
    print()
    print(
        f"{n_members:,} members / {3 * n_members:,} accounts, {CLIENTS} clients x {per_client} deposits,"
        f" gunicorn 2 {server} workers; {load.ok:,} answered 201, {len(load.errors)} errors; {busy}"
    )
    print_table(
        ("figure", "measured", "baseline (same run)", "ratio"),
        [
            (
                f"deposit via API, {CLIENTS} clients",
                f"{load.rate:,.0f} requests/s",
                f"{raw_one:,.0f} entries/s (raw psycopg, 1 connection)",
                f"{load.rate / raw_one:.0%}",
            ),
            (
                "",
                "",
                f"{raw_many:,.0f} entries/s (raw psycopg, {CLIENTS} connections)",
                f"{load.rate / raw_many:.0%}",
            ),
            ("deposit latency p50", ms(load.percentile(50)), f"{1000 / raw_one:.1f} ms per raw entry", ""),
            ("deposit latency p95", ms(load.percentile(95)), "", ""),
            (
                "deposit via API, 1 client",
                f"{solo.rate:,.0f} requests/s",
                f"p50 {ms(solo.percentile(50))}, p95 {ms(solo.percentile(95))}",
                "",
            ),
        ],
    )
    print(
        f"\ncheck: {'ok' if ok else 'FAILED'}: balances grew by {format_rupiah(after - before, sen=True)}, "
        f"deposits answered {format_rupiah(deposited, sen=True)}; {txns_after - txns_before} transactions"
    )
    if not opts.keep_db:
        with app.app_context():
            from coopsaas.extensions import db

            db.engine.dispose()
        drop_database()
    if not ok or load.errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
