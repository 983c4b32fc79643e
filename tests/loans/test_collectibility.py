"""Days past due, collectibility classes and PPAP (domain/loans.md sections 6-7)."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import pytest

from coopsaas.loans.allocation import PenaltyCharge, allocate_payment, instalment_states
from coopsaas.loans.collectibility import (
    COOPERATIVE_RULE,
    DEFAULT_PROFILE,
    KOPERASI_BULANAN,
    MIKRO_KETAT,
    PROFILES,
    Arrears,
    CooperativeRule,
    DpdProfile,
    Kolektibilitas,
    LoanStanding,
    PpapRules,
    arrears,
    days_past_due,
    effective_class,
    may_accrue_interest,
    override_needs_second_approver,
    ppap_coverage,
    ppap_shortfall,
    profile_named,
    required_ppap,
)
from coopsaas.loans.schedule import LoanInputError, Method, Rate, build_schedule

L, DPK, KL, D, M = (
    Kolektibilitas.LANCAR,
    Kolektibilitas.DPK,
    Kolektibilitas.KURANG_LANCAR,
    Kolektibilitas.DIRAGUKAN,
    Kolektibilitas.MACET,
)


def schedule_from(disbursed_on, term=12):
    return build_schedule(
        Method.EFEKTIF,
        principal=Decimal(12_000_000),
        term=term,
        disbursed_on=disbursed_on,
        rate=Rate.pa(Decimal(18)),
    )


def test_dpd_counts_from_the_oldest_unpaid_instalment_as_in_the_doc():
    schedule = schedule_from(date(2025, 4, 18))  # first instalment due 18 May 2025

    assert days_past_due(instalment_states(schedule.instalments), date(2025, 6, 30)) == 43


def test_dpd_is_zero_on_the_due_date_and_one_the_next_day():
    states = instalment_states(schedule_from(date(2025, 4, 18)).instalments)

    assert days_past_due(states, date(2025, 5, 18)) == 0
    assert days_past_due(states, date(2025, 5, 19)) == 1


def test_dpd_is_zero_when_the_overdue_instalments_are_paid():
    schedule = schedule_from(date(2025, 4, 18))
    payment = allocate_payment(
        instalment_states(schedule.instalments),
        amount=schedule.instalments[0].total,
        paid_on=date(2025, 5, 18),
    )

    assert (
        days_past_due(instalment_states(schedule.instalments, allocations=[payment]), date(2025, 6, 1)) == 0
    )


def test_one_rupiah_short_keeps_the_instalment_overdue():
    schedule = schedule_from(date(2025, 4, 18))
    short = allocate_payment(
        instalment_states(schedule.instalments),
        amount=schedule.instalments[0].total - 1,
        paid_on=date(2025, 5, 18),
    )

    states = instalment_states(schedule.instalments, allocations=[short])

    assert days_past_due(states, date(2025, 6, 1)) == 14
    assert arrears(states, date(2025, 6, 1)).oldest_unpaid_principal_on == date(2025, 5, 18)


def test_unpaid_interest_alone_keeps_the_loan_late():
    (first, *rest) = instalment_states(schedule_from(date(2025, 4, 18)).instalments)
    interest_short = replace(first, principal_paid=first.principal, interest_paid=first.interest - 1_000)

    found = arrears([interest_short, *rest], date(2025, 6, 1))

    assert found.days_past_due == 14
    assert found.oldest_unpaid_interest_on == date(2025, 5, 18)
    assert found.oldest_unpaid_principal_on is None


def test_unpaid_penalty_alone_does_not_make_a_loan_late():
    schedule = schedule_from(date(2025, 4, 18))
    on_time = allocate_payment(
        instalment_states(schedule.instalments),
        amount=schedule.instalments[0].total,
        paid_on=date(2025, 5, 18),
    )

    states = instalment_states(
        schedule.instalments,
        penalties=[PenaltyCharge(1, date(2025, 5, 20), Decimal(5_000))],
        allocations=[on_time],
    )

    assert states[0].unpaid_penalty == Decimal(5_000)
    assert days_past_due(states, date(2025, 6, 1)) == 0


def test_dpd_on_a_past_report_date_ignores_later_payments():
    schedule = schedule_from(date(2025, 4, 18))
    late = allocate_payment(
        instalment_states(schedule.instalments),
        amount=schedule.instalments[0].total,
        paid_on=date(2025, 6, 10),
    )

    as_of_may = instalment_states(schedule.instalments, allocations=[late], as_of=date(2025, 5, 31))
    as_of_june = instalment_states(schedule.instalments, allocations=[late], as_of=date(2025, 6, 15))

    assert days_past_due(as_of_may, date(2025, 5, 31)) == 13
    assert days_past_due(as_of_june, date(2025, 6, 15)) == 0


@pytest.mark.parametrize(
    ("disbursed_on", "report_on", "expected_due", "expected_dpd"),
    [
        # Due 31 Jan -> 29 Feb in a leap year, 28 Feb otherwise; the second instalment stays unpaid.
        (date(2023, 12, 31), date(2024, 3, 31), date(2024, 2, 29), 31),
        (date(2024, 12, 31), date(2025, 3, 31), date(2025, 2, 28), 31),
        (date(2023, 12, 31), date(2024, 3, 1), date(2024, 2, 29), 1),
        (date(2024, 12, 31), date(2025, 3, 1), date(2025, 2, 28), 1),
    ],
)
def test_ageing_across_month_ends_and_leap_years(disbursed_on, report_on, expected_due, expected_dpd):
    schedule = schedule_from(disbursed_on)
    first = allocate_payment(
        instalment_states(schedule.instalments),
        amount=schedule.instalments[0].total,
        paid_on=schedule.instalments[0].due_on,
    )
    states = instalment_states(schedule.instalments, allocations=[first])

    assert schedule.instalments[1].due_on == expected_due
    assert days_past_due(states, report_on) == expected_dpd


def test_ageing_of_the_first_instalment_over_february_in_leap_and_common_years():
    leap = instalment_states(schedule_from(date(2023, 12, 31)).instalments)
    common = instalment_states(schedule_from(date(2024, 12, 31)).instalments)

    assert days_past_due(leap, date(2024, 3, 31)) == 60  # due 31 Jan 2024
    assert days_past_due(common, date(2025, 3, 31)) == 59  # due 31 Jan 2025


@pytest.mark.parametrize(
    ("dpd", "expected"),
    [
        (0, L),
        (1, L),
        (89, L),
        (90, L),
        (91, KL),
        (92, KL),
        (179, KL),
        (180, KL),
        (181, D),
        (182, D),
        (359, D),
        (360, D),
        (361, M),
        (362, M),
        (2000, M),
    ],
)
def test_koperasi_bulanan_boundaries(dpd, expected):
    assert KOPERASI_BULANAN.class_for_dpd(dpd) is expected


@pytest.mark.parametrize(
    ("dpd", "expected"),
    [
        (0, L),
        (1, DPK),
        (2, DPK),
        (29, DPK),
        (30, DPK),
        (31, KL),
        (32, KL),
        (59, KL),
        (60, KL),
        (61, D),
        (62, D),
        (89, D),
        (90, D),
        (91, M),
        (92, M),
    ],
)
def test_mikro_ketat_boundaries(dpd, expected):
    assert MIKRO_KETAT.class_for_dpd(dpd) is expected


@pytest.mark.parametrize("profile", [KOPERASI_BULANAN, MIKRO_KETAT, COOPERATIVE_RULE])
def test_litigation_or_insurance_claim_forces_macet_under_every_profile(profile):
    standing = LoanStanding(arrears=Arrears(as_of=date(2025, 6, 30)), is_litigation=True)

    assert profile.classify(standing) is M


def test_profiles_are_selectable_by_key_and_koperasi_bulanan_is_the_default():
    assert set(PROFILES) == {"KOPERASI_BULANAN", "MIKRO_KETAT", "PERMEN_KUKM_14_2009"}
    assert profile_named(DEFAULT_PROFILE) is KOPERASI_BULANAN
    assert not KOPERASI_BULANAN.uses_dpk
    assert MIKRO_KETAT.uses_dpk
    with pytest.raises(LoanInputError):
        profile_named("BPR")


def test_a_dpd_profile_classifies_a_standing_from_its_arrears():
    standing = LoanStanding(arrears=Arrears(as_of=date(2025, 6, 30), oldest_unpaid_on=date(2025, 5, 18)))

    assert standing.days_past_due == 43
    assert MIKRO_KETAT.classify(standing) is KL
    assert KOPERASI_BULANAN.classify(standing) is L


def test_an_agency_profile_must_have_increasing_boundaries():
    with pytest.raises(LoanInputError):
        DpdProfile("BROKEN", lancar_max=30, kurang_lancar_max=30, diragukan_max=90)
    assert DpdProfile("AGENCY", lancar_max=7, kurang_lancar_max=60, diragukan_max=120).class_for_dpd(8) is KL


# The cooperative rule of Permen KUKM 20/2008 as amended by 14/2009 (loans.md 6.1), months of arrears.
DUE = date(2025, 1, 15)


def standing(as_of, *, principal_on=DUE, interest_on=None, every=1, **facts):
    return LoanStanding(
        arrears=Arrears(
            as_of=as_of,
            oldest_unpaid_on=min(d for d in (principal_on, interest_on, date.max) if d),
            oldest_unpaid_principal_on=principal_on,
            oldest_unpaid_interest_on=interest_on,
        ),
        instalment_every_months=every,
        **facts,
    )


COVERED = {"collateral_value": Decimal(7_500_000), "debt_including_interest": Decimal(10_000_000)}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 4, 14), L),
        (date(2025, 4, 15), L),  # exactly 3 months: not "more than 3"
        (date(2025, 4, 16), KL),
        (date(2025, 7, 15), KL),  # up to 6 months
        (date(2025, 7, 16), D),  # beyond KL, collateral covers 75 %
    ],
)
def test_cooperative_rule_monthly_principal_arrears(as_of, expected):
    assert COOPERATIVE_RULE.classify(standing(as_of, **COVERED)) is expected


def test_cooperative_rule_is_macet_beyond_kl_when_collateral_is_short():
    short = {"collateral_value": Decimal(7_499_999), "debt_including_interest": Decimal(10_000_000)}

    assert COOPERATIVE_RULE.classify(standing(date(2025, 7, 16), **short)) is M


def test_cooperative_rule_unrecoverable_loan_needs_full_collateral_to_stay_diragukan():
    full = {"collateral_value": Decimal(10_000_000), "debt_including_interest": Decimal(10_000_000)}

    assert COOPERATIVE_RULE.classify(standing(date(2025, 7, 16), is_recoverable=False, **full)) is D
    assert COOPERATIVE_RULE.classify(standing(date(2025, 7, 16), is_recoverable=False, **COVERED)) is M


def test_cooperative_rule_diragukan_for_21_months_without_repayment_becomes_macet():
    assert (
        COOPERATIVE_RULE.classify(
            standing(date(2025, 7, 16), months_as_diragukan_without_repayment=20, **COVERED)
        )
        is D
    )
    assert (
        COOPERATIVE_RULE.classify(
            standing(date(2025, 7, 16), months_as_diragukan_without_repayment=21, **COVERED)
        )
        is M
    )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(date(2025, 2, 15), L), (date(2025, 2, 16), KL), (date(2025, 3, 15), KL), (date(2025, 3, 16), D)],
)
def test_cooperative_rule_daily_or_weekly_instalments_are_kl_after_one_up_to_two_months(as_of, expected):
    assert COOPERATIVE_RULE.classify(standing(as_of, every=None, **COVERED)) is expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(date(2025, 7, 15), L), (date(2025, 7, 16), KL), (date(2026, 1, 15), KL), (date(2026, 1, 16), D)],
)
def test_cooperative_rule_six_monthly_instalments_are_kl_after_six_up_to_twelve_months(as_of, expected):
    assert COOPERATIVE_RULE.classify(standing(as_of, every=6, **COVERED)) is expected


def test_cooperative_rule_treats_four_monthly_instalments_like_quarterly_ones():
    four_months_late = date(2025, 5, 16)

    assert COOPERATIVE_RULE.classify(standing(four_months_late, every=4, **COVERED)) is KL
    as_semiannual = CooperativeRule(semiannual_from_months=4)
    assert as_semiannual.classify(standing(four_months_late, every=4, **COVERED)) is L


def test_cooperative_rule_monthly_interest_period_counts_as_over_one_month_by_default():
    two_months_interest = standing(date(2025, 3, 16), principal_on=None, interest_on=DUE)

    assert COOPERATIVE_RULE.classify(two_months_interest) is L
    assert CooperativeRule(one_month_interest_counts_as_over=False).classify(two_months_interest) is KL


def test_cooperative_rule_weekly_interest_arrears_are_kl_after_one_up_to_three_months():
    assert (
        COOPERATIVE_RULE.classify(standing(date(2025, 2, 16), principal_on=None, interest_on=DUE, every=None))
        is KL
    )
    assert (
        COOPERATIVE_RULE.classify(
            standing(date(2025, 4, 16), principal_on=None, interest_on=DUE, every=None, **COVERED)
        )
        is D
    )


@pytest.mark.parametrize(
    ("as_of", "principal_on", "interest_on", "expected"),
    [
        (date(2025, 4, 15), None, DUE, L),  # before maturity, interest 3 months late
        (date(2025, 4, 16), None, DUE, KL),
        (date(2025, 7, 16), None, DUE, D),
        (date(2025, 1, 16), DUE, None, KL),  # one day past maturity and unpaid
        (date(2025, 4, 15), DUE, None, KL),
        (date(2025, 4, 16), DUE, None, D),
    ],
)
def test_cooperative_rule_for_non_instalment_loans(as_of, principal_on, interest_on, expected):
    facts = standing(
        as_of, principal_on=principal_on, interest_on=interest_on, is_instalment_loan=False, **COVERED
    )

    assert COOPERATIVE_RULE.classify(facts) is expected


def test_override_counts_and_litigation_wins_over_it():
    assert effective_class(KL) is KL
    assert effective_class(KL, override=D) is D
    assert effective_class(L, override=L, is_litigation=True) is M


def test_override_to_a_better_class_needs_a_second_approver():
    assert override_needs_second_approver(D, KL)
    assert not override_needs_second_approver(KL, D)
    assert not override_needs_second_approver(KL, KL)
    assert not override_needs_second_approver(D, KL, better_needs_second_approver=False)


def test_interest_is_accrued_for_lancar_loans_only_by_default():
    assert may_accrue_interest(L)
    assert not may_accrue_interest(DPK)
    assert not may_accrue_interest(KL)
    assert may_accrue_interest(M, lancar_only=False)


@dataclass(frozen=True)
class Loan:
    kolektibilitas: Kolektibilitas
    outstanding: Decimal
    collateral_value: Decimal = Decimal(0)


def test_required_ppap_uses_the_rate_of_each_class():
    loans = [Loan(k, Decimal(1_000_000)) for k in (L, DPK, KL, D, M)]

    ppap = required_ppap(loans)

    assert [line.required for line in ppap.lines] == [
        Decimal(5_000),
        Decimal(30_000),
        Decimal(100_000),
        Decimal(500_000),
        Decimal(1_000_000),
    ]
    assert ppap.total == Decimal(1_635_000)


def test_required_ppap_rounds_each_class_half_up_to_the_rupiah():
    ppap = required_ppap([Loan(L, Decimal(1_234_500)), Loan(L, Decimal(100))])

    assert ppap.line(L).base == Decimal(1_234_600)
    assert ppap.line(L).required == Decimal(6_173)  # 6.173,00
    assert required_ppap([Loan(L, Decimal(1_234_700))]).total == Decimal(6_174)  # 6.173,50


def test_collateral_is_not_deducted_by_default():
    ppap = required_ppap([Loan(KL, Decimal(2_000_000), Decimal(1_500_000))])

    assert ppap.total == Decimal(200_000)


def test_collateral_deduction_applies_to_kl_d_m_only_and_never_below_zero():
    rules = PpapRules(deduct_collateral=True)
    loans = [
        Loan(L, Decimal(4_000_000), Decimal(4_000_000)),
        Loan(KL, Decimal(2_000_000), Decimal(1_500_000)),
        Loan(D, Decimal(1_000_000), Decimal(3_000_000)),
        Loan(M, Decimal(800_000), Decimal(300_000)),
    ]

    ppap = required_ppap(loans, rules)

    assert ppap.line(L).required == Decimal(20_000)
    assert ppap.line(KL).base == Decimal(500_000)
    assert ppap.line(D).base == Decimal(0)
    assert ppap.line(M).required == Decimal(500_000)
    assert ppap.total == Decimal(570_000)


def test_ppap_rates_are_a_rulebook_setting():
    rules = PpapRules(kurang_lancar_pct=Decimal(15))

    assert required_ppap([Loan(KL, Decimal(2_000_000))], rules).total == Decimal(300_000)


def test_ppap_coverage_and_shortfall():
    assert ppap_coverage(Decimal(1_500_000), Decimal(2_000_000)) == Decimal(75)
    assert ppap_shortfall(Decimal(1_500_000), Decimal(2_000_000)) == Decimal(500_000)
    assert ppap_shortfall(Decimal(2_500_000), Decimal(2_000_000)) == 0
    assert ppap_coverage(Decimal(0), Decimal(0)) is None
