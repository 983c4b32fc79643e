"""PAR, NPL, RPM, portfolio by class and PPAP: the portfolio test vector of domain/loans.md section 9."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from coopsaas.loans.collectibility import KOPERASI_BULANAN, MIKRO_KETAT, Kolektibilitas
from coopsaas.loans.portfolio import LoanPosition, ParBucket, PortfolioRules, portfolio_quality

L, DPK, KL, D, M = (
    Kolektibilitas.LANCAR,
    Kolektibilitas.DPK,
    Kolektibilitas.KURANG_LANCAR,
    Kolektibilitas.DIRAGUKAN,
    Kolektibilitas.MACET,
)
VECTOR = [
    ("L1", 27_000_000, 0),
    ("L2", 4_500_000, 12),
    ("L3", 3_000_000, 45),
    ("L4", 2_200_000, 120),
    ("L5", 1_500_000, 200),
    ("L6", 1_000_000, 400),
]


def positions(profile, **flags):
    return [
        LoanPosition(loan_id, Decimal(amount), dpd, profile.class_for_dpd(dpd), **flags.get(loan_id, {}))
        for loan_id, amount, dpd in VECTOR
    ]


def pct(value):
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.mark.parametrize("profile", [KOPERASI_BULANAN, MIKRO_KETAT])
def test_par_buckets_match_the_vector_whatever_the_profile(profile):
    quality = portfolio_quality(positions(profile))

    assert quality.gross_outstanding == Decimal(39_200_000)
    expected = {
        "PAR1": (("L2", "L3", "L4", "L5", "L6"), Decimal(12_200_000), Decimal("31.12")),
        "PAR30": (("L3", "L4", "L5", "L6"), Decimal(7_700_000), Decimal("19.64")),
        "PAR90": (("L4", "L5", "L6"), Decimal(4_700_000), Decimal("11.99")),
    }
    for name, (loan_ids, amount, percent) in expected.items():
        figure = quality.par_named(name)
        assert (figure.loan_ids, figure.amount, pct(figure.percent)) == (loan_ids, amount, percent)


def test_vector_under_koperasi_bulanan():
    quality = portfolio_quality(positions(KOPERASI_BULANAN))

    assert quality.by_class == {
        L: Decimal(34_500_000),
        DPK: Decimal(0),
        KL: Decimal(2_200_000),
        D: Decimal(1_500_000),
        M: Decimal(1_000_000),
    }
    assert (quality.npl_amount, pct(quality.npl_percent)) == (Decimal(4_700_000), Decimal("11.99"))
    assert (quality.rpm_amount, pct(quality.rpm_percent)) == (Decimal(3_225_000), Decimal("8.23"))
    assert [quality.ppap.line(k).required for k in (L, KL, D, M)] == [
        Decimal(172_500),
        Decimal(220_000),
        Decimal(750_000),
        Decimal(1_000_000),
    ]
    assert quality.ppap.total == Decimal(2_142_500)


def test_vector_under_mikro_ketat():
    quality = portfolio_quality(positions(MIKRO_KETAT))

    assert quality.by_class == {
        L: Decimal(27_000_000),
        DPK: Decimal(4_500_000),
        KL: Decimal(3_000_000),
        D: Decimal(0),
        M: Decimal(4_700_000),
    }
    assert (quality.npl_amount, pct(quality.npl_percent)) == (Decimal(7_700_000), Decimal("19.64"))
    assert (quality.rpm_amount, pct(quality.rpm_percent)) == (Decimal(6_200_000), Decimal("15.82"))
    assert [quality.ppap.line(k).required for k in (L, DPK, KL, D, M)] == [
        Decimal(135_000),
        Decimal(135_000),
        Decimal(300_000),
        Decimal(0),
        Decimal(4_700_000),
    ]
    assert quality.ppap.total == Decimal(5_270_000)


def test_dpk_is_not_part_of_npl():
    quality = portfolio_quality([LoanPosition("A", Decimal(1_000_000), 20, DPK)])

    assert quality.npl_amount == 0
    assert quality.npl_percent == 0


def test_restructured_loan_counts_in_every_par_bucket_whatever_its_dpd():
    quality = portfolio_quality(positions(KOPERASI_BULANAN, L1={"is_restructured": True}))

    assert [quality.par_named(b).amount for b in ("PAR1", "PAR30", "PAR90")] == [
        Decimal(39_200_000),
        Decimal(34_700_000),
        Decimal(31_700_000),
    ]


def test_restructured_loans_can_be_left_to_their_dpd():
    rules = PortfolioRules(par_include_restructured=False)

    quality = portfolio_quality(positions(KOPERASI_BULANAN, L1={"is_restructured": True}), rules=rules)

    assert quality.par_named("PAR1").amount == Decimal(12_200_000)


def test_written_off_loans_leave_par_and_are_reported_beside_it():
    book = [*positions(KOPERASI_BULANAN), LoanPosition("W1", Decimal(800_000), 500, M, is_written_off=True)]

    quality = portfolio_quality(book)

    assert quality.gross_outstanding == Decimal(39_200_000)
    assert quality.par_named("PAR90").amount == Decimal(4_700_000)
    assert quality.by_class[M] == Decimal(1_000_000)
    assert (quality.written_off_count, quality.written_off_amount) == (1, Decimal(800_000))
    assert quality.loan_count == 6


def test_manager_override_is_the_class_that_counts():
    book = positions(KOPERASI_BULANAN)
    book[3] = LoanPosition("L4", Decimal(2_200_000), 120, D)  # computed KL, overridden to D

    quality = portfolio_quality(book)

    assert quality.by_class[D] == Decimal(3_700_000)
    assert quality.ppap.total == Decimal(3_022_500)  # 2.142.500 - 10 % + 50 % of 2.200.000


def test_par_buckets_are_a_rulebook_setting():
    rules = PortfolioRules(par_buckets=(ParBucket("PAR60", 61),))

    quality = portfolio_quality(positions(KOPERASI_BULANAN), rules=rules)

    assert [(f.name, f.amount) for f in quality.par] == [("PAR60", Decimal(4_700_000))]


def test_an_empty_portfolio_has_no_ratios():
    quality = portfolio_quality([])

    assert quality.gross_outstanding == 0
    assert quality.par_named("PAR30").percent is None
    assert quality.npl_percent is None
    assert quality.ppap.total == 0
