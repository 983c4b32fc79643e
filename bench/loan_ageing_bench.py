"""Loan ageing benchmark: the daily ageing and loss-reserve job over 100,000 active loans in one
tenant on PostgreSQL, against a set-based SQL computation of the same days past due; and the time to
generate a 60-month schedule with each method.

    python bench/loan_ageing_bench.py [--scale 0.1] [--schedules 200]

The book (members, loans of 12 monthly FLAT instalments disbursed over the eleven months before
the ageing date, and their instalments) is written with COPY as the superuser. Most loans pay every
instalment due; one in five stopped paying 1 to 11 months before the ageing date, and one in fifty
is 13 to 15 months old and was never repaid, so every class has loans. Then, over the same rows:

a) `coopsaas.loans.ageing.age_loans` as the application role (RLS on): the late penalties accrued
   since the previous run summed (they are not written: the next repayment charges them), days
   past due and class written on the loans whose figures change, the reserve computed and one
   adjustment entry posted, committed;
b) one SQL statement computing every loan's days past due and class and the outstanding per class,
   read only; and one UPDATE writing the same days past due and class onto every loan (rolled back).

The loans per class of both are printed and must agree. The database is its own
(`coopsaas_bench_loans`, dropped and created again, roles by `db-roles init`).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("COOPSAAS_BENCH_PG_DATABASE", "coopsaas_bench_loans")

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ledger_bench import make_app, prepare_database, url_for  # noqa: E402

from coopsaas.core import pgsql  # noqa: E402

FULL_LOANS = 100_000
TERM = 12
PRINCIPAL = Decimal("6000000.00")
PRINCIPAL_PART = Decimal("500000.00")
INTEREST_PART = Decimal("90000.00")  # FLAT 1.5 % a month
AS_OF = date(2026, 11, 20)
# What a loan keeps of its product: the late penalty, 0.1 % of the overdue instalment a day after 3 days.
TERMS = '{"penalty_rate_pct": "0.1", "penalty_per": "DAY", "penalty_grace_days": 3}'
PRODUCT = {
    "code": "PINJ-UMUM",
    "name": "Pinjaman Umum Anggota",
    "method": "FLAT",
    "rate_pa": None,
    "rate_pm": "1.5",
    "min_amount": "1000000.00",
    "max_amount": "50000000.00",
    "min_term_months": 6,
    "max_term_months": 36,
    "provision_pct": "0",
    "admin_fee": "0.00",
    "allocation_order": "DENDA_BUNGA_POKOK",
    "denda_rate_pd": "0.1",
    "denda_grace_days": 3,
    "collectibility_profile": None,
}


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


def setup_tenant(app: Any) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """Tenant, chart (1201, 1209, 4101, 4104, 6104, 1101) and the product from the tenant settings."""
    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.ledger.models import Account
    from coopsaas.loans.products import ensure_products
    from coopsaas.tenancy.models import Tenant

    with app.app_context():
        tenant = Tenant(
            slug="bench-loans",
            name="KSP Bench Pinjaman",
            legal_form="ksp",
            chart_template="ksp",
            settings={"loan_products": [PRODUCT], "collectibility_profile": "KOPERASI_BULANAN"},
        )
        db.session.add(tenant)
        db.session.commit()
        with tenant_scope(db.session, tenant.id):
            accounts = {}
            for code, name, type_, side, tags, contra in [
                ("1101", "Kas", "asset", "D", ["kas"], False),
                (
                    "1201",
                    "Piutang pinjaman anggota",
                    "asset",
                    "D",
                    ["pinjaman", "piutang_pinjaman_anggota"],
                    False,
                ),
                ("1209", "Cadangan kerugian pinjaman", "asset", "K", ["cadangan_risiko", "ppap"], True),
                (
                    "4101",
                    "Pendapatan jasa pinjaman",
                    "income",
                    "K",
                    ["pendapatan_jasa_pinjaman_anggota"],
                    False,
                ),
                ("4104", "Pendapatan denda pinjaman", "income", "K", ["pendapatan_denda"], False),
                ("6104", "Beban penyisihan kerugian pinjaman", "expense", "D", ["beban_penyisihan"], False),
            ]:
                accounts[code] = Account(
                    code=code,
                    name=name,
                    type=type_,
                    normal_side=side,
                    is_contra=contra,
                    tags=tags,
                    weights={},
                )
                db.session.add(accounts[code])
            db.session.flush()
            product = ensure_products(tenant)["PINJ-UMUM"]
            ids = (tenant.id, product.id, accounts["1201"].id)
        return ids


def load_book(
    tenant_id: uuid.UUID, product_id: uuid.UUID, receivable_id: uuid.UUID, scale: float
) -> tuple[int, int, float]:
    """COPY members, loans and instalments. Returns (loans, instalments, seconds)."""
    rng = random.Random(20261120)
    n_loans = int(FULL_LOANS * scale)
    now = datetime.now(UTC).isoformat()
    entry_id = uuid.uuid4()
    members, applications, loans, rows = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
    n_rows = 0
    zero = "0.00"
    for i in range(n_loans):
        member_id, loan_id, application_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        members.write(
            f"{tenant_id}\t{member_id}\tA-{i:06d}\t3578011703{i:06d}\tAnggota {i}\t-\t2025-01-05\t"
            f"anggota\tactive\t{now}\n"
        )
        back = rng.randint(1, 11) if rng.random() < 0.98 else rng.randint(13, 15)
        disbursed = add_months(AS_OF, -back).replace(day=rng.randint(1, 28))
        if back > 11:  # an old loan never repaid: macet
            stop = disbursed
        elif rng.random() < 0.2:
            stop = add_months(AS_OF, -rng.randint(1, back))
        else:
            stop = AS_OF
        paid_principal = Decimal(0)
        for no in range(1, TERM + 1):
            due = add_months(disbursed, no)
            paid = due < stop and due <= AS_OF
            if paid:
                paid_principal += PRINCIPAL_PART
            p_paid = str(PRINCIPAL_PART) if paid else zero
            i_paid = str(INTEREST_PART) if paid else zero
            balance = PRINCIPAL - PRINCIPAL_PART * no
            rows.write(
                f"{tenant_id}\t{uuid.uuid4()}\t{loan_id}\t{no}\t{due}\t{PRINCIPAL_PART}\t{INTEREST_PART}\t"
                f"{balance}\t{p_paid}\t{i_paid}\t{zero}\t{zero}\t{zero}\n"
            )
            n_rows += 1
        maturity = add_months(disbursed, TERM)
        applications.write(
            f"{tenant_id}\t{application_id}\tPM-{i + 1:06d}\t{member_id}\t{product_id}\t{PRINCIPAL}\t{TERM}\t"
            f"Modal usaha\t\t\t{{}}\t{zero}\t{zero}\tdisbursed\t{disbursed}\t\t{now}\n"
        )
        loans.write(
            f"{tenant_id}\t{loan_id}\tPJ-{i + 1:06d}\t{application_id}\t{member_id}\t{product_id}\tt\t"
            f"{receivable_id}\t"
            f"{PRINCIPAL}\t{TERM}\t1\tFLAT\trate_pm\t1.5\t{TERMS}\t{zero}\t{zero}\tdeducted\t{PRINCIPAL}\tcash\t"
            f"{disbursed}\t{maturity}\t{PRINCIPAL_PART + INTEREST_PART}\t{INTEREST_PART * TERM}\t"
            f"{PRINCIPAL - paid_principal}\tactive\t\t\t{entry_id}\t{now}\n"
        )
    t0 = time.perf_counter()
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        conn.execute("SET session_replication_role = replica")  # rows consistent by construction
        conn.execute(
            "INSERT INTO journal_entry (tenant_id, id, voucher_no, series, entry_on, memo, created_at)"
            " VALUES (%s, %s, 'SA-2025-000001', 'SA', '2025-12-01', 'saldo awal bench', now())",
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
                    "COPY loan_application (tenant_id, id, application_no, member_id, product_id, amount,"
                    " term_months, purpose, collateral, guarantor, terms, admin_fee, provision_fee, status,"
                    " applied_on, decision_reason, created_at) FROM STDIN",
                    applications,
                ),
                (
                    "COPY loan (tenant_id, id, loan_no, application_id, member_id, product_id,"
                    " is_member_borrower, receivable_account_id, principal, term_months, period_months,"
                    " method, rate_basis, rate, terms, admin_fee, provision_fee, fee_collection,"
                    " net_disbursed, channel, disbursed_on, maturity_on, regular_instalment, total_interest,"
                    " outstanding_principal, status, collateral, guarantor, journal_entry_id, created_at)"
                    " FROM STDIN",
                    loans,
                ),
                (
                    "COPY loan_instalment (tenant_id, id, loan_id, no, due_on, principal, interest,"
                    " balance_after, principal_paid, interest_paid, interest_waived, penalty, penalty_paid)"
                    " FROM STDIN",
                    rows,
                ),
            ]:
                with cur.copy(sql) as cp:
                    cp.write(buf.getvalue())
        conn.execute("SET session_replication_role = origin")
        conn.commit()
        for table in ("member", "loan_application", "loan", "loan_instalment"):
            conn.execute(f"ANALYZE {table}")
    return n_loans, n_rows, time.perf_counter() - t0


RAW_SQL = """
WITH late AS (
    SELECT loan_id, min(due_on) AS oldest
    FROM loan_instalment
    WHERE tenant_id = %(t)s AND superseded_on IS NULL AND due_on < %(as_of)s
      AND (principal_paid < principal OR interest_paid + interest_waived < interest)
    GROUP BY loan_id
),
aged AS (
    SELECT l.outstanding_principal AS outstanding,
           coalesce(%(as_of)s::date - late.oldest, 0) AS dpd
    FROM loan l LEFT JOIN late ON late.loan_id = l.id
    WHERE l.tenant_id = %(t)s AND l.status = 'active'
)
SELECT CASE WHEN dpd <= 90 THEN 'L' WHEN dpd <= 180 THEN 'KL' WHEN dpd <= 360 THEN 'D' ELSE 'M' END AS k,
       count(*), sum(outstanding), sum(dpd)
FROM aged GROUP BY 1 ORDER BY 1
"""


def raw_ageing(tenant_id: uuid.UUID) -> tuple[dict[str, int], float]:
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        t0 = time.perf_counter()
        rows = conn.execute(RAW_SQL, {"t": tenant_id, "as_of": AS_OF}).fetchall()
        seconds = time.perf_counter() - t0
    return {k: n for k, n, _o, _d in rows}, seconds


UPDATE_SQL = """
WITH late AS (
    SELECT loan_id, min(due_on) AS oldest
    FROM loan_instalment
    WHERE tenant_id = %(t)s AND superseded_on IS NULL AND due_on < %(as_of)s
      AND (principal_paid < principal OR interest_paid + interest_waived < interest)
    GROUP BY loan_id
),
aged AS (
    SELECT l.id, coalesce(%(as_of)s::date - late.oldest, 0) AS dpd
    FROM loan l LEFT JOIN late ON late.loan_id = l.id
    WHERE l.tenant_id = %(t)s AND l.status = 'active'
)
UPDATE loan SET days_past_due = aged.dpd,
       kolektibilitas = CASE WHEN aged.dpd <= 90 THEN 'L' WHEN aged.dpd <= 180 THEN 'KL'
                             WHEN aged.dpd <= 360 THEN 'D' ELSE 'M' END
FROM aged WHERE loan.tenant_id = %(t)s AND loan.id = aged.id
"""


def raw_update(tenant_id: uuid.UUID) -> float:
    """The same days past due and class written onto every loan by one UPDATE, rolled back."""
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        t0 = time.perf_counter()
        conn.execute(UPDATE_SQL, {"t": tenant_id, "as_of": AS_OF})
        seconds = time.perf_counter() - t0
        conn.rollback()
    return seconds


def service_ageing(app: Any, tenant_id: uuid.UUID) -> tuple[dict[str, int], float, str]:
    from sqlalchemy import func, select

    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.loans.ageing import age_loans, summary
    from coopsaas.loans.models import Loan
    from coopsaas.tenancy.models import Tenant

    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.id == tenant_id)).one()
        db.session.commit()
        t0 = time.perf_counter()
        with tenant_scope(db.session, tenant_id):
            run = age_loans(tenant=tenant, as_of=AS_OF, actor=None)
            text = summary(run)
        seconds = time.perf_counter() - t0
        with tenant_scope(db.session, tenant_id):
            counts = dict(
                db.session.execute(
                    select(Loan.kolektibilitas, func.count())
                    .where(Loan.status == "active")
                    .group_by(Loan.kolektibilitas)
                ).all()
            )
        return {str(k): n for k, n in counts.items()}, seconds, text


def schedule_times(count: int) -> list[tuple[str, float]]:
    from coopsaas.loans.schedule import Method, Rate, RateBasis, build_schedule

    out = []
    start = date(2026, 1, 15)
    for method in (
        Method.FLAT,
        Method.EFEKTIF,
        Method.ANUITAS,
        Method.BULLET,
        Method.MURABAHAH,
        Method.QARDH,
    ):
        kwargs: dict[str, Any] = {}
        if method == Method.MURABAHAH:
            kwargs["margin"] = Decimal("18000000")
        elif method != Method.QARDH:
            kwargs["rate"] = Rate(Decimal("18"), RateBasis.PER_YEAR)
        build_schedule(method, principal=Decimal("60000000"), term=60, disbursed_on=start, **kwargs)
        t0 = time.perf_counter()
        for _ in range(count):
            build_schedule(method, principal=Decimal("60000000"), term=60, disbursed_on=start, **kwargs)
        out.append((method.value, (time.perf_counter() - t0) / count))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 100,000 loans (default 1)")
    parser.add_argument("--schedules", type=int, default=200, help="schedules built per method")
    opts = parser.parse_args()
    print(f"preparing PostgreSQL database {os.environ['COOPSAAS_BENCH_PG_DATABASE']} ...", flush=True)
    prepare_database()
    app = make_app(url_for(pgsql.APP), {"agency": url_for(pgsql.AGENCY)}, url_for(pgsql.OWNER))
    tenant_id, product_id, receivable_id = setup_tenant(app)
    n_loans, n_rows, load_s = load_book(tenant_id, product_id, receivable_id, opts.scale)
    print(f"loaded {n_loans:,} loans, {n_rows:,} instalments in {load_s:.1f} s", flush=True)
    raw_counts, raw_s = raw_ageing(tenant_id)
    print(f"raw SQL: {raw_counts} in {raw_s:.2f} s", flush=True)
    update_s = raw_update(tenant_id)
    print(f"raw SQL UPDATE of every loan: {update_s:.2f} s (rolled back)", flush=True)
    counts, service_s, text = service_ageing(app, tenant_id)
    print(f"service: {counts} in {service_s:.2f} s ({text})", flush=True)
    with app.app_context():
        schedules = schedule_times(opts.schedules)
    agree = "agree" if counts == raw_counts else "DIFFER"
    print()
    print("| figure | measured | baseline (same run) | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| daily ageing + reserve, {n_loans:,} loans / {n_rows:,} instalments | {service_s:.1f} s |"
        f" {raw_s:.2f} s (set-based SQL DPD) | {service_s / raw_s:.1f}x | < 60 s and < 2x at full scale |"
    )
    print(
        f"| the same, against the DPD and class written by one SQL UPDATE | {service_s:.1f} s |"
        f" {update_s:.2f} s (set-based SQL UPDATE) | {service_s / update_s:.1f}x | |"
    )
    flat = dict(schedules)["FLAT"]
    for method, seconds in schedules:
        print(
            f"| 60-month schedule, {method} | {seconds * 1000:.2f} ms | {flat * 1000:.2f} ms (FLAT) |"
            f" {seconds / flat:.1f}x | |"
        )
    print(f"\nloans per class {agree}: service {counts}, raw {raw_counts}")


if __name__ == "__main__":
    main()
