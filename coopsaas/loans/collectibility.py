"""Days past due, collectibility (*kolektibilitas*) and the required loss reserve (PPAP).

Rules (domain/loans.md sections 6 and 7):

- DPD at the end of report date `t` is `t - due date` of the oldest instalment that still has unpaid
  principal or interest/margin; 0 when nothing is overdue. Paying on the due date is on time. Unpaid
  denda alone does not make a loan late.
- Classes: Lancar, DPK (optional, bank/BPR practice), Kurang Lancar, Diragukan, Macet.
- DPD profiles (6.2): `KOPERASI_BULANAN` [A] L 0-90, KL 91-180, D 181-360, M above 360;
  `MIKRO_KETAT` [S] L 0, DPK 1-30, KL 31-60, D 61-90, M above 90. A litigation or insurance-claim
  flag forces Macet under every profile.
- The cooperative rule (6.1, Permen KUKM 20/2008 as amended by 14/2009) [S] counts months of
  arrears by instalment frequency and needs collateral facts for D and M; `CooperativeRule` holds
  its bands. Its gaps are settled by assumptions kept as parameters [A]: 4- and 5-monthly
  instalments are treated like 3-monthly, and an interest period of exactly one month counts as
  "over one month".
- Accrued interest is booked for Lancar loans only unless the tenant says otherwise [A].
- A manager may override the computed class; an override to a better class needs a second
  approver by default [A].
- PPAP required = sum over classes of rate x outstanding principal; rates 0.5 / 3 / 10 / 50 / 100 %
  [S]/[A]. With `deduct_collateral` (default off) the base of a KL/D/M loan is its outstanding minus
  eligible collateral, never below zero. Each class amount rounds ROUND_HALF_UP to whole rupiah.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from coopsaas.core.money import round_rupiah
from coopsaas.loans.allocation import InstalmentState
from coopsaas.loans.schedule import HUNDRED, ZERO, LoanInputError, add_months


class Kolektibilitas(StrEnum):
    LANCAR = "L"
    DPK = "DPK"
    KURANG_LANCAR = "KL"
    DIRAGUKAN = "D"
    MACET = "M"


SEVERITY = {
    Kolektibilitas.LANCAR: 0,
    Kolektibilitas.DPK: 1,
    Kolektibilitas.KURANG_LANCAR: 2,
    Kolektibilitas.DIRAGUKAN: 3,
    Kolektibilitas.MACET: 4,
}
NON_PERFORMING = frozenset({Kolektibilitas.KURANG_LANCAR, Kolektibilitas.DIRAGUKAN, Kolektibilitas.MACET})


@dataclass(frozen=True)
class Arrears:
    """Where a loan stands on a report date: the oldest unpaid due dates, by component."""

    as_of: date
    oldest_unpaid_on: date | None = None
    oldest_unpaid_principal_on: date | None = None
    oldest_unpaid_interest_on: date | None = None

    @property
    def days_past_due(self) -> int:
        if self.oldest_unpaid_on is None:
            return 0
        return (self.as_of - self.oldest_unpaid_on).days


def arrears(states: Iterable[InstalmentState], as_of: date) -> Arrears:
    """The arrears of a loan at the end of `as_of` (build `states` with `instalment_states(..., as_of=)`)."""
    principal_on: date | None = None
    interest_on: date | None = None
    for state in sorted(states, key=lambda s: s.due_on):
        if state.due_on >= as_of:
            break
        if principal_on is None and state.unpaid_principal > 0:
            principal_on = state.due_on
        if interest_on is None and state.unpaid_interest > 0:
            interest_on = state.due_on
    oldest = min((d for d in (principal_on, interest_on) if d is not None), default=None)
    return Arrears(
        as_of=as_of,
        oldest_unpaid_on=oldest,
        oldest_unpaid_principal_on=principal_on,
        oldest_unpaid_interest_on=interest_on,
    )


def days_past_due(states: Iterable[InstalmentState], as_of: date) -> int:
    """DPD at the end of `as_of`: 18 May due and unpaid, reported on 30 June, is 43."""
    return arrears(states, as_of).days_past_due


@dataclass(frozen=True)
class LoanStanding:
    """The facts a collectibility profile reads; `is_litigation` covers an insurance claim too.

    DPD profiles read the arrears and that flag; the cooperative rule reads the rest as well.
    `instalment_every_months` is None for instalments more often than monthly (daily, weekly).
    For a non-instalment (bullet) loan, the principal's due date is its maturity.
    """

    arrears: Arrears
    is_litigation: bool = False
    is_instalment_loan: bool = True
    instalment_every_months: int | None = 1
    is_recoverable: bool = True
    collateral_value: Decimal = ZERO
    debt_including_interest: Decimal = ZERO
    months_as_diragukan_without_repayment: int = 0

    @property
    def days_past_due(self) -> int:
        return self.arrears.days_past_due


@dataclass(frozen=True)
class DpdProfile:
    """Classes from DPD alone; each `*_max` is the last DPD of the class (both ends inclusive)."""

    key: str
    lancar_max: int
    kurang_lancar_max: int
    diragukan_max: int
    dpk_max: int | None = None

    def __post_init__(self) -> None:
        bounds = [self.lancar_max, self.kurang_lancar_max, self.diragukan_max]
        if self.dpk_max is not None:
            bounds.insert(1, self.dpk_max)
        if bounds[0] < 0 or bounds != sorted(set(bounds)):
            raise LoanInputError(f"The DPD boundaries of profile {self.key} must increase.")

    @property
    def uses_dpk(self) -> bool:
        return self.dpk_max is not None

    def class_for_dpd(self, dpd: int, *, is_litigation: bool = False) -> Kolektibilitas:
        if dpd < 0:
            raise LoanInputError("Days past due cannot be negative.")
        if is_litigation:
            return Kolektibilitas.MACET
        if dpd <= self.lancar_max:
            return Kolektibilitas.LANCAR
        if self.dpk_max is not None and dpd <= self.dpk_max:
            return Kolektibilitas.DPK
        if dpd <= self.kurang_lancar_max:
            return Kolektibilitas.KURANG_LANCAR
        if dpd <= self.diragukan_max:
            return Kolektibilitas.DIRAGUKAN
        return Kolektibilitas.MACET

    def classify(self, standing: LoanStanding) -> Kolektibilitas:
        return self.class_for_dpd(standing.days_past_due, is_litigation=standing.is_litigation)


KOPERASI_BULANAN = DpdProfile("KOPERASI_BULANAN", lancar_max=90, kurang_lancar_max=180, diragukan_max=360)
MIKRO_KETAT = DpdProfile("MIKRO_KETAT", lancar_max=0, dpk_max=30, kurang_lancar_max=60, diragukan_max=90)


@dataclass(frozen=True)
class ArrearsBand:
    """Kurang Lancar when arrears last more than `more_than_months` and up to `up_to_months`."""

    more_than_months: int
    up_to_months: int


@dataclass(frozen=True)
class CooperativeRule:
    """Permen KUKM 20/2008 as amended by 14/2009 (loans.md 6.1), in months of arrears."""

    key: str = "PERMEN_KUKM_14_2009"
    principal_sub_monthly: ArrearsBand = ArrearsBand(1, 2)
    principal_up_to_quarterly: ArrearsBand = ArrearsBand(3, 6)
    principal_semiannual_or_longer: ArrearsBand = ArrearsBand(6, 12)
    # [A] 4- and 5-monthly instalments fall below this and are treated like 3-monthly ones.
    semiannual_from_months: int = 6
    interest_under_one_month: ArrearsBand = ArrearsBand(1, 3)
    interest_over_one_month: ArrearsBand = ArrearsBand(3, 6)
    # [A] the rule says "under" and "over" one month; exactly one month counts as "over".
    one_month_interest_counts_as_over: bool = True
    non_instalment_interest_before_maturity: ArrearsBand = ArrearsBand(3, 6)
    non_instalment_past_maturity_up_to_months: int = 3
    diragukan_collateral_pct_if_recoverable: Decimal = Decimal(75)
    diragukan_collateral_pct_if_unrecoverable: Decimal = Decimal(100)
    macet_after_months_as_diragukan: int = 21

    def classify(self, standing: LoanStanding) -> Kolektibilitas:
        if standing.is_litigation:
            return Kolektibilitas.MACET
        worst = max(self._arrears_levels(standing))
        if worst == _WITHIN:
            return Kolektibilitas.LANCAR
        if worst == _BAND:
            return Kolektibilitas.KURANG_LANCAR
        if standing.months_as_diragukan_without_repayment >= self.macet_after_months_as_diragukan:
            return Kolektibilitas.MACET
        return Kolektibilitas.DIRAGUKAN if self._collateral_holds(standing) else Kolektibilitas.MACET

    def _arrears_levels(self, standing: LoanStanding) -> list[int]:
        a = standing.arrears
        every = standing.instalment_every_months
        if every is not None and every < 1:
            raise LoanInputError("The instalment period must be at least one month, or None for shorter.")
        if not standing.is_instalment_loan:
            levels = [
                _level(a.oldest_unpaid_interest_on, a.as_of, self.non_instalment_interest_before_maturity)
            ]
            if a.oldest_unpaid_principal_on is not None:
                past_limit = self.non_instalment_past_maturity_up_to_months
                levels.append(
                    _BEYOND if a.as_of > add_months(a.oldest_unpaid_principal_on, past_limit) else _BAND
                )
            return levels
        if every is None:
            principal_band = self.principal_sub_monthly
        elif every < self.semiannual_from_months:
            principal_band = self.principal_up_to_quarterly
        else:
            principal_band = self.principal_semiannual_or_longer
        under_one_month = every is None or (every == 1 and not self.one_month_interest_counts_as_over)
        interest_band = self.interest_under_one_month if under_one_month else self.interest_over_one_month
        return [
            _level(a.oldest_unpaid_principal_on, a.as_of, principal_band),
            _level(a.oldest_unpaid_interest_on, a.as_of, interest_band),
        ]

    def _collateral_holds(self, standing: LoanStanding) -> bool:
        if standing.debt_including_interest <= 0:
            return False
        required_pct = (
            self.diragukan_collateral_pct_if_recoverable
            if standing.is_recoverable
            else self.diragukan_collateral_pct_if_unrecoverable
        )
        # Multiplied rather than divided, so exactly 75 % is never lost to a rounded quotient.
        return standing.collateral_value * HUNDRED >= required_pct * standing.debt_including_interest


COOPERATIVE_RULE = CooperativeRule()

CollectibilityProfile = DpdProfile | CooperativeRule

PROFILES: dict[str, CollectibilityProfile] = {
    KOPERASI_BULANAN.key: KOPERASI_BULANAN,
    MIKRO_KETAT.key: MIKRO_KETAT,
    COOPERATIVE_RULE.key: COOPERATIVE_RULE,
}
DEFAULT_PROFILE = KOPERASI_BULANAN.key

# Arrears levels of one criterion of the cooperative rule.
_WITHIN, _BAND, _BEYOND = 0, 1, 2


def _level(since: date | None, as_of: date, band: ArrearsBand) -> int:
    if since is None or as_of <= add_months(since, band.more_than_months):
        return _WITHIN
    if as_of <= add_months(since, band.up_to_months):
        return _BAND
    return _BEYOND


def profile_named(key: str) -> CollectibilityProfile:
    try:
        return PROFILES[key]
    except KeyError:
        raise LoanInputError(f"Unknown collectibility profile: {key}.") from None


def effective_class(
    computed: Kolektibilitas, *, override: Kolektibilitas | None = None, is_litigation: bool = False
) -> Kolektibilitas:
    """The class that counts: the manager's override if any, Macet whenever the litigation flag is set."""
    if is_litigation:
        return Kolektibilitas.MACET
    return override if override is not None else computed


def override_needs_second_approver(
    computed: Kolektibilitas, override: Kolektibilitas, *, better_needs_second_approver: bool = True
) -> bool:
    return better_needs_second_approver and SEVERITY[override] < SEVERITY[computed]


def may_accrue_interest(kolektibilitas: Kolektibilitas, *, lancar_only: bool = True) -> bool:
    """Whether period-end interest may be accrued (1203); `accrue_interest_lancar_only` [A], loans.md 5.

    Income on Kurang Lancar, Diragukan and Macet loans is recognised only when received.
    """
    return kolektibilitas is Kolektibilitas.LANCAR or not lancar_only


@dataclass(frozen=True)
class PpapRules:
    """Required reserve rates in percent per class (PPAPWD) and `ppap_deduct_collateral`."""

    lancar_pct: Decimal = Decimal("0.5")
    dpk_pct: Decimal = Decimal(3)
    kurang_lancar_pct: Decimal = Decimal(10)
    diragukan_pct: Decimal = Decimal(50)
    macet_pct: Decimal = Decimal(100)
    deduct_collateral: bool = False

    def rate(self, kolektibilitas: Kolektibilitas) -> Decimal:
        return {
            Kolektibilitas.LANCAR: self.lancar_pct,
            Kolektibilitas.DPK: self.dpk_pct,
            Kolektibilitas.KURANG_LANCAR: self.kurang_lancar_pct,
            Kolektibilitas.DIRAGUKAN: self.diragukan_pct,
            Kolektibilitas.MACET: self.macet_pct,
        }[kolektibilitas]


class Exposure(Protocol):
    """A loan as the reserve sees it (portfolio.LoanPosition is one)."""

    @property
    def kolektibilitas(self) -> Kolektibilitas: ...

    @property
    def outstanding(self) -> Decimal: ...

    @property
    def collateral_value(self) -> Decimal: ...


@dataclass(frozen=True)
class PpapLine:
    kolektibilitas: Kolektibilitas
    base: Decimal
    rate_pct: Decimal
    required: Decimal


@dataclass(frozen=True)
class PpapRequirement:
    lines: tuple[PpapLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.required for line in self.lines), ZERO)

    def line(self, kolektibilitas: Kolektibilitas) -> PpapLine:
        return next(line for line in self.lines if line.kolektibilitas is kolektibilitas)


def ppap_base(exposure: Exposure, rules: PpapRules) -> Decimal:
    if rules.deduct_collateral and exposure.kolektibilitas in NON_PERFORMING:
        return max(ZERO, exposure.outstanding - exposure.collateral_value)
    return exposure.outstanding


def required_ppap(exposures: Iterable[Exposure], rules: PpapRules | None = None) -> PpapRequirement:
    """PPAP wajib dibentuk per class (every class listed, zero where empty)."""
    rules = rules or PpapRules()
    bases = dict.fromkeys(Kolektibilitas, ZERO)
    for exposure in exposures:
        bases[exposure.kolektibilitas] += ppap_base(exposure, rules)
    return PpapRequirement(
        tuple(
            PpapLine(k, base, rules.rate(k), round_rupiah(base * rules.rate(k) / HUNDRED))
            for k, base in bases.items()
        )
    )


def ppap_coverage(booked: Decimal, required: Decimal) -> Decimal | None:
    """Booked allowance (credit balance of 1209) over the required one, in percent; None if nothing is due."""
    if required <= 0:
        return None
    return booked / required * HUNDRED


def ppap_shortfall(booked: Decimal, required: Decimal) -> Decimal:
    """The top-up a person may approve (Dr 6104 / Cr 1209); never posted automatically."""
    return max(ZERO, required - booked)
