"""Demo loan books: a year of loans for each demo cooperative, through the loan services.

Each savings-and-loan cooperative (KSP) gets a few hundred loans, each Koppontren a small book,
in whatever its products are: conventional loans (FLAT, EFEKTIF, ANUITAS, BULLET) or sharia
financing (murabahah at the margin fixed on entry, qardh for the principal only), so
kopontren-al-hikmah gets murabahah and qardh and kopontren-darussalam murabahah. Applications are
entered by the demo teller, approved by the demo manager, paid out into the member's sukarela
account (cash when there is none), then repaid by bank transfer on each due date. Most loans pay on
time, some are paid off, and some stop paying at different moments so the book has loans in every
arrears class (lancar, kurang lancar, diragukan, macet; DPK too under `MIKRO_KETAT`); the member
behind the demo login always has one loan that is paid on time. A few *macet*
loans of founders predate the year and were never repaid. Finally the daily ageing runs for today,
so the arrears list, portfolio quality and PPAP (for a murabahah on its remaining cost) reflect the
book.

Every posting goes through the services with the clock set to the day of the event, so the ledger,
the loan sub-ledger, savings and the audit trail agree. Deterministic (random generator seeded with
the slug), idempotent (a cooperative with loans already gets nothing).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products, repayments
from coopsaas.loans.ageing import age_loans
from coopsaas.loans.models import Loan
from coopsaas.members.models import ANGGOTA, Member
from coopsaas.savings import services as savings
from coopsaas.savings.models import OPEN, SUKARELA, TRANSFER
from coopsaas.tenancy.models import Tenant

BOOKABLE = {"FLAT", "EFEKTIF", "ANUITAS", "BULLET", "MURABAHAH", "QARDH"}
KSP_LOANS = 300
PONTREN_LOANS = 24
# Months since a member of a small book stopped paying: DPK, KL, D and M under MIKRO_KETAT
# (1-30, 31-60, 61-90, over 90 days), KL, D and M under KOPERASI_BULANAN.
SMALL_BOOK_ARREARS = ("stop_1", "stop_2", "stop_3", "stop_5", "stop_8", "never")
# Behaviour of a loan and its weight: on time, paid off, and stopping 1, 2, 4, 8 months ago or never paying.
BEHAVIOURS = (
    ("on_time", 60),
    ("paid_off", 12),
    ("stop_1", 6),
    ("stop_2", 5),
    ("stop_4", 7),
    ("stop_8", 6),
    ("never", 4),
)


@dataclass(frozen=True)
class LoanBookReport:
    slug: str
    loans: int
    repayments: int
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return f"  {self.slug}: no loan book added"
        return f"  {self.slug}: {self.loans} loans, {self.repayments} repayments"


@dataclass
class _Plan:
    member: Member
    product: Any
    amount: Decimal
    term: int
    disbursed_on: date
    behaviour: str
    loan: Any = None
    pay_until: date | None = None
    dues: list[date] = field(default_factory=list)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)  # 10:00 WIB


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, 28))


def _amount(rng: random.Random, product: Any) -> Decimal:
    low = int(product.min_amount)
    high = min(int(product.max_amount), low * 8)
    step = 500_000 if low >= 1_000_000 else 100_000
    value = rng.randint(low // step, max(high // step, low // step)) * step
    return Decimal(max(value, low))


def _plans(rng: random.Random, tenant: Tenant, count: int, today: date) -> list[_Plan]:
    offered = [
        p
        for p in products.ensure_products(tenant).values()
        if p.method in BOOKABLE and p.is_active and apps.chart_supports(p)
    ]
    if not offered:
        return []
    members = list(
        db.session.scalars(
            select(Member).where(Member.type == ANGGOTA, Member.status == "active").order_by(Member.member_no)
        )
    )
    if not members:
        return []
    founders = [m for m in members if m.joined_on <= members[0].joined_on]
    shortest = min(offered, key=lambda p: p.min_term_months)
    names, weights = zip(*BEHAVIOURS, strict=True)
    # A small book gets one loan of each arrears depth, so every class shows under either profile.
    forced = SMALL_BOOK_ARREARS if count <= PONTREN_LOANS else ()
    plans = []
    for index in range(count):
        behaviour = forced[index] if index < len(forced) else rng.choices(names, weights)[0]
        product = shortest if behaviour == "paid_off" else rng.choice(offered)
        low = product.min_term_months
        high = max(low, min(product.max_term_months, 24))
        if index < len(forced):
            low = min(max(low, 9), high)  # instalments still to come after the member stops paying
        term = rng.randint(low, min(high, low + 6)) if behaviour == "paid_off" else rng.randint(low, high)
        member = rng.choice(founders if behaviour == "never" or index < len(forced) else members)
        if behaviour == "never":
            on = today - timedelta(days=rng.randint(400, 430))
        elif behaviour == "paid_off":
            on = _add_months(today, -(term + 1)) - timedelta(days=rng.randint(0, 20))
        else:
            earliest = max(member.joined_on, today - timedelta(days=330))
            span = max((today - timedelta(days=40) - earliest).days, 1)
            on = earliest + timedelta(days=rng.randint(0, span))
        if behaviour in ("paid_off",) and on < member.joined_on:
            continue
        if behaviour.startswith("stop_"):
            months = int(behaviour.split("_")[1])
            stop = _add_months(today, -months)
            if index < len(forced):  # the first unpaid instalment falls about half a month after `stop`
                on = max(_add_months(stop, -rng.randint(2, 4)) - timedelta(days=15), member.joined_on)
            if stop <= _add_months(on, 1):
                on = _add_months(stop, -2)
                if on < member.joined_on:
                    continue
            pay_until = stop
        elif behaviour == "never":
            pay_until = on
        else:
            pay_until = today
        plans.append(_Plan(member, product, _amount(rng, product), term, on, behaviour, pay_until=pay_until))
    viewer = members[0]  # the member behind the demo login anggota.<slug> sees a loan that runs
    if not any(p.member.id == viewer.id and p.behaviour == "on_time" for p in plans):
        product = rng.choice(offered)
        term = max(product.min_term_months, min(product.max_term_months, 12))
        on = max(viewer.joined_on, _add_months(today, -2) - timedelta(days=rng.randint(0, 20)))
        if on < today - timedelta(days=7):
            plans.append(_Plan(viewer, product, _amount(rng, product), term, on, "on_time", pay_until=today))
    return sorted(plans, key=lambda p: (p.disbursed_on, p.member.member_no))


def _sukarela(member: Member) -> Any:
    return next(
        (a for a in savings.accounts_of(member) if a.product.kind == SUKARELA and a.status == OPEN), None
    )


def load_loan_book(tenant: Tenant, *, teller: Any, manager: Any, count: int | None = None) -> LoanBookReport:
    """Book a year of loans in the tenant in scope and age them for today. Flushes, never commits."""
    if db.session.scalar(select(func.count()).select_from(Loan)):
        return LoanBookReport(tenant.slug, 0, 0, skipped=True)
    rng = random.Random(f"coopsaas-demo-loans:{tenant.slug}")
    today = today_for(tenant)
    if count is None:
        count = KSP_LOANS if tenant.slug.startswith("ksp") else PONTREN_LOANS
    plans = _plans(rng, tenant, count, today)
    if not plans:
        return LoanBookReport(tenant.slug, 0, 0, skipped=True)
    for plan in plans:
        with frozen(_at(plan.disbursed_on)):
            application = apps.submit_application(
                tenant=tenant,
                actor=teller,
                member=plan.member,
                product=plan.product,
                amount=plan.amount,
                term_months=plan.term,
                purpose=rng.choice(
                    ("Modal usaha", "Biaya sekolah", "Renovasi rumah", "Modal warung", "Pertanian")
                ),
            )
            apps.approve_application(tenant=tenant, actor=manager, application=application)
            account = _sukarela(plan.member)
            plan.loan = disbursement.disburse(
                tenant=tenant,
                actor=teller,
                application=application,
                channel=disbursement.TO_SAVINGS if account is not None else disbursement.TO_CASH,
                savings_account=account,
            )
        plan.dues = [
            row.due_on
            for row in disbursement.instalments_of(plan.loan)
            if row.due_on <= today and (plan.pay_until is None or row.due_on < plan.pay_until)
        ]
    events = sorted(((day, i) for i, plan in enumerate(plans) for day in plan.dues))
    paid = 0
    for day, index in events:
        loan = plans[index].loan
        if loan.status != "active":
            continue
        with frozen(_at(day)):
            owed = repayments.owed_on(loan, day).overdue
            if owed <= 0:
                continue
            repayments.repay(tenant=tenant, actor=teller, loan=loan, amount=owed, channel=TRANSFER, on=day)
        paid += 1
    age_loans(tenant=tenant, as_of=today, actor=None)
    return LoanBookReport(tenant.slug, len(plans), paid)


def load_all(session: Any, slugs: list[str] | None = None, count: int | None = None) -> list[LoanBookReport]:
    """A loan book for every demo cooperative with a demo teller and manager, one transaction each."""
    from coopsaas.auth import services as auth
    from coopsaas.core.db import tenant_scope

    reports = []
    tenants = session.scalars(select(Tenant).order_by(Tenant.slug)).all()
    for tenant in tenants:
        if slugs is not None and tenant.slug not in slugs:
            continue
        teller = auth.find_user(f"kasir.{tenant.slug}")
        manager = auth.find_user(f"manajer.{tenant.slug}")
        if teller is None or manager is None:
            continue
        tenant_id = tenant.id
        session.rollback()
        with tenant_scope(session, tenant_id):
            tenant = session.get(Tenant, tenant_id)
            reports.append(load_loan_book(tenant, teller=teller, manager=manager, count=count))
    return reports
