"""Rescheduling (restrukturisasi): a new schedule on the outstanding principal from the next due date,
the old rows kept and marked, arrears interest capitalised or carried, repayments and ageing on the
live schedule, the class held until three new instalments are paid on time."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from coopsaas.core.clock import frozen
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.ledger import balance_of, verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import repayments
from coopsaas.loans.ageing import age_loans
from coopsaas.loans.collectibility import Kolektibilitas
from coopsaas.loans.disbursement import instalments_of
from coopsaas.loans.reports import arrears_list, portfolio_report
from coopsaas.loans.reschedule import reschedule_loan, reschedules_of, schedule_versions
from tests.loans_repay.builders import at, entries, lines_of, make_loan, rp

DAY = date(2027, 5, 1)  # instalments 2-5 (19 Jan - 19 Apr 2027) unpaid: DPD 102, Kurang Lancar
ARREARS_INTEREST = rp(152348 + 139506 + 126471 + 113241)  # loans.md 4.3, rows 2-5
OUTSTANDING = rp(11000000 - 843480)  # instalment 1 paid


@pytest.fixture
def late_loan(coop):
    loan = make_loan(coop, coop.register().member, code="PINJ-USAHA")  # ANUITAS 11.000.000, 12 x 18 %
    repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount="1008480")
    with frozen(at(DAY)):
        age_loans(tenant=coop.tenant, as_of=DAY)
    assert (loan.days_past_due, loan.kolektibilitas, loan.outstanding_principal) == (102, "KL", OUTSTANDING)
    return loan


def reschedule(coop, loan, **kw):
    kw.setdefault("term_months", 24)
    kw.setdefault("rate", "12")
    kw.setdefault("method", "ANUITAS")
    kw.setdefault("reason", "Usaha menurun, angsuran diperkecil")
    with frozen(at(DAY)):
        return reschedule_loan(tenant=coop.tenant, actor=coop.manager, loan=loan, **kw)


def test_rescheduling_keeps_the_old_rows_and_carries_arrears_interest_to_the_first_new_instalment(
    coop, late_loan
):
    loan = late_loan
    posted = entries()
    record = reschedule(coop, loan)
    assert entries() == posted  # nothing capitalised: nothing to post
    with frozen(at(DAY)):  # the day before, the old schedule was in force and 101 days late
        before = arrears_list(coop.tenant, date(2027, 4, 30))
    assert [(a.loan_no, a.days_past_due, a.outstanding) for a in before] == [(loan.loan_no, 101, OUTSTANDING)]
    assert (record.version, record.arrears_interest, record.new_principal, record.class_before) == (
        2,
        ARREARS_INTEREST,
        OUTSTANDING,
        "KL",
    )
    versions = schedule_versions(loan)
    assert [r.superseded_on for r in versions[1]] == [None] + [DAY] * 11  # row 1 paid, 2-12 superseded
    live = instalments_of(loan)
    assert [(r.version, r.no) for r in live[:3]] == [(1, 1), (2, 2), (2, 3)] and len(live) == 25
    first = live[1]
    # A = 10.156.520 x 1 % / (1 - 1,01^-24) = 478.103; interest 101.565 + arrears 531.566
    assert (first.due_on, first.principal, first.interest) == (date(2027, 5, 19), rp(376538), rp(633131))
    assert sum((r.principal for r in live[1:]), rp(0)) == OUTSTANDING
    assert (loan.method, loan.rate, loan.term_months, loan.maturity_on) == (
        "ANUITAS",
        "12",
        25,
        date(2029, 4, 19),
    )
    assert loan.outstanding_principal == OUTSTANDING and reschedules_of(loan) == [record]

    # the ageing job reads the live schedule: nothing is late, but the class stays Kurang Lancar
    with frozen(at(date(2027, 5, 2))):
        age_loans(tenant=coop.tenant, as_of=date(2027, 5, 2))
    assert (loan.days_past_due, loan.kolektibilitas) == (0, "KL")
    # the reports class it as the job does, by the floor, not by its 0 days past due
    report = portfolio_report(coop.tenant, date(2027, 5, 2))
    assert report.counts_by_class[Kolektibilitas.KURANG_LANCAR] == 1
    assert report.counts_by_class[Kolektibilitas.LANCAR] == 0
    for n, day in enumerate((date(2027, 5, 19), date(2027, 6, 19), date(2027, 7, 19))):
        with frozen(at(day)):
            txn = repayments.repay(
                tenant=coop.tenant,
                actor=coop.teller,
                loan=loan,
                amount=str(instalments_of(loan)[1 + n].unpaid),
            )
        assert [ln["no"] for ln in txn.allocation["lines"]] == [2 + n, 2 + n]
        with frozen(at(day)):
            age_loans(tenant=coop.tenant, as_of=day)
        assert loan.kolektibilitas == ("L" if n == 2 else "KL")  # better only after three on time
    assert loan.outstanding_principal == OUTSTANDING - rp(376538) - live[2].principal - live[3].principal
    assert verify_ledger(coop.tenant) == []


def test_rescheduling_carries_the_late_penalty_accrued_up_to_its_date(coop):
    loan = make_loan(coop, coop.register().member)  # FLAT 11.000.000, 12 x 1.081.667, denda 0,1 %/day
    day = date(2027, 1, 25)  # 19 Dec and 19 Jan unpaid, no ageing run ever
    with frozen(at(day)):
        record = reschedule_loan(
            tenant=coop.tenant,
            actor=coop.manager,
            loan=loan,
            term_months=24,
            rate="12",
            method="ANUITAS",
            reason="Usaha menurun",
        )
        first = instalments_of(loan)[0]
    # 34 days after the grace on #1 (36.776,678 -> 36.777) and 3 days on #2 (3.245): on the first
    # new instalment, charged through the rescheduling date
    assert (record.version, first.version, first.penalty, first.penalty_through) == (2, 2, rp(40022), day)
    with frozen(at(first.due_on)):
        txn = repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount="40022")
    assert (txn.penalty, txn.interest, txn.principal) == (rp(40022), rp(0), rp(0))
    assert verify_ledger(coop.tenant) == []


def test_capitalised_arrears_interest_is_posted_and_becomes_principal(coop, late_loan, check_deferred):
    loan = late_loan
    record = reschedule(coop, loan, capitalise_interest=True)
    check_deferred()
    entry = db.session.scalars(select(JournalEntry).where(JournalEntry.id == record.journal_entry_id)).one()
    assert lines_of(entry) == [("1201", ARREARS_INTEREST, rp(0)), ("4101", rp(0), ARREARS_INTEREST)]
    assert loan.outstanding_principal == rp(10688086) == record.new_principal
    live = instalments_of(loan)
    assert (live[1].principal, live[1].interest, live[-1].balance_after) == (rp(396244), rp(106881), rp(0))
    assert sum((r.principal for r in live[1:]), rp(0)) == rp(10688086)
    assert balance_of(coop.accounts["1201"], DAY) == rp(10688086)
    assert verify_ledger(coop.tenant) == []
    with frozen(at(date(2027, 5, 19))):
        txn = repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount="503125")
    assert (txn.principal, txn.interest) == (rp(396244), rp(106881))
    assert verify_ledger(coop.tenant) == []


def test_bad_rescheduling_terms_are_refused_and_change_nothing(coop, late_loan):
    loan = late_loan
    posted = entries()
    for kw, field in (
        ({"term_months": "0"}, "term_months"),
        ({"term_months": "abc"}, "term_months"),
        ({"rate": "-1"}, "rate"),
        ({"method": "MURABAHAH"}, "method"),
        ({"reason": ""}, "reason"),
    ):
        with pytest.raises(DomainError) as caught:
            reschedule(coop, loan, **kw)
        assert field in caught.value.fields
    assert entries() == posted and len(instalments_of(loan)) == 12 and reschedules_of(loan) == []


def test_a_closed_or_written_off_loan_cannot_be_rescheduled(coop):
    from coopsaas.loans import writeoff

    loan = make_loan(coop, coop.register().member)
    proposal = writeoff.propose_write_off(
        tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Tidak membayar"
    )
    writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
    with pytest.raises(DomainError) as caught:
        reschedule_loan(tenant=coop.tenant, actor=coop.manager, loan=loan, term_months=12, reason="Coba lagi")
    assert caught.value.code == "loan_written_off"


def test_a_restructured_loan_counts_in_every_par_bucket_whatever_its_days_late(coop, late_loan):
    from coopsaas.loans.reports import portfolio_report

    reschedule(coop, late_loan)
    quality = portfolio_report(coop.tenant, date(2027, 5, 2)).quality
    assert [(p.name, p.amount) for p in quality.par] == [
        ("PAR1", OUTSTANDING),
        ("PAR30", OUTSTANDING),
        ("PAR90", OUTSTANDING),
    ]
