"""General ledger benchmark: posting rate, trial balance at scale, history load.

Every figure is measured next to a baseline taken in the same run on the same database:

a) posting through `post_entry` (1 entry, 2 lines, own transaction, 1 client) against raw
   psycopg / sqlite3 inserting the same entry and lines, one transaction per entry;
b) the trial balance of one tenant holding 1,000,000 lines among 10,000,000 lines of 100
   tenants, every month but the current one closed, against a raw query reading the stored
   period balances plus the open month through a covering index;
c) the history load itself: the 10,000,000 lines written with COPY, in lines per second.

    python bench/ledger_bench.py [--scale 0.1] [--entries 2000] [--skip-sqlite]

It creates (and drops first) its own PostgreSQL database with `db-roles init`, as the tests do.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import struct
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopsaas.core import pgsql  # noqa: E402
from coopsaas.core.clock import business_date  # noqa: E402

ADMIN_URL = os.environ.get(
    "COOPSAAS_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASE = os.environ.get("COOPSAAS_BENCH_PG_DATABASE", "coopsaas_bench")
TENANTS = 100
ACCOUNTS = 40
MONTHS = 24
FULL_LINES = 10_000_000
FULL_TARGET_LINES = 1_000_000


def url_for(role: str, *, driver: bool = True) -> str:
    url = make_url(ADMIN_URL).set(username=role, password=None, database=DATABASE)
    if not driver:
        url = url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def prepare_database() -> None:
    from click.testing import CliRunner

    from coopsaas.cli import init_roles

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    admin.dispose()
    result = CliRunner().invoke(init_roles, ["--admin-url", ADMIN_URL, "--database", DATABASE])
    if result.exit_code != 0:
        raise SystemExit(f"db-roles init failed: {result.output} {result.exception}")


def make_app(db_url: str, binds: dict[str, str], migrate_url: str | None) -> Any:
    from flask_migrate import upgrade

    from coopsaas.app import create_app

    app = create_app(
        {
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SQLALCHEMY_BINDS": binds,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PASSWORD_METHOD": "pbkdf2:sha256:1000",
            "TENANTS_DIR": str(ROOT / "tenants"),
        }
    )
    if migrate_url:
        os.environ["COOPSAAS_MIGRATE_DATABASE_URL"] = migrate_url
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
    finally:
        os.environ.pop("COOPSAAS_MIGRATE_DATABASE_URL", None)
    return app


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm caches and the connection pool
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ---- a) posting ---------------------------------------------------------------------------------


def setup_posting_tenant(app: Any, slug: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    from coopsaas.auth.services import create_user, grant_role
    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.ledger.models import Account
    from coopsaas.tenancy.models import Tenant

    with app.app_context():
        tenant = Tenant(slug=slug, name=f"Bench {slug}", legal_form="ksp", chart_template="ksp", settings={})
        db.session.add(tenant)
        db.session.flush()
        user = create_user(username=f"akuntan-{slug}", full_name="Akuntan", password="rahasia123")
        grant_role(user=user, tenant=tenant, role="bookkeeper")
        db.session.commit()
        with tenant_scope(db.session, tenant.id):
            kas = Account(code="1101", name="Kas", type="asset", normal_side="D", tags=[], weights={})
            income = Account(
                code="4101", name="Pendapatan jasa", type="income", normal_side="K", tags=[], weights={}
            )
            db.session.add_all([kas, income])
            db.session.flush()
            ids = (tenant.id, user.id, kas.id, income.id)
        return ids


Poster = Callable[[int], float]  # posts n entries, returns the seconds it took


def service_poster(app: Any, ids: tuple[uuid.UUID, ...], *, transaction_only: bool = False) -> Poster:
    """Each entry posted the way a request does it: a fresh application context and session,
    the tenant and user loaded, one `tenant_scope` transaction.

    With `transaction_only` the clock runs only over that transaction (tenant in scope,
    `post_entry`, commit), the same span as the raw baseline's transaction; loading the tenant
    and the user is the caller's work (a request or a job has them already)."""
    from coopsaas.auth.models import User
    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.ledger import post_entry
    from coopsaas.ledger.posting import EntrySpec, LineSpec
    from coopsaas.tenancy.models import Tenant

    tenant_id, user_id, kas, income = ids
    amount = Decimal("125000.00")
    done = 0

    def post_one(i: int) -> float:
        with app.app_context():
            tenant = db.session.get(Tenant, tenant_id)
            actor = db.session.get(User, user_id)
            t0 = time.perf_counter()
            with tenant_scope(db.session, tenant_id):
                spec = EntrySpec(
                    entry_on=business_date(tenant.timezone),
                    memo=f"Setoran {i}",
                    lines=[LineSpec(kas, debit=amount), LineSpec(income, credit=amount)],
                )
                post_entry(tenant=tenant, actor=actor, spec=spec, idempotency_key=f"bench-{uuid.uuid4().hex}")
            return time.perf_counter() - t0

    def post(n: int) -> float:
        nonlocal done
        t0 = time.perf_counter()
        in_transaction = 0.0
        for i in range(done, done + n):
            in_transaction += post_one(i)
        done += n
        return in_transaction if transaction_only else time.perf_counter() - t0

    return post


def raw_pg_poster(conn: psycopg.Connection, ids: tuple[uuid.UUID, ...]) -> Poster:
    tenant_id, user_id, kas, income = ids
    day = business_date()
    done = 0

    def post(n: int) -> float:
        nonlocal done
        t0 = time.perf_counter()
        for i in range(done, done + n):
            with conn.transaction():
                conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))
                entry_id = uuid.uuid4()
                conn.execute(
                    "INSERT INTO journal_entry (tenant_id, id, voucher_no, series, entry_on, memo,"
                    " idempotency_key,"
                    " created_by_id, created_at) VALUES (%s, %s, %s, 'RAW', %s, %s, %s, %s, now())",
                    (
                        tenant_id,
                        entry_id,
                        f"RAW-{day.year}-{i + 1:06d}",
                        day,
                        f"Setoran {i}",
                        f"raw-{i}",
                        user_id,
                    ),
                )
                conn.execute(
                    "INSERT INTO journal_line (tenant_id, id, entry_id, entry_on, line_no, account_id,"
                    " debit, credit)"
                    " VALUES (%s, %s, %s, %s, 1, %s, 125000.00, 0), (%s, %s, %s, %s, 2, %s, 0, 125000.00)",
                    (
                        tenant_id,
                        uuid.uuid4(),
                        entry_id,
                        day,
                        kas,
                        tenant_id,
                        uuid.uuid4(),
                        entry_id,
                        day,
                        income,
                    ),
                )
        done += n
        return time.perf_counter() - t0

    return post


def post_raw_pg(ids: tuple[uuid.UUID, ...], n: int, *, warm_up: int = 20) -> float:
    """Entries per second of the raw inserts alone (for other benchmarks' baselines)."""
    with psycopg.connect(url_for(pgsql.APP, driver=False)) as conn:
        raw = raw_pg_poster(conn, ids)
        raw(warm_up)
        return n / raw(n)


def raw_sqlite_poster(conn: sqlite3.Connection, ids: tuple[uuid.UUID, ...]) -> Poster:
    tenant_id, user_id, kas, income = ids
    day = business_date().isoformat()
    done = 0

    def post(n: int) -> float:
        nonlocal done
        t0 = time.perf_counter()
        for i in range(done, done + n):
            conn.execute("BEGIN")
            entry_id = uuid.uuid4().hex
            now = datetime.now(UTC).isoformat(sep=" ")
            conn.execute(
                "INSERT INTO journal_entry (tenant_id, id, voucher_no, series, entry_on, memo,"
                " idempotency_key,"
                " created_by_id, created_at) VALUES (?, ?, ?, 'RAW', ?, ?, ?, ?, ?)",
                (
                    tenant_id.hex,
                    entry_id,
                    f"RAW-{day[:4]}-{i + 1:06d}",
                    day,
                    f"Setoran {i}",
                    f"raw-{i}",
                    user_id.hex,
                    now,
                ),
            )
            conn.executemany(
                "INSERT INTO journal_line (tenant_id, id, entry_id, entry_on, line_no, account_id,"
                " debit, credit)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (tenant_id.hex, uuid.uuid4().hex, entry_id, day, 1, kas.hex, 12_500_000, 0),
                    (tenant_id.hex, uuid.uuid4().hex, entry_id, day, 2, income.hex, 0, 12_500_000),
                ],
            )
            conn.execute("COMMIT")
        done += n
        return time.perf_counter() - t0

    return post


def compare_posting(
    service: Poster, raw: Poster, n: int, *, rounds: int = 10, warm_up: int = 20
) -> tuple[float, float]:
    """Entries per second of both, measured in alternating rounds of n / rounds entries, so that
    whatever else runs on the machine weighs on both alike."""
    service(warm_up)
    raw(warm_up)
    per_round = max(n // rounds, 1)
    t_service = t_raw = 0.0
    for _ in range(rounds):
        t_service += service(per_round)
        t_raw += raw(per_round)
    total = per_round * rounds
    return total / t_service, total / t_raw


# ---- b) and c) history, trial balance ---------------------------------------------------------


def fake_uuid(kind: int, tenant: int, n: int) -> str:
    # Deterministic and cheap: a history load writes millions of them.
    return f"{kind:08x}-{tenant:04x}-7000-8000-{n:012x}"


def month_list(today: date) -> list[tuple[int, int]]:
    y, m = today.year, today.month
    out = []
    for _ in range(MONTHS):
        out.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


def create_history_tenants(conn: psycopg.Connection, today: date) -> list[str]:
    tenant_ids = [fake_uuid(1, t, 0) for t in range(TENANTS)]
    with conn.cursor() as cur:
        for t, tid in enumerate(tenant_ids):
            cur.execute(
                "INSERT INTO tenant (id, slug, name, legal_form, timezone, chart_template, settings,"
                " is_active, created_at, updated_at)"
                " VALUES (%s, %s, %s, 'ksp', 'Asia/Jakarta', 'ksp', '{}', true, now(), now())",
                (tid, f"hist-{t:03d}", f"Koperasi sejarah {t:03d}"),
            )
            for a in range(ACCOUNTS):
                type_, side = (
                    ("asset", "D"),
                    ("liability", "K"),
                    ("equity", "K"),
                    ("income", "K"),
                    ("expense", "D"),
                )[a % 5]
                cur.execute(
                    "INSERT INTO account (tenant_id, id, code, name, type, normal_side, is_contra, tags,"
                    " weights,"
                    " is_active) VALUES (%s, %s, %s, %s, %s, %s, false, '[]', '{}', true)",
                    (tid, fake_uuid(2, t, a), f"{1000 + a}", f"Akun {a}", type_, side),
                )
    conn.commit()
    return tenant_ids


def history_rows(
    t: int, lines: int, months: list[tuple[int, int]], rng: random.Random
) -> Iterator[tuple[bytes, bytes, int]]:
    """(entry rows, line rows, number of lines) in COPY's binary format, in chunks; two lines per entry.

    Binary rows cost the server no parsing of uuids, dates and amounts; they are made here,
    outside the timed COPY, as an export file would be."""
    tid = fake_uuid_bytes(1, t, 0)
    account_ids = [fake_uuid_bytes(2, t, a) for a in range(ACCOUNTS)]
    entries = lines // 2
    per_month = entries / len(months)
    e_buf, l_buf = [COPY_HEADER], [COPY_HEADER]
    pack_entry = struct.Struct("!hi16si16si15si2si4si").pack
    pack_line_head = struct.Struct("!hi16si16si16si4si4si16si").pack
    month_days = {ym: date(ym[0], ym[1], 1).toordinal() - PG_EPOCH for ym in months}
    zero = numeric_binary(0)
    for n in range(entries):
        y, m = months[min(int(n / per_month), len(months) - 1)]
        first = month_days[(y, m)]
        day = struct.pack("!i", first + n % 28)
        eid = fake_uuid_bytes(3, t, n)
        a, b = rng.sample(range(ACCOUNTS), 2)
        amount = numeric_binary(rng.randint(1, 50_000_000) * 100 + rng.randint(0, 99))
        memo = f"Entri {n}".encode()
        e_buf.append(
            pack_entry(7, 16, tid, 16, eid, 15, f"JU-{y}-{n + 1:07d}".encode(), 2, b"JU", 4, day, len(memo))
            + memo
            + struct.pack("!iq", 8, first * 86_400_000_000)
        )
        sides = ((1, account_ids[a], amount, zero), (2, account_ids[b], zero, amount))
        for no, account, debit, credit in sides:
            l_buf.append(
                pack_line_head(
                    8,
                    16,
                    tid,
                    16,
                    fake_uuid_bytes(4, t, 2 * n + no - 1),
                    16,
                    eid,
                    4,
                    day,
                    4,
                    struct.pack("!i", no),
                    16,
                    account,
                    len(debit),
                )
                + debit
                + struct.pack("!i", len(credit))
                + credit
            )
        if n % 50_000 == 49_999:
            yield b"".join([*e_buf, COPY_TRAILER]), b"".join([*l_buf, COPY_TRAILER]), len(l_buf) - 1
            e_buf, l_buf = [COPY_HEADER], [COPY_HEADER]
    yield b"".join([*e_buf, COPY_TRAILER]), b"".join([*l_buf, COPY_TRAILER]), len(l_buf) - 1


COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = struct.pack("!h", -1)
PG_EPOCH = date(2000, 1, 1).toordinal()


def fake_uuid_bytes(kind: int, tenant: int, n: int) -> bytes:
    """The 16 bytes of `fake_uuid(kind, tenant, n)`."""
    return kind.to_bytes(4, "big") + tenant.to_bytes(2, "big") + b"\x70\x00\x80\x00" + n.to_bytes(6, "big")


def numeric_binary(sen: int) -> bytes:
    """A non-negative amount of `sen` as PostgreSQL's binary NUMERIC (base-10000 digit groups,
    scale 2)."""
    whole, frac = divmod(sen, 100)
    groups: list[int] = []
    while whole:
        whole, g = divmod(whole, 10_000)
        groups.append(g)
    groups.reverse()
    weight = len(groups) - 1
    if frac:
        groups.append(frac * 100)
    while groups and groups[-1] == 0:
        groups.pop()
    return struct.pack(f"!hhhh{len(groups)}h", len(groups), weight if groups else 0, 0, 2, *groups)


def load_history(scale: float, today: date) -> dict[str, float]:
    """COPY the history as the superuser with triggers off (the rows are balanced by
    construction; the balance check would otherwise run once per line at commit)."""
    months = month_list(today)
    rng = random.Random(20261125)
    total_lines = int(FULL_LINES * scale)
    target_lines = int(FULL_TARGET_LINES * scale)
    others = (total_lines - target_lines) // (TENANTS - 1)
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        create_history_tenants(conn, today)
        conn.execute("SET session_replication_role = replica")
        copy_seconds = line_seconds = 0.0
        lines_written = 0
        for t in range(TENANTS):
            lines = target_lines if t == 0 else others
            for entries_data, lines_data, lines_rows in history_rows(t, lines, months, rng):
                t0 = time.perf_counter()
                with conn.cursor() as cur:
                    with cur.copy(
                        "COPY journal_entry (tenant_id, id, voucher_no, series, entry_on, memo, created_at)"
                        " FROM STDIN (FORMAT BINARY)"
                    ) as cp:
                        cp.write(entries_data)
                    t1 = time.perf_counter()
                    with cur.copy(
                        "COPY journal_line (tenant_id, id, entry_id, entry_on, line_no, account_id, debit,"
                        " credit) FROM STDIN (FORMAT BINARY)"
                    ) as cp:
                        cp.write(lines_data)
                conn.commit()
                t2 = time.perf_counter()
                copy_seconds += t2 - t0
                line_seconds += t2 - t1
                lines_written += lines_rows
        conn.execute("SET session_replication_role = origin")
        t0 = time.perf_counter()
        close_history(conn, months[:-1])
        close_seconds = time.perf_counter() - t0
        conn.commit()
    return {
        "lines": lines_written,
        "copy_seconds": copy_seconds,
        "line_seconds": line_seconds,
        "close_seconds": close_seconds,
    }


def close_history(conn: psycopg.Connection, closed: list[tuple[int, int]]) -> None:
    """What closing every past month would have stored: closed periods and, per account and
    month, movements and the running closing balance (signed debit minus credit)."""
    last_y, last_m = closed[-1]
    end = date(last_y + (last_m == 12), last_m % 12 + 1, 1)
    conn.execute("CREATE TEMP TABLE bench_months (year int, month int)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO bench_months VALUES (%s, %s)", closed)
    conn.execute(
        "INSERT INTO fiscal_period (tenant_id, id, year, month, status, closed_at)"
        " SELECT t.id, gen_random_uuid(), m.year, m.month, 'closed', now()"
        " FROM tenant t CROSS JOIN bench_months m WHERE t.slug LIKE 'hist-%'"
    )
    conn.execute(
        "INSERT INTO account_period_balance (tenant_id, id, account_id, year, month, debit_total,"
        " credit_total,"
        " closing_balance)"
        " SELECT a.tenant_id, gen_random_uuid(), a.id, m.year, m.month, coalesce(s.d, 0), coalesce(s.c, 0),"
        "   sum(coalesce(s.d, 0) - coalesce(s.c, 0))"
        "     OVER (PARTITION BY a.tenant_id, a.id ORDER BY m.year, m.month)"
        " FROM account a JOIN tenant t ON t.id = a.tenant_id AND t.slug LIKE 'hist-%%'"
        " CROSS JOIN bench_months m"
        " LEFT JOIN (SELECT tenant_id, account_id, extract(year FROM entry_on)::int AS y,"
        "            extract(month FROM entry_on)::int AS mo, sum(debit) AS d, sum(credit) AS c"
        "            FROM journal_line WHERE entry_on < %s GROUP BY 1, 2, 3, 4) s"
        "   ON s.tenant_id = a.tenant_id AND s.account_id = a.id AND s.y = m.year AND s.mo = m.month",
        (end,),
    )


RAW_TB = """
WITH base AS (
    SELECT account_id, closing_balance FROM account_period_balance
     WHERE tenant_id = %(t)s AND year = %(y)s AND month = %(m)s),
tail AS (
    SELECT account_id, sum(debit) - sum(credit) AS net FROM journal_line
     WHERE tenant_id = %(t)s AND entry_on >= %(start)s AND entry_on <= %(end)s GROUP BY account_id)
SELECT a.code, a.name, coalesce(b.closing_balance, 0) + coalesce(t.net, 0) AS net
  FROM account a LEFT JOIN base b ON b.account_id = a.id LEFT JOIN tail t ON t.account_id = a.id
 WHERE a.tenant_id = %(t)s ORDER BY a.code
"""


def time_trial_balances(app: Any, today: date, repeat: int) -> dict[str, Any]:
    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.ledger import trial_balance
    from coopsaas.tenancy.models import Tenant

    tid = uuid.UUID(fake_uuid(1, 0, 0))
    out: dict[str, Any] = {}
    with app.app_context():
        tenant = db.session.get(Tenant, tid)
        db.session.commit()

        def app_tb() -> Any:
            with tenant_scope(db.session, tid):
                return trial_balance(tenant, as_of=today)

        out["app_seconds"] = median_time(app_tb, repeat)
        tb = app_tb()
        out["app_total"] = tb.total_debit
        out["balanced"] = tb.is_balanced
    prev = month_list(today)[-2]
    args = {"t": tid, "y": prev[0], "m": prev[1], "start": today.replace(day=1), "end": today}
    with psycopg.connect(url_for(pgsql.APP, driver=False)) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tid),))

        def raw_tb() -> Any:
            return conn.execute(RAW_TB, args).fetchall()

        out["raw_seconds"] = median_time(raw_tb, repeat)
        rows = raw_tb()
        out["raw_total"] = sum((r[2] for r in rows if r[2] > 0), Decimal("0"))
    return out


def add_covering_index() -> float:
    t0 = time.perf_counter()
    with psycopg.connect(url_for("postgres", driver=False), autocommit=True) as conn:
        conn.execute(
            "CREATE INDEX IF NOT EXISTS bench_journal_line_covering ON journal_line"
            " (tenant_id, entry_on) INCLUDE (account_id, debit, credit)"
        )
        conn.execute("VACUUM ANALYZE journal_line")
        conn.execute("VACUUM ANALYZE account_period_balance")
    return time.perf_counter() - t0


def vacuum_all() -> None:
    with psycopg.connect(url_for("postgres", driver=False), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# ---- report -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the 10M-line history (default 1)"
    )
    parser.add_argument("--entries", type=int, default=1000, help="entries posted in the posting figures")
    parser.add_argument("--repeat", type=int, default=20, help="trial balance runs (the median is shown)")
    parser.add_argument("--skip-sqlite", action="store_true")
    opts = parser.parse_args()
    rows: list[tuple[str, str, str, str, str]] = []

    print(f"preparing PostgreSQL database {DATABASE} ...", flush=True)
    prepare_database()
    app = make_app(url_for(pgsql.APP), {"agency": url_for(pgsql.AGENCY)}, url_for(pgsql.OWNER))

    ids = setup_posting_tenant(app, "bench-post")
    with psycopg.connect(url_for(pgsql.APP, driver=False)) as raw_conn:
        raw_poster = raw_pg_poster(raw_conn, ids)
        in_transaction = service_poster(app, ids, transaction_only=True)
        service, raw = compare_posting(in_transaction, raw_poster, opts.entries)
        request, raw_again = compare_posting(service_poster(app, ids), raw_poster, opts.entries)
    rows.append(
        (
            "posting, PostgreSQL",
            f"{service:,.0f} entries/s",
            f"{raw:,.0f} entries/s (raw psycopg)",
            f"{service / raw:.0%}",
            ">= 50%",
        )
    )
    rows.append(
        (
            "  the same as a request",
            f"{request:,.0f} entries/s",
            f"{raw_again:,.0f} entries/s (raw psycopg)",
            f"{request / raw_again:.0%}",
            "(+ tenant, user)",
        )
    )

    if not opts.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.db"
            sqlite_app = make_app(f"sqlite:///{path}", {}, None)
            s_ids = setup_posting_tenant(sqlite_app, "bench-post")
            raw_sqlite = sqlite3.connect(path, isolation_level=None)
            raw_sqlite.execute("PRAGMA foreign_keys=ON")
            raw_sqlite.execute("PRAGMA busy_timeout=30000")
            raw_sqlite.execute("PRAGMA journal_mode=WAL")
            s_service, s_raw = compare_posting(
                service_poster(sqlite_app, s_ids), raw_sqlite_poster(raw_sqlite, s_ids), opts.entries
            )
            raw_sqlite.close()
            with sqlite_app.app_context():
                from coopsaas.extensions import db

                db.engine.dispose()
        rows.append(
            (
                "posting, SQLite",
                f"{s_service:,.0f} entries/s",
                f"{s_raw:,.0f} entries/s (raw sqlite3)",
                f"{s_service / s_raw:.0%}",
                ">= 50%",
            )
        )

    today = business_date()
    print(f"loading history at scale {opts.scale} ...", flush=True)
    load = load_history(opts.scale, today)
    vacuum_all()
    rows.append(
        (
            "history load, COPY of lines",
            f"{load['lines'] / load['line_seconds']:,.0f} lines/s",
            f"{load['lines']:,} lines in {load['line_seconds']:.1f} s",
            "",
            ">= 100,000/s",
        )
    )
    rows.append(
        (
            "history load, entries + lines",
            f"{load['lines'] / load['copy_seconds']:,.0f} lines/s",
            f"{load['lines'] // 2:,} entries too, {load['copy_seconds']:.1f} s",
            "",
            "",
        )
    )
    rows.append(
        ("storing closed-month balances", f"{load['close_seconds']:.1f} s", "one SQL statement", "", "")
    )

    plain = time_trial_balances(app, today, opts.repeat)
    rows.append(
        (
            "trial balance, core indexes",
            f"{plain['app_seconds'] * 1000:.1f} ms",
            f"{plain['raw_seconds'] * 1000:.1f} ms (raw SQL)",
            f"{plain['app_seconds'] / plain['raw_seconds']:.2f}x",
            "< 50 ms, <= 2x",
        )
    )
    index_seconds = add_covering_index()
    covered = time_trial_balances(app, today, opts.repeat)
    rows.append(
        (
            "trial balance, covering index",
            f"{covered['app_seconds'] * 1000:.1f} ms",
            f"{covered['raw_seconds'] * 1000:.1f} ms (raw SQL)",
            f"{covered['app_seconds'] / covered['raw_seconds']:.2f}x",
            "< 50 ms, <= 2x",
        )
    )
    if covered["app_total"] != covered["raw_total"] or not covered["balanced"]:
        print(
            f"WARNING: totals differ: app {covered['app_total']} raw {covered['raw_total']}", file=sys.stderr
        )

    widths = [
        max(len(r[i]) for r in [("figure", "measured", "baseline (same run)", "ratio", "target"), *rows])
        for i in range(5)
    ]
    header = ("figure", "measured", "baseline (same run)", "ratio", "target")
    print()
    print(
        f"scale {opts.scale}: {load['lines']:,} history lines, {TENANTS} tenants; "
        f"posting {opts.entries} entries; covering index built in {index_seconds:.1f} s"
    )
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(f"trial balance total (debit column): {covered['app_total']}")


if __name__ == "__main__":
    main()
