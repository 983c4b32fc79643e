"""Stock value report over 20,000 items and 2,000,000 stock movements in one tenant, against
raw SQL computing the same figures over the same rows.

    python bench/stock_value_bench.py            # quick: 2,000 items, 200,000 movements
    python bench/stock_value_bench.py --full     # 20,000 items, 2,000,000 movements

The cooperatives of tenants/ are synced into a fresh database (`coopsaas_bench_stock`); the shop
of Kopontren Al-Hikmah gets the items, a year of movements (receipts and sales, up to today) and
their journal entries, written with COPY (bench/shop_data.py): about 2,400,000 journal lines, one
on the inventory account 1401 per movement. Then, as the application role (RLS on), median of
`--repeat` runs:

a) `coopsaas.retail.services.stock_value(tenant)`: every item in stock with its value, the total
   and the inventory account's balance;
b) `GET /api/v1/t/<slug>/retail/stock-value`, the whole report as JSON (in-process test client,
   API token);
c) baseline: raw SQL giving the same figures (the items in stock by name, their total, the
   account's balance from its stored closing balance plus the lines after it).

Timed twice: with the books open (no month closed: the balance sums every 1401 line) and with
every month before the current one closed (what `close_period` stores: one balance per account
and month). Target: under 1 s. The totals must agree with each other and with the sum of all
movements' values (also timed, for information).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

os.environ.setdefault("COOPSAAS_BENCH_PG_DATABASE", "coopsaas_bench_stock")

import psycopg
from http_harness import (
    database_name,
    drop_database,
    fresh_app,
    load_average,
    make_tokens,
    ms,
    print_table,
    sync_tenants,
    url_for,
)
from shop_data import load_shop, shop_ids

from coopsaas.core import pgsql
from coopsaas.core.clock import business_date
from coopsaas.core.money import format_rupiah

SLUG = "kopontren-al-hikmah"

RAW_REPORT = """
SELECT sku, name, unit, on_hand, avg_cost, stock_value FROM retail_item
 WHERE tenant_id = %(t)s AND (on_hand <> 0 OR stock_value <> 0) ORDER BY name, sku
"""
RAW_TOTAL = "SELECT coalesce(sum(stock_value), 0) FROM retail_item WHERE tenant_id = %(t)s"
RAW_CONTROL = """
SELECT coalesce((SELECT closing_balance FROM account_period_balance
                  WHERE tenant_id = %(t)s AND account_id = %(a)s
                  ORDER BY year DESC, month DESC LIMIT 1), 0)
     + coalesce((SELECT sum(debit) - sum(credit) FROM journal_line
                  WHERE tenant_id = %(t)s AND account_id = %(a)s AND entry_on >= %(start)s
                    AND entry_on <= %(end)s), 0)
"""
RAW_MOVEMENTS = "SELECT coalesce(sum(value), 0) FROM retail_stock_movement WHERE tenant_id = %(t)s"


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    out = fn()  # warm the caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def close_months(tenant_id: uuid.UUID, today: date) -> int:
    """Close every month with lines before the current one, storing each account's movements and
    running closing balance per month, as `close_period` does. Returns the months closed."""
    first = today.replace(day=1)
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        (start,) = conn.execute(
            "SELECT min(entry_on) FROM journal_line WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()
        months = []
        y, m = start.year, start.month
        while date(y, m, 1) < first:
            months.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        conn.execute("CREATE TEMP TABLE bench_months (year int, month int)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO bench_months VALUES (%s, %s)", months)
        conn.execute(
            "INSERT INTO fiscal_period (tenant_id, id, year, month, status, closed_at)"
            " SELECT %s, gen_random_uuid(), year, month, 'closed', now() FROM bench_months",
            (tenant_id,),
        )
        conn.execute(
            "INSERT INTO account_period_balance (tenant_id, id, account_id, year, month, debit_total,"
            " credit_total, closing_balance)"
            " SELECT a.tenant_id, gen_random_uuid(), a.id, m.year, m.month,"
            "   coalesce(s.d, 0), coalesce(s.c, 0),"
            "   sum(coalesce(s.d, 0) - coalesce(s.c, 0))"
            "     OVER (PARTITION BY a.id ORDER BY m.year, m.month)"
            " FROM account a CROSS JOIN bench_months m"
            " LEFT JOIN (SELECT account_id, extract(year FROM entry_on)::int AS y,"
            "            extract(month FROM entry_on)::int AS mo, sum(debit) AS d, sum(credit) AS c"
            "            FROM journal_line WHERE tenant_id = %(t)s AND entry_on < %(end)s"
            "            GROUP BY 1, 2, 3) s"
            "   ON s.account_id = a.id AND s.y = m.year AND s.mo = m.month"
            " WHERE a.tenant_id = %(t)s",
            {"t": tenant_id, "end": first},
        )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE fiscal_period")
        conn.execute("VACUUM ANALYZE account_period_balance")
    return len(months)


def measure(app: Any, client: Any, ids: Any, today: date, repeat: int, base: date | None) -> dict[str, Any]:
    from sqlalchemy import func, or_, select

    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.ledger import balance_of
    from coopsaas.retail.models import Item
    from coopsaas.retail.services import shop_account, stock_value
    from coopsaas.tenancy.models import Tenant

    out: dict[str, Any] = {}
    with app.app_context():
        tenant = db.session.get(Tenant, ids.tenant_id)
        db.session.commit()

        def service() -> Any:
            with tenant_scope(db.session, ids.tenant_id):
                report = stock_value(tenant)
                db.session.rollback()
                return report

        out["service"], report = median_time(service, repeat)

        def whole_items() -> Any:
            # The same report built from whole `Item` objects and a separate SUM, for comparison.
            with tenant_scope(db.session, ids.tenant_id):
                items = list(
                    db.session.scalars(
                        select(Item)
                        .where(or_(Item.on_hand != 0, Item.stock_value != 0))
                        .order_by(Item.name, Item.sku)
                    )
                )
                total = db.session.scalar(select(func.sum(Item.stock_value)))
                control = balance_of(shop_account("persediaan"), None)
                db.session.rollback()
                return items, total, control

        out["items"], _ = median_time(whole_items, repeat)
        out["rows"] = len(report.rows)
        out["total"], out["control"] = report.total, report.control_balance

    path = f"/api/v1/t/{SLUG}/retail/stock-value"

    def api() -> Any:
        resp = client.get(path)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        return resp.get_json()

    out["api"], body = median_time(api, repeat)
    out["api_items"], out["api_total"] = len(body["items"]), Decimal(body["total"])
    out["api_bytes"] = len(client.get(path).get_data())

    args = {
        "t": ids.tenant_id,
        "a": ids.accounts["persediaan"],
        "start": base or date(1900, 1, 1),
        "end": today,
    }
    with psycopg.connect(url_for(pgsql.APP, driver=False)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(ids.tenant_id),))

        def raw() -> Any:
            rows = conn.execute(RAW_REPORT, args).fetchall()
            (total,) = conn.execute(RAW_TOTAL, args).fetchone()
            (control,) = conn.execute(RAW_CONTROL, args).fetchone()
            return rows, total, control

        out["raw"], (rows, total, control) = median_time(raw, repeat)
        out["raw_rows"], out["raw_total"], out["raw_control"] = len(rows), total, control
        t0 = time.perf_counter()
        (out["movements_total"],) = conn.execute(RAW_MOVEMENTS, args).fetchone()
        out["movements_seconds"] = time.perf_counter() - t0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="20,000 items and 2,000,000 movements")
    parser.add_argument("--items", type=int, help="items (default 2,000, full 20,000)")
    parser.add_argument("--movements", type=int, help="stock movements (default 200,000, full 2,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each figure (the median is shown)")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    opts = parser.parse_args()
    n_items = opts.items or (20_000 if opts.full else 2_000)
    n_moves = opts.movements or (2_000_000 if opts.full else 200_000)

    print(f"preparing PostgreSQL database {database_name()} ...", flush=True)
    app = fresh_app()
    sync_tenants(app)
    (token,) = make_tokens(app, SLUG, "shopkeeper", 1)
    ids = shop_ids(app, SLUG)
    today = business_date()
    print(f"generating {n_items:,} items and {n_moves:,} movements ...", flush=True)
    t0 = time.perf_counter()
    loaded = load_shop(
        ids, n_items=n_items, n_movements=n_moves, first_day=today - timedelta(days=364), last_day=today
    )
    print(
        f"loaded {loaded.movements:,} movements, {loaded.entries:,} entries, {loaded.lines:,} lines:"
        f" COPY {loaded.seconds:.1f} s ({loaded.movements / loaded.seconds:,.0f} movements/s),"
        f" {time.perf_counter() - t0:.1f} s with generating and VACUUM",
        flush=True,
    )

    from flask.testing import FlaskClient

    class Client(FlaskClient):
        """Each request in its own application context, as under a server."""

        def open(self, *args: Any, **kwargs: Any) -> Any:
            with self.application.app_context():
                return super().open(*args, **kwargs)

    client = Client(app, app.response_class, use_cookies=False)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    open_books = measure(app, client, ids, today, opts.repeat, None)
    closed = close_months(ids.tenant_id, today)
    closed_books = measure(app, client, ids, today, opts.repeat, today.replace(day=1))

    rows = []
    for label, r in (("books open", open_books), (f"{closed} months closed", closed_books)):
        rows.append(
            (
                f"stock value, service, {label}",
                ms(r["service"]),
                f"{ms(r['raw'])} (raw SQL)",
                f"{r['service'] / r['raw']:.1f}x",
                "< 1 s",
                "yes" if r["service"] < 1 else "no",
            )
        )
        rows.append(
            (
                f"same, rows as whole Item objects, {label}",
                ms(r["items"]),
                f"{ms(r['raw'])} (raw SQL)",
                f"{r['items'] / r['raw']:.1f}x",
                "",
                "",
            )
        )
        rows.append(
            (
                f"stock value, API JSON ({r['api_bytes'] / 1e6:.1f} MB), {label}",
                ms(r["api"]),
                f"{ms(r['raw'])} (raw SQL)",
                f"{r['api'] / r['raw']:.1f}x",
                "< 1 s",
                "yes" if r["api"] < 1 else "no",
            )
        )
    print()
    print(
        f"{n_items:,} items ({open_books['rows']:,} in stock), {loaded.movements:,} movements,"
        f" {loaded.lines:,} journal lines; median of {opts.repeat}; {load_average()}"
    )
    print_table(("figure", "measured", "baseline (same run)", "ratio", "target", "met"), rows)
    figures = {
        open_books["total"], open_books["control"], open_books["api_total"], open_books["raw_total"],
        open_books["raw_control"], open_books["movements_total"], closed_books["total"],
        closed_books["control"], closed_books["raw_control"], loaded.stock_value,
    }
    counts = {open_books["rows"], open_books["api_items"], open_books["raw_rows"], closed_books["rows"]}
    ok = len(figures) == 1 and len(counts) == 1
    print(
        f"\ncheck: {'ok' if ok else 'FAILED'}: stock value {format_rupiah(open_books['total'], sen=True)},"
        f" inventory account {format_rupiah(closed_books['control'], sen=True)}, sum of all movements"
        f" {format_rupiah(Decimal(open_books['movements_total']), sen=True)}"
        f" ({ms(open_books['movements_seconds'])} over {loaded.movements:,} rows)"
    )
    if not ok:
        print(f"  figures: {sorted(figures)}; rows: {sorted(counts)}", file=sys.stderr)
    if not opts.keep_db:
        with app.app_context():
            from coopsaas.extensions import db

            db.engine.dispose()
        drop_database()
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
