"""Reports dated in the past: the arrears list and the portfolio quality show the book as it stood
at the end of that day, not with the repayments, payoffs and loans that came after it."""

from __future__ import annotations

from datetime import date

from coopsaas.core.clock import frozen
from coopsaas.loans import repayments
from coopsaas.loans.collectibility import Kolektibilitas
from coopsaas.loans.reports import arrears_list, portfolio_report
from tests.loans_repay.builders import NIK_BUDI, at, make_loan, rp

REPORT_DAY = date(2027, 1, 5)  # instalment 1 (19 December) of every loan unpaid: 17 days late
LATER = date(2027, 1, 16)  # before the second instalments fall due (19 January)


def test_a_past_arrears_list_shows_who_was_late_then_even_if_they_paid_since(coop):
    siti = coop.register().member
    budi = coop.register(nik=NIK_BUDI, name="Budi Santoso").member
    late_then = make_loan(coop, siti)  # FLAT 11.000.000: 12 x 1.081.667 (916.667 + 165.000)
    still_late = make_loan(coop, budi)
    with frozen(at(date(2027, 1, 10))):
        # Siti pays instalment 1 with the denda of the 19 days after the grace (22 Dec - 10 Jan)
        paid = repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=late_then, amount="1102219")
    assert (paid.penalty, paid.principal + paid.interest) == (rp(20552), rp(1081667))
    with frozen(at(LATER)):
        today = arrears_list(coop.tenant, LATER)
        then = arrears_list(coop.tenant, REPORT_DAY)
    assert [a.loan_no for a in today] == [still_late.loan_no]
    assert sorted(a.loan_no for a in then) == sorted([late_then.loan_no, still_late.loan_no])
    siti_then = next(a for a in then if a.loan_no == late_then.loan_no)
    # as on 5 January: instalment 1 unpaid, 14 days of denda after the grace (15.143)
    assert (siti_then.days_past_due, siti_then.principal_due, siti_then.interest_due) == (
        17,
        rp(916667),
        rp(165000),
    )
    assert (siti_then.penalty_due, siti_then.outstanding) == (rp(15143), rp(11000000))
    budi_then = next(a for a in then if a.loan_no == still_late.loan_no)
    assert (budi_then.days_past_due, budi_then.amount_due) == (17, siti_then.amount_due)


def test_a_past_portfolio_counts_loans_paid_off_since_and_not_loans_made_since(coop):
    siti = coop.register().member
    budi = coop.register(nik=NIK_BUDI, name="Budi Santoso").member
    paid_off = make_loan(coop, siti)
    with frozen(at(date(2027, 1, 12))):
        quote = repayments.quote_settlement(paid_off, date(2027, 1, 12))
        repayments.repay(
            tenant=coop.tenant, actor=coop.teller, loan=paid_off, amount=quote.total, settle=True
        )
    assert paid_off.status == "closed"
    with frozen(at(date(2027, 1, 15))):
        make_loan(coop, budi)  # after the report date
    with frozen(at(LATER)):
        then = portfolio_report(coop.tenant, REPORT_DAY)
        today = portfolio_report(coop.tenant, LATER)
    # On 5 January only Siti's loan existed: Rp 11.000.000, 17 days late (PAR1 100 %), Lancar.
    assert then.counts_by_class[Kolektibilitas.LANCAR] == 1 and sum(then.counts_by_class.values()) == 1
    assert then.quality.gross_outstanding == rp(11000000)
    assert then.quality.par_named("PAR1").amount == rp(11000000)
    # Today: only Budi's new loan, on time.
    assert sum(today.counts_by_class.values()) == 1 and today.quality.gross_outstanding == rp(11000000)
    assert today.quality.par_named("PAR1").amount == rp(0)
