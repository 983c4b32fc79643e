"""Daily ageing of the loan book (job kind `loan_ageing`, jobs.py), once per tenant and business date.

For the business date `as_of` (domain/loans.md sections 5-7):

1. Late penalties (*denda*) are not written here: an instalment keeps the denda charged onto it
   through `penalty_through`, and the days after that are computed from the product's rule when
   the loan is read and charged by the next repayment, rescheduling or write-off, on its own
   date (penalties.py). The run records the denda the book accrued since the previous run; on
   PostgreSQL the percent-per-day rule is summed by one read-only statement. Denda reaches the
   ledger (Cr 4104) only when paid, with the repayment that pays it (income when received).
2. Days past due and class in ONE SQL statement for the whole book: `as_of - due date` of the
   oldest instalment with unpaid principal or interest (due on `as_of` itself is on time), 0 when
   nothing is late, and the class of each loan from its product's profile, or the tenant's
   `collectibility_profile` (`KOPERASI_BULANAN` by default). Only loans under the cooperative rule
   are classed in Python.
3. The required loss reserve (PPAP) per class, compared with the credit balance of 1209 on
   `as_of`; the difference is ONE adjustment entry `Dr 6104 / Cr 1209` (or, when the requirement
   falls, `Dr 1209 / Cr 6104`). A chart without 1209 or 6104 gets the figures and no entry.

A `LoanAgeing` row records the run; a second run for the same date returns that row and posts
nothing (the jobs table also runs a daily kind once per tenant and date). A late run of an older
date charges no penalty and leaves each loan's DPD and class as the newer run set them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import aliased

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import format_rupiah, to_money
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, balance_of, post_entry
from coopsaas.ledger.services import require_scope
from coopsaas.loans import penalties
from coopsaas.loans.allocation import PenaltyRule
from coopsaas.loans.collectibility import (
    COOPERATIVE_RULE,
    DEFAULT_PROFILE,
    NON_PERFORMING,
    PROFILES,
    DpdProfile,
    Kolektibilitas,
    LoanStanding,
    PpapRules,
    arrears,
    profile_named,
    required_ppap,
)
from coopsaas.loans.disbursement import _find
from coopsaas.loans.models import ACTIVE, ZERO, Loan, LoanAgeing, LoanInstalment, LoanProduct
from coopsaas.loans.repayments import states_of
from coopsaas.tenancy.models import Tenant
from coopsaas.tenancy.sync import tenant_setting

SOURCE_TYPE = "loan_ageing"
RESERVE = ("ppap", "1209")
PROVISION_EXPENSE = ("beban_penyisihan", "6104")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ClassTotal:
    """The loans of one class as the reserve sees them (collectibility.Exposure)."""

    kolektibilitas: Kolektibilitas
    outstanding: Decimal
    collateral_value: Decimal = ZERO


def tenant_profile(tenant: Tenant) -> str:
    try:
        return str(tenant_setting(tenant, "collectibility_profile") or DEFAULT_PROFILE)
    except KeyError:
        return DEFAULT_PROFILE


def ppap_rules(tenant: Tenant) -> PpapRules:
    try:
        deduct = bool(tenant_setting(tenant, "ppap_deduct_collateral"))
    except KeyError:
        deduct = False
    return PpapRules(deduct_collateral=deduct)


def late_filter(as_of: date) -> Any:
    """An instalment is late on `as_of` when it fell due before it with principal or interest unpaid."""
    return and_(
        LoanInstalment.superseded_on.is_(None),  # a rescheduled loan is late on its live schedule only
        LoanInstalment.due_on < as_of,
        or_(
            LoanInstalment.principal_paid < LoanInstalment.principal,
            LoanInstalment.interest_paid + LoanInstalment.interest_waived < LoanInstalment.interest,
        ),
    )


def days_between(later: date, earlier: Any) -> Any:
    """`later - earlier` in days as an SQL expression on both databases."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(cast(later, Date) - earlier, Integer)
    return cast(func.julianday(later.isoformat()) - func.julianday(earlier), Integer)


def late_since(as_of: date) -> Any:
    """Subquery (loan_id, oldest): the oldest late due date of every loan that is late on `as_of`."""
    return (
        select(LoanInstalment.loan_id.label("loan_id"), func.min(LoanInstalment.due_on).label("oldest"))
        .where(late_filter(as_of))
        .group_by(LoanInstalment.loan_id)
        .subquery()
    )


def class_case(profile: DpdProfile, dpd: Any) -> Any:
    whens = [(dpd <= profile.lancar_max, Kolektibilitas.LANCAR.value)]
    if profile.dpk_max is not None:
        whens.append((dpd <= profile.dpk_max, Kolektibilitas.DPK.value))
    whens += [
        (dpd <= profile.kurang_lancar_max, Kolektibilitas.KURANG_LANCAR.value),
        (dpd <= profile.diragukan_max, Kolektibilitas.DIRAGUKAN.value),
    ]
    return case(*whens, else_=Kolektibilitas.MACET.value)


def profiles_by_product(tenant: Tenant) -> dict[str, list[Any]]:
    """Product ids grouped by the profile that classes their loans."""
    default = tenant_profile(tenant)
    groups: dict[str, list[Any]] = {}
    for pid, key in db.session.execute(select(LoanProduct.id, LoanProduct.collectibility_profile)):
        groups.setdefault(key or default, []).append(pid)
    return groups


# ---- the run ---------------------------------------------------------------------------------------


def age_loans(
    *, tenant: Tenant, as_of: date, actor: Any = None, progress: Progress | None = None
) -> LoanAgeing:
    """Age the tenant's loan book on `as_of` (see the module docstring). Idempotent per date.

    Raises: ClosedPeriodError (the adjustment would fall in a closed month).
    """
    require_scope(tenant)
    done = db.session.scalars(select(LoanAgeing).where(LoanAgeing.as_of == as_of)).one_or_none()
    if done is not None:
        return done
    charged = accrued_penalties(tenant, as_of)
    if not db.session.scalar(select(func.count(LoanAgeing.id)).where(LoanAgeing.as_of > as_of)):
        set_days_past_due(tenant, as_of)  # a late run of an older date leaves the newer figures
    if progress is not None:
        progress(1, 3)

    rules = ppap_rules(tenant)
    totals, count, outstanding = class_totals(rules)
    requirement = required_ppap(totals, rules)
    reserve, expense = _find(*RESERVE), _find(*PROVISION_EXPENSE)
    booked = balance_of(reserve, as_of) if reserve is not None else ZERO
    adjustment = requirement.total - booked
    run = LoanAgeing(
        id=uuid7(),
        as_of=as_of,
        loan_count=count,
        outstanding=outstanding,
        penalties_charged=charged,
        ppap_required=requirement.total,
        ppap_booked_before=booked,
        adjustment=adjustment if reserve is not None and expense is not None else ZERO,
        by_class={
            line.kolektibilitas.value: {
                "base": str(line.base),
                "rate_pct": str(line.rate_pct),
                "required": str(line.required),
            }
            for line in requirement.lines
        },
    )
    if adjustment != 0 and reserve is not None and expense is not None:
        amount = abs(adjustment)
        if adjustment > 0:
            lines = [LineSpec(expense.id, debit=amount), LineSpec(reserve.id, credit=amount)]
            memo = f"Pembentukan cadangan kerugian pinjaman (PPAP) per {as_of.isoformat()}"
        else:
            lines = [LineSpec(reserve.id, debit=amount), LineSpec(expense.id, credit=amount)]
            memo = f"Pengurangan cadangan kerugian pinjaman (PPAP) per {as_of.isoformat()}"
        entry = post_entry(
            tenant=tenant,
            actor=actor,
            spec=EntrySpec(
                entry_on=as_of, lines=lines, memo=memo, series="JU", source_type=SOURCE_TYPE, source_id=run.id
            ),
            idempotency_key=f"loan-ppap:{as_of.isoformat()}",
        )
        run.journal_entry_id = entry.id
    db.session.add(run)
    db.session.flush()
    if progress is not None:
        progress(3, 3)
    audit.record(
        "loans.ageing",
        actor=actor,
        target=run,
        summary={
            "as_of": as_of.isoformat(),
            "loans": count,
            "penalties": str(charged),
            "ppap_required": str(requirement.total),
            "ppap_booked": str(booked),
            "adjustment": str(run.adjustment),
        },
    )
    return run


def accrued_penalties(tenant: Tenant, as_of: date) -> Decimal:
    """The denda the late instalments accrued since the previous ageing run (all days since the
    due date and grace when there was none), for the run's record. Nothing is written: the denda is
    computed from the unpaid amounts and charged onto the rows by the next repayment, rescheduling
    or write-off (penalties.py), so a late instalment costs no write per night.

    On PostgreSQL the loans under a percent-per-day rule are summed by one read-only statement
    (ACCRUED_DAILY); the other rules (a rate per started month, terms that do not parse, and every
    rule on SQLite) by penalties.pending over one query of their late instalments. Nothing is
    reported for a date at or before a run that already happened (a late rerun of an older date)."""
    later = db.session.scalar(select(func.count(LoanAgeing.id)).where(LoanAgeing.as_of >= as_of))
    if later:
        return ZERO
    previous = db.session.scalar(select(func.max(LoanAgeing.as_of)).where(LoanAgeing.as_of < as_of))
    total = ZERO
    in_sql = db.session.get_bind().dialect.name == "postgresql"
    if in_sql:
        total, others = _accrued_daily_in_sql(tenant, as_of, previous)
        if not others:  # every active loan is under a daily rule (or none): nothing left for Python
            return total
    due = (
        select(LoanInstalment, Loan.terms)
        .join(Loan, and_(Loan.tenant_id == LoanInstalment.tenant_id, Loan.id == LoanInstalment.loan_id))
        .where(late_filter(as_of), Loan.status == ACTIVE)
    )
    if in_sql:  # the rules the statement above summed are not read again
        due = due.where(text(f"NOT ({SQL_DAILY_RULE})"))
    rules: dict[str, PenaltyRule] = {}
    for row, terms in db.session.execute(due):
        key = repr(sorted((terms or {}).items()))
        rule = rules.get(key)
        if rule is None:
            rule = rules[key] = penalties.rule_of_terms(terms)
        total += penalties.pending(rule, row, as_of, since=previous)
    return total


# A loan whose terms charge a valid percent per DAY (the common rule) is summed by one statement;
# a rate per started month (calendar arithmetic) or terms that do not parse stay with Python.
_DAILY_RULE = (
    "COALESCE(NULLIF({per}, ''), 'DAY') = 'DAY'"
    " AND COALESCE({rate}, '') ~ '^[0-9]+(\\.[0-9]+)?$'"
    " AND COALESCE({grace}, '') ~ '^[0-9]{{0,6}}$'"
)
SQL_DAILY_RULE = _DAILY_RULE.format(
    per="loan.terms->>'penalty_per'",
    rate="loan.terms->>'penalty_rate_pct'",
    grace="loan.terms->>'penalty_grace_days'",
)
_RULE_OF_TERMS = _DAILY_RULE.format(
    per="t.penalty_per", rate="t.penalty_rate_pct", grace="t.penalty_grace_days"
)

# allocation.late_penalty for a rate per day: basis = unpaid principal + interest, days after due
# date + grace since the later of the row's last charge and the previous run, ROUND_HALF_UP.
_SINCE = "GREATEST(i.penalty_through, CAST(:since AS date))"
_DAILY_ACCRUAL = f"""round(
    ((i.principal - i.principal_paid) + (i.interest - i.interest_paid - i.interest_waived)) * r.rate * 0.01
    * (GREATEST(CAST(:as_of AS date) - (i.due_on + r.grace), 0)
       - CASE WHEN {_SINCE} IS NULL THEN 0 ELSE GREATEST({_SINCE} - (i.due_on + r.grace), 0) END), 0)"""

# The rule is parsed once per distinct set of kept terms (loans of a product share them), not once
# per loan: the loans are matched to their rule by the terms' text.
ACCRUED_DAILY = f"""
WITH rules AS MATERIALIZED (
    SELECT k.txt, {_RULE_OF_TERMS} AS daily,
           CASE WHEN {_RULE_OF_TERMS} THEN CAST(t.penalty_rate_pct AS numeric) ELSE 0 END AS rate,
           CASE WHEN {_RULE_OF_TERMS}
                THEN COALESCE(CAST(NULLIF(t.penalty_grace_days, '') AS integer), 0) ELSE 0 END AS grace
    FROM (SELECT DISTINCT CAST(loan.terms AS text) AS txt FROM loan
          WHERE loan.tenant_id = :tenant_id AND loan.status = :active) AS k,
         LATERAL json_to_record(CAST(k.txt AS json))
         AS t(penalty_per text, penalty_rate_pct text, penalty_grace_days text)
), r AS MATERIALIZED (
    SELECT loan.id, rules.rate, rules.grace FROM loan JOIN rules ON CAST(loan.terms AS text) = rules.txt
    WHERE loan.tenant_id = :tenant_id AND loan.status = :active AND rules.rate > 0
)
SELECT (SELECT COALESCE(SUM(GREATEST({_DAILY_ACCRUAL}, 0)), 0)
        FROM loan_instalment AS i JOIN r ON r.id = i.loan_id
        WHERE i.tenant_id = :tenant_id
          AND i.superseded_on IS NULL AND i.due_on < :as_of
          AND (i.principal_paid < i.principal OR i.interest_paid + i.interest_waived < i.interest)),
       EXISTS (SELECT 1 FROM rules WHERE NOT rules.daily)
"""


def _accrued_daily_in_sql(tenant: Tenant, as_of: date, since: date | None) -> tuple[Decimal, bool]:
    """PostgreSQL: the denda accrued since `since` by the loans under a rate per day, summed by ONE
    read-only statement with the figures of penalties.pending. Returns the total and whether some
    active loan has another rule (left to Python)."""
    accrued, others = db.session.execute(
        text(ACCRUED_DAILY),
        {"tenant_id": tenant.id, "active": ACTIVE, "as_of": as_of, "since": since},
    ).one()
    return to_money(Decimal(accrued or 0)), bool(others)


def set_days_past_due(tenant: Tenant, as_of: date) -> None:
    """DPD and class of every active loan on `as_of` in ONE UPDATE statement that touches only the
    loans whose figures change (late loans, and loans that were late and are current again): the
    oldest late due date per loan, the class by the profile of the loan's product (the tenant's
    `collectibility_profile` when the product names none). Loans under the cooperative rule keep
    their class here and are classed in Python below."""
    late = late_since(as_of)
    current = aliased(Loan)
    figures = (
        select(
            current.id.label("id"),
            func.coalesce(days_between(as_of, late.c.oldest), 0).label("dpd"),
        )
        .outerjoin(late, late.c.loan_id == current.id)
        .where(current.tenant_id == tenant.id, current.status == ACTIVE)
        .subquery()
    )
    python_classed: list[Any] = []
    by_profile: list[tuple[Any, Any]] = []
    for key, product_ids in profiles_by_product(tenant).items():
        profile = profile_named(key if key in PROFILES else DEFAULT_PROFILE)
        if not isinstance(profile, DpdProfile):
            python_classed += product_ids
            continue
        by_profile.append((Loan.product_id.in_(product_ids), class_case(profile, figures.c.dpd)))
    klass = case(*by_profile, else_=Loan.kolektibilitas) if by_profile else Loan.kolektibilitas
    db.session.execute(
        update(Loan)
        .where(Loan.tenant_id == tenant.id, Loan.id == figures.c.id)
        .where(
            or_(
                Loan.days_past_due.is_distinct_from(figures.c.dpd),
                Loan.kolektibilitas.is_distinct_from(klass),
            )
        )
        .values(days_past_due=figures.c.dpd, kolektibilitas=klass)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    if python_classed:
        for loan in db.session.scalars(
            select(Loan).where(Loan.status == ACTIVE, Loan.product_id.in_(python_classed))
        ):
            rows = penalties.accrue(
                loan,
                db.session.scalars(
                    select(LoanInstalment)
                    .where(LoanInstalment.loan_id == loan.id, LoanInstalment.superseded_on.is_(None))
                    .order_by(LoanInstalment.no)
                ),
                as_of,
            )
            standing = LoanStanding(
                arrears=arrears(states_of(rows), as_of),
                instalment_every_months=loan.period_months,
                is_instalment_loan=loan.method != "BULLET",
                collateral_value=loan.collateral_value or ZERO,
                debt_including_interest=sum((r.unpaid for r in rows), ZERO),
            )
            loan.kolektibilitas = COOPERATIVE_RULE.classify(standing).value
    from coopsaas.loans.reschedule import apply_class_floor

    apply_class_floor(tenant)  # a rescheduled loan does not improve until its new schedule is kept


def class_totals(rules: PpapRules) -> tuple[list[ClassTotal], int, Decimal]:
    """Outstanding principal per class of the active loans (after `set_days_past_due`), the PPAP
    base already less collateral for KL/D/M when `ppap_deduct_collateral` is on."""
    npl = [k.value for k in NON_PERFORMING]
    collateral = func.coalesce(Loan.collateral_value, 0)
    base = Loan.outstanding_principal
    if rules.deduct_collateral:
        base = case(
            (
                Loan.kolektibilitas.in_(npl),
                case(
                    (Loan.outstanding_principal > collateral, Loan.outstanding_principal - collateral),
                    else_=0,
                ),
            ),
            else_=Loan.outstanding_principal,
        )
    rows = db.session.execute(
        select(
            Loan.kolektibilitas,
            func.count(Loan.id),
            func.coalesce(func.sum(Loan.outstanding_principal), 0),
            func.coalesce(func.sum(base), 0),
        )
        .where(Loan.status == ACTIVE)
        .group_by(Loan.kolektibilitas)
    ).all()
    totals = []
    count, outstanding = 0, ZERO
    for klass, n, amount, ppap_base in rows:
        count += n
        outstanding += to_money(amount)
        totals.append(ClassTotal(Kolektibilitas(klass or Kolektibilitas.LANCAR.value), to_money(ppap_base)))
    # The base is already net of collateral: the reserve must not deduct it again.
    return totals, count, outstanding


def summary(run: LoanAgeing) -> str:
    return str(
        _l(
            "%(count)s loans aged on %(day)s; penalties accrued since the last run %(penalty)s; "
            "PPAP required %(required)s, "
            "booked %(booked)s, adjustment %(adjustment)s.",
            count=run.loan_count,
            day=run.as_of.isoformat(),
            penalty=format_rupiah(run.penalties_charged),
            required=format_rupiah(run.ppap_required),
            booked=format_rupiah(run.ppap_booked_before),
            adjustment=format_rupiah(run.adjustment),
        )
    )
