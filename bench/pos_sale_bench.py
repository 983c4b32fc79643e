"""POS sales of 5 lines through the HTTP API under gunicorn on PostgreSQL, against the same sale
made by the service in-process.

    python bench/pos_sale_bench.py               # quick: 200 items, 160 sales
    python bench/pos_sale_bench.py --full        # 2,000 items, 1,600 sales

The cooperatives of tenants/ are synced into a fresh database (`coopsaas_bench_pos`); the shop of
Kopontren Al-Hikmah (negative stock refused) gets items with enough stock for every sale, their
opening receipts and journal entries (COPY, bench/shop_data.py), and 8 shopkeepers with an API
token each: 8 tills. gunicorn serves the app as in production (2 sync workers, `coopsaas_app`)
and each till posts `POST /api/v1/t/kopontren-al-hikmah/retail/sales` back to back: 5 distinct
items drawn at random, 1-3 units each, exact cash, a new Idempotency-Key per sale.

Baseline, same run: the same kind of sale through `coopsaas.retail.services.create_sale` in this
process, one after another, each in its own application context and transaction as a request
has it (tenant and user loaded, items looked up, commit). It is the work every sale must do
(locks, costing, sale and lines, journal entry, movements, audit) without HTTP, JSON, token
authentication, the idempotency store and the two workers' contention, so the ratio shows
what the delivery around the service costs. Raw inserts of the same rows were not chosen: they
would measure PostgreSQL alone, which the ledger and deposit benchmarks already report.

One till alone then sells too: its latency is the one without queueing. Afterwards the stock is
checked: on hand fell by exactly the units the answered sales sold. `--threads N` serves with
gthread workers of N threads instead of the Procfile's sync workers.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from typing import Any

os.environ.setdefault("COOPSAAS_BENCH_PG_DATABASE", "coopsaas_bench_pos")

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
from shop_data import load_shop, shop_ids

from coopsaas.core import pgsql
from coopsaas.core.clock import business_date
from coopsaas.core.money import format_rupiah

SLUG = "kopontren-al-hikmah"
TILLS = 8
LINES = 5


def stock_and_sales(tenant_id: uuid.UUID) -> tuple[Decimal, int, Decimal]:
    with psycopg.connect(url_for(pgsql.APP, driver=False)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant_id),))
        on_hand = conn.execute("SELECT sum(on_hand) FROM retail_item").fetchone()[0]
        count, total = conn.execute("SELECT count(*), coalesce(sum(total), 0) FROM retail_sale").fetchone()
    return Decimal(on_hand), count, Decimal(total)


def basket(rng: random.Random, items: list[uuid.UUID]) -> list[dict[str, str]]:
    return [{"item_id": str(i), "qty": str(rng.randint(1, 3))} for i in rng.sample(items, LINES)]


def service_sales(app: Any, tenant_id: uuid.UUID, user_id: uuid.UUID, baskets: list[Any]) -> list[float]:
    """Seconds per sale, each made as a request makes it: fresh context, tenant and user loaded,
    items looked up, `create_sale`, commit."""
    from coopsaas.auth.models import User
    from coopsaas.core.db import get_scoped, tenant_scope
    from coopsaas.extensions import db
    from coopsaas.retail.models import Item
    from coopsaas.retail.services import SaleLineData, create_sale
    from coopsaas.tenancy.models import Tenant

    times = []
    for lines in baskets:
        t0 = time.perf_counter()
        with app.app_context():
            tenant = db.session.get(Tenant, tenant_id)
            actor = db.session.get(User, user_id)
            with tenant_scope(db.session, tenant_id):
                data = [
                    SaleLineData(get_scoped(db.session, Item, uuid.UUID(ln["item_id"])), ln["qty"])
                    for ln in lines
                ]
                create_sale(tenant=tenant, actor=actor, lines=data, submit_key=uuid.uuid4().hex)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="2,000 items and 1,600 sales")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (default 1: sync workers)"
    )
    parser.add_argument("--items", type=int, help="items in the shop (default 200, full 2,000)")
    parser.add_argument("--sales", type=int, help="sales timed through the API (default 160, full 1,600)")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    opts = parser.parse_args()
    n_items = opts.items or (2_000 if opts.full else 200)
    n_sales = opts.sales or (1_600 if opts.full else 160)
    per_till = max(1, n_sales // TILLS)

    print(f"preparing PostgreSQL database {database_name()} ...", flush=True)
    app = fresh_app()
    sync_tenants(app)
    tokens = make_tokens(app, SLUG, "shopkeeper", TILLS)
    ids = shop_ids(app, SLUG)
    today = business_date()
    loaded = load_shop(
        ids,
        n_items=n_items,
        n_movements=n_items,
        first_day=today.replace(day=1),
        last_day=today,
        opening_qty=(1_000, 3_000),
    )
    items = loaded.items
    print(f"{n_items:,} items stocked ({format_rupiah(loaded.stock_value)})", flush=True)

    rng = random.Random(11)
    plan = [[basket(rng, items) for _ in range(per_till + 2)] for _ in range(TILLS)]
    n_solo = max(40, per_till // 2)
    plan.append([basket(rng, items) for _ in range(n_solo)])

    def sale(offset: int, only: int | None = None) -> Any:
        def make(c: int, i: int) -> Any:
            body = {"lines": plan[c if only is None else only][i + offset]}
            return ("POST", f"/api/v1/t/{SLUG}/retail/sales", body, bearer(tokens[c]))

        return make

    on_hand_before, _, _ = stock_and_sales(ids.tenant_id)
    with gunicorn(workers=2, threads=opts.threads) as port:
        warm = run_load(port, TILLS, 2, sale(per_till), 201, keep_bodies=True)
        load = run_load(port, TILLS, per_till, sale(0), 201, keep_bodies=True)
        busy = load_average()
        solo = run_load(port, 1, n_solo, sale(0, only=TILLS), 201, keep_bodies=True)
    for err in (warm.errors + load.errors + solo.errors)[:5]:
        print("  error:", err, file=sys.stderr)
    on_hand_after, n_sold, total_sold = stock_and_sales(ids.tenant_id)
    bodies = warm.bodies + load.bodies + solo.bodies
    units = sum(Decimal(ln["qty"]) for b in bodies for ln in b["lines"])
    answered = sum(Decimal(b["total"]) for b in bodies)
    ok = (
        n_sold == len(bodies)
        and on_hand_before - on_hand_after == units
        and total_sold == answered
        and all(len(b["lines"]) == LINES for b in bodies)
    )

    user_id = ids.user_id
    with app.app_context():
        from sqlalchemy import select

        from coopsaas.auth.models import User
        from coopsaas.extensions import db

        user_id = db.session.scalars(select(User.id).where(User.username == f"shopkeeper-{SLUG}-0")).one()
        db.session.commit()
    baskets = [basket(rng, items) for _ in range(max(40, n_sales // 4))]
    service_sales(app, ids.tenant_id, user_id, baskets[:10])  # warm the process
    times = service_sales(app, ids.tenant_id, user_id, baskets[10:])
    svc_rate = len(times) / sum(times)
    svc_p95 = statistics.quantiles(times, n=100, method="inclusive")[94]

    server = "sync" if opts.threads == 1 else f"gthread x {opts.threads}"
    print()
    print(
        f"{n_items:,} items, {TILLS} tills x {per_till} sales of {LINES} lines, gunicorn 2 {server} workers;"
        f" {load.ok:,} answered 201, {len(load.errors)} errors; {busy}"
    )
    print_table(
        ("figure", "measured", "baseline (same run)", "ratio"),
        [
            (
                f"POS sale via API, {TILLS} tills",
                f"{load.rate:,.1f} sales/s",
                f"{svc_rate:,.1f} sales/s (create_sale in-process, 1 client)",
                f"{load.rate / svc_rate:.0%}",
            ),
            (
                "POS sale latency p50",
                ms(load.percentile(50)),
                ms(statistics.median(times)) + " (in-process)",
                "",
            ),
            (
                "POS sale latency p95",
                ms(load.percentile(95)),
                ms(svc_p95) + " (in-process)",
                f"{load.percentile(95) / svc_p95:.1f}x",
            ),
            (
                "POS sale via API, 1 till",
                f"{solo.rate:,.1f} sales/s",
                f"p50 {ms(solo.percentile(50))}, p95 {ms(solo.percentile(95))}",
                "",
            ),
        ],
    )
    print(
        f"\ncheck: {'ok' if ok else 'FAILED'}: {n_sold} sales for {format_rupiah(total_sold, sen=True)};"
        f" on hand fell by {on_hand_before - on_hand_after:,.0f} units, the answers sold {units:,.0f}"
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
