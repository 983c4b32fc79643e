"""Portfolio quality: PAR, NPL, RPM, the portfolio by class and the required PPAP.

Rules (domain/loans.md sections 7-9):

- `PAR_b = outstanding principal of loans with DPD >= min_dpd_b / gross outstanding x 100`, with
  buckets PAR1 (DPD >= 1), PAR30 (>= 31) and PAR90 (>= 91) [A]. A late loan counts with its whole
  outstanding balance, not only the overdue instalments. Restructured loans count in every bucket
  whatever their DPD while `par_include_restructured` is on (the default [S]).
- Written-off loans are in neither numerator nor denominator; the write-offs of the period are
  reported beside PAR so that they cannot silently improve it.
- `NPL = (KL + D + M) / gross outstanding x 100`; DPK is not in NPL [P].
- `RPM = 0.5 KL + 0.75 D + 1.0 M` (health ratio 2b weights [P]; Lancar and DPK weigh nothing).

Classes are taken from each position as given, so a manager's override counts; percentages are
exact and undefined (None) for an empty portfolio.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from coopsaas.loans.collectibility import (
    NON_PERFORMING,
    Kolektibilitas,
    PpapRequirement,
    PpapRules,
    required_ppap,
)
from coopsaas.loans.schedule import HUNDRED, ZERO


@dataclass(frozen=True)
class LoanPosition:
    """One loan on the report date. For a write-off of the period, `outstanding` is the amount written off."""

    loan_id: str
    outstanding: Decimal
    days_past_due: int
    kolektibilitas: Kolektibilitas
    collateral_value: Decimal = ZERO
    is_restructured: bool = False
    is_written_off: bool = False


@dataclass(frozen=True)
class ParBucket:
    name: str
    min_dpd: int


def _default_rpm_weights() -> dict[Kolektibilitas, Decimal]:
    return {
        Kolektibilitas.LANCAR: ZERO,
        Kolektibilitas.DPK: ZERO,
        Kolektibilitas.KURANG_LANCAR: Decimal(50),
        Kolektibilitas.DIRAGUKAN: Decimal(75),
        Kolektibilitas.MACET: Decimal(100),
    }


@dataclass(frozen=True)
class PortfolioRules:
    par_buckets: tuple[ParBucket, ...] = (
        ParBucket("PAR1", 1),
        ParBucket("PAR30", 31),
        ParBucket("PAR90", 91),
    )
    par_include_restructured: bool = True
    rpm_weights_pct: dict[Kolektibilitas, Decimal] = field(default_factory=_default_rpm_weights)


@dataclass(frozen=True)
class ParFigure:
    name: str
    min_dpd: int
    loan_ids: tuple[str, ...]
    amount: Decimal
    percent: Decimal | None


@dataclass(frozen=True)
class PortfolioQuality:
    loan_count: int
    gross_outstanding: Decimal
    par: tuple[ParFigure, ...]
    by_class: dict[Kolektibilitas, Decimal]
    npl_amount: Decimal
    npl_percent: Decimal | None
    rpm_amount: Decimal
    rpm_percent: Decimal | None
    ppap: PpapRequirement
    written_off_count: int
    written_off_amount: Decimal

    def par_named(self, name: str) -> ParFigure:
        return next(figure for figure in self.par if figure.name == name)


def percent(amount: Decimal, base: Decimal) -> Decimal | None:
    return amount / base * HUNDRED if base > 0 else None


def portfolio_quality(
    positions: Iterable[LoanPosition],
    *,
    rules: PortfolioRules | None = None,
    ppap_rules: PpapRules | None = None,
) -> PortfolioQuality:
    rules = rules or PortfolioRules()
    all_positions = list(positions)
    written_off = [p for p in all_positions if p.is_written_off]
    book = [p for p in all_positions if not p.is_written_off]
    gross = sum((p.outstanding for p in book), ZERO)

    par = []
    for bucket in rules.par_buckets:
        at_risk = [
            p
            for p in book
            if p.days_past_due >= bucket.min_dpd or (rules.par_include_restructured and p.is_restructured)
        ]
        amount = sum((p.outstanding for p in at_risk), ZERO)
        par.append(
            ParFigure(
                bucket.name, bucket.min_dpd, tuple(p.loan_id for p in at_risk), amount, percent(amount, gross)
            )
        )

    by_class = dict.fromkeys(Kolektibilitas, ZERO)
    for position in book:
        by_class[position.kolektibilitas] += position.outstanding
    npl = sum((by_class[k] for k in NON_PERFORMING), ZERO)
    rpm = sum((amount * rules.rpm_weights_pct[k] / HUNDRED for k, amount in by_class.items()), ZERO)

    return PortfolioQuality(
        loan_count=len(book),
        gross_outstanding=gross,
        par=tuple(par),
        by_class=by_class,
        npl_amount=npl,
        npl_percent=percent(npl, gross),
        rpm_amount=rpm,
        rpm_percent=percent(rpm, gross),
        ppap=required_ppap(book, ppap_rules),
        written_off_count=len(written_off),
        written_off_amount=sum((p.outstanding for p in written_off), ZERO),
    )
