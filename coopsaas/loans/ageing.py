"""Daily ageing of the loan book (job kind `loan_ageing`, jobs.py), once per tenant and business date.

For the business date `as_of` (domain/loans.md sections 5-7):

1. Late penalties (*denda*): for each late loan whose product charges them, the penalty of the days
   (or started months) since the last run is added to the instalments' `penalty` column; on
   PostgreSQL the percent-per-day rule is computed and added by one statement, a rate per started
   month (and everything on SQLite) by allocation.late_penalty, with the same figures. Penalties
   are stored, not posted: they reach the ledger (Cr 4104) only when paid, with the repayment that
   pays them (income recognised when received).
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
    bindparam,
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
from coopsaas.loans.allocation import InstalmentState, PenaltyBasis, PenaltyRule, late_penalty
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
from coopsaas.loans.products import penalty_rule
from coopsaas.loans.repayments import states_of
from coopsaas.tenancy.models import Tenant
from coopsaas.tenancy.sync import tenant_setting

SOURCE_TYPE = "loan_ageing"
RESERVE = ("ppap", "1209")
PROVISION_EXPENSE = ("beban_penyisihan", "6104")
BATCH = 10000
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
    charged = charge_late_penalties(tenant, as_of)
    db.session.flush()
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


def charge_late_penalties(tenant: Tenant, as_of: date) -> Decimal:
    """Add to the late instalments the penalty of the days since the previous ageing run (all days
    since the due date and grace on the first run); returns the total charged.

    On PostgreSQL the loans under a percent-per-day rule are charged by one UPDATE statement
    (_charge_daily_in_sql). The other rules (a rate per started month, terms that do not parse,
    and every rule on SQLite) are computed here by late_penalty: one query reads their late
    instalments and the increments go back in batches. Either way the column moves as
    `penalty = penalty + charge`, so a repayment running meanwhile (which only moves the paid
    columns) loses nothing. Nothing is charged for a date at or before a run that already
    happened (a late rerun of an older date)."""
    later = db.session.scalar(select(func.count(LoanAgeing.id)).where(LoanAgeing.as_of >= as_of))
    if later:
        return ZERO
    charged_through = db.session.scalar(select(func.max(LoanAgeing.as_of)).where(LoanAgeing.as_of < as_of))
    total = ZERO
    in_sql = db.session.get_bind().dialect.name == "postgresql"
    if in_sql:
        total, others = _charge_daily_in_sql(tenant, as_of, charged_through)
        if not others:  # every active loan is under a daily rule (or none): nothing left for Python
            return total
    due = (
        select(
            LoanInstalment.id,
            LoanInstalment.loan_id,
            LoanInstalment.no,
            LoanInstalment.due_on,
            LoanInstalment.principal,
            LoanInstalment.interest,
            LoanInstalment.penalty,
            LoanInstalment.principal_paid,
            LoanInstalment.interest_paid,
            LoanInstalment.penalty_paid,
            LoanInstalment.interest_waived,
            Loan.terms["penalty_rate_pct"].as_string(),
            Loan.terms["penalty_per"].as_string(),
            Loan.terms["penalty_grace_days"].as_string(),
        )
        .join(Loan, and_(Loan.tenant_id == LoanInstalment.tenant_id, Loan.id == LoanInstalment.loan_id))
        .where(late_filter(as_of), Loan.status == ACTIVE)
        .order_by(LoanInstalment.loan_id, LoanInstalment.no)
    )
    if in_sql:  # the rules the UPDATE above charged are not read again
        due = due.where(text(f"NOT ({SQL_DAILY_RULE})"))
    rules: dict[tuple[Any, ...], PenaltyRule] = {}
    changes: list[tuple[Any, Decimal]] = []
    for r in db.session.execute(due):
        key = (r[11], r[12], r[13])
        rule = rules.get(key)
        if rule is None:
            rule = rules[key] = penalty_rule(
                {"penalty_rate_pct": r[11], "penalty_per": r[12], "penalty_grace_days": r[13]}
            )
        if rule.basis is PenaltyBasis.NONE:
            continue
        state = InstalmentState(
            no=r.no,
            due_on=r.due_on,
            principal=r.principal,
            interest=r.interest,
            penalty=r.penalty,
            principal_paid=r.principal_paid,
            interest_paid=r.interest_paid,
            penalty_paid=r.penalty_paid,
            interest_waived=r.interest_waived,
        )
        amount = late_penalty(rule, state, as_of=as_of, charged_through=charged_through)
        if amount > 0:
            changes.append((r.id, amount))
            total += amount
    _store_penalties(tenant, changes)
    return total


# A loan whose terms charge a valid percent per DAY (the common rule) is charged by one statement;
# a rate per started month (calendar arithmetic) or terms that do not parse stay with late_penalty.
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

_DAILY_CHARGE = """round(
    ((i.principal - i.principal_paid) + (i.interest - i.interest_paid - i.interest_waived)) * r.rate * 0.01
    * (GREATEST(CAST(:as_of AS date) - (i.due_on + r.grace), 0)
       - CASE WHEN CAST(:through AS date) IS NULL THEN 0
              ELSE GREATEST(CAST(:through AS date) - (i.due_on + r.grace), 0) END), 0)"""

CHARGE_DAILY = f"""
WITH r AS MATERIALIZED (
    SELECT loan.id, {_RULE_OF_TERMS} AS daily,
           CASE WHEN {_RULE_OF_TERMS} THEN CAST(t.penalty_rate_pct AS numeric) ELSE 0 END AS rate,
           CASE WHEN {_RULE_OF_TERMS}
                THEN COALESCE(CAST(NULLIF(t.penalty_grace_days, '') AS integer), 0) ELSE 0 END AS grace
    FROM loan, LATERAL json_to_record(loan.terms)
         AS t(penalty_per text, penalty_rate_pct text, penalty_grace_days text)
    WHERE loan.tenant_id = :tenant_id AND loan.status = :active
), charged AS (
    UPDATE loan_instalment AS i SET penalty = i.penalty + {_DAILY_CHARGE}
    FROM r
    WHERE i.tenant_id = :tenant_id AND r.id = i.loan_id AND r.rate > 0
      AND i.superseded_on IS NULL AND i.due_on < :as_of
      AND (i.principal_paid < i.principal OR i.interest_paid + i.interest_waived < i.interest)
      AND {_DAILY_CHARGE} > 0
    RETURNING {_DAILY_CHARGE} AS charge
)
SELECT (SELECT COALESCE(SUM(charge), 0) FROM charged), EXISTS (SELECT 1 FROM r WHERE NOT r.daily)
"""


def _charge_daily_in_sql(tenant: Tenant, as_of: date, charged_through: date | None) -> tuple[Decimal, bool]:
    """PostgreSQL: the penalties of the loans under a rate per day, computed and added in ONE
    statement, with the figures of late_penalty (basis = unpaid principal + interest on `as_of`,
    days after due date + grace since the previous run, ROUND_HALF_UP to whole rupiah).
    Returns the total charged and whether some active loan has another rule (left to Python)."""
    charged, others = db.session.execute(
        text(CHARGE_DAILY),
        {"tenant_id": tenant.id, "active": ACTIVE, "as_of": as_of, "through": charged_through},
    ).one()
    return to_money(Decimal(charged or 0)), bool(others)


def _store_penalties(tenant: Tenant, changes: list[tuple[Any, Decimal]]) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(changes), BATCH):  # arrays, not thousands of parameters
            batch = changes[start : start + BATCH]
            db.session.execute(
                text(
                    "UPDATE loan_instalment AS i SET penalty = i.penalty + v.charge "
                    "FROM unnest(CAST(:ids AS uuid[]), CAST(:amounts AS numeric[])) AS v(id, charge) "
                    "WHERE i.tenant_id = :tenant_id AND i.id = v.id"
                ),
                {"ids": [c[0] for c in batch], "amounts": [c[1] for c in batch], "tenant_id": tenant.id},
            )
        return
    table = LoanInstalment.__table__
    statement = (
        table.update()
        .where(table.c.tenant_id == bindparam("t_id"), table.c.id == bindparam("i_id"))
        .values(penalty=table.c.penalty + bindparam("charge"))
    )
    if changes:
        db.session.execute(statement, [{"t_id": tenant.id, "i_id": i, "charge": p} for i, p in changes])


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
            rows = db.session.scalars(
                select(LoanInstalment).where(
                    LoanInstalment.loan_id == loan.id, LoanInstalment.superseded_on.is_(None)
                )
            ).all()
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
            "%(count)s loans aged on %(day)s; penalties charged %(penalty)s; PPAP required %(required)s, "
            "booked %(booked)s, adjustment %(adjustment)s.",
            count=run.loan_count,
            day=run.as_of.isoformat(),
            penalty=format_rupiah(run.penalties_charged),
            required=format_rupiah(run.ppap_required),
            booked=format_rupiah(run.ppap_booked_before),
            adjustment=format_rupiah(run.adjustment),
        )
    )
