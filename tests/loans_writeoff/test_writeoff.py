"""Write-off (hapus buku) with maker-checker against the loss reserve, and recoveries on a
written-off loan: postings to the rupiah, states, refusals, and a clean sub-ledger check."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from coopsaas.core.audit import AuditEvent
from coopsaas.core.clock import frozen
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.ledger import balance_of, verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import repayments, writeoff
from coopsaas.loans.ageing import age_loans
from coopsaas.loans.models import ACTIVE, WRITTEN_OFF, LoanRecovery
from tests.loans_repay.builders import NIK_BUDI, at, entries, lines_of, make_loan, rp

ARREARS_DAY = date(2027, 1, 25)  # instalments of 19 Dec and 19 Jan unpaid
MACET_DAY = date(2027, 12, 20)  # every instalment overdue, oldest 366 days: Macet


def entry_of(entry_id):
    return db.session.scalars(select(JournalEntry).where(JournalEntry.id == entry_id)).one()


def refused(call, code):
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


def clean_books(coop):
    assert verify_ledger(coop.tenant) == []


def test_write_off_with_a_short_reserve_books_the_shortfall_to_6104_and_keeps_interest_off_balance(
    coop, check_deferred
):
    loan = make_loan(coop, coop.register().member)  # FLAT Rp 11.000.000, 12 x 18 % p.a.
    age_loans(tenant=coop.tenant, as_of=loan.disbursed_on)  # Lancar: reserve Rp 55.000
    reserve = coop.accounts["1209"]
    assert balance_of(reserve, loan.disbursed_on) == rp(55000)
    with frozen(at(ARREARS_DAY)):
        proposal = writeoff.propose_write_off(
            tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Anggota pindah, tidak dapat dihubungi"
        )
        assert proposal.status == "proposed" and loan.status == ACTIVE
        done = writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
    check_deferred()
    assert (done.status, done.written_off_on, loan.status) == ("approved", ARREARS_DAY, WRITTEN_OFF)
    # principal off the books: Rp 55.000 from the reserve, Rp 10.945.000 as expense
    assert (done.principal, done.reserve_used, done.shortfall) == (rp(11000000), rp(55000), rp(10945000))
    assert lines_of(entry_of(done.journal_entry_id)) == [
        ("1201", rp(0), rp(11000000)),
        ("1209", rp(55000), rp(0)),
        ("6104", rp(10945000), rp(0)),
    ]
    # two instalments of interest (2 x Rp 165.000) due and unpaid, and their denda (0,1 % a day of
    # Rp 1.081.667 after 3 days of grace: 34 days on #1 = 36.777, 3 days on #2 = 3.245): kept for
    # collection, not booked
    assert (done.interest, done.penalty, done.claim) == (rp(330000), rp(40022), rp(11370022))
    assert balance_of(reserve, ARREARS_DAY) == rp(0)
    assert balance_of(coop.accounts["1201"], ARREARS_DAY) == rp(0)
    clean_books(coop)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"loans.write_off_propose", "loans.write_off"} <= actions


def test_write_off_covered_by_the_reserve_then_recoveries_lower_the_claim(coop, check_deferred):
    loan = make_loan(coop, coop.register().member, amount="11000000", code="PINJ-USAHA")  # ANUITAS, no denda
    with frozen(at(MACET_DAY)):
        run = age_loans(tenant=coop.tenant, as_of=MACET_DAY)
        assert (loan.kolektibilitas, run.ppap_required) == ("M", rp(11000000))
        proposal = writeoff.propose_write_off(
            tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Macet lebih dari satu tahun"
        )
        done = writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
        check_deferred()
        assert lines_of(entry_of(done.journal_entry_id)) == [
            ("1201", rp(0), rp(11000000)),
            ("1209", rp(11000000), rp(0)),
        ]
        # the whole schedule's interest (loans.md 4.3) was due and unpaid
        assert (done.shortfall, done.interest, done.claim) == (rp(0), rp(1101758), rp(12101758))

        first = writeoff.record_recovery(
            tenant=coop.tenant, actor=coop.teller, loan=loan, amount="2000000", channel="cash"
        )
        assert lines_of(entry_of(first.journal_entry_id)) == [
            ("1101", rp(2000000), rp(0)),
            ("4901", rp(0), rp(2000000)),
        ]
        assert (first.claim_after, done.recovered, done.claim) == (rp(10101758), rp(2000000), rp(10101758))
        second = writeoff.record_recovery(
            tenant=coop.tenant, actor=coop.teller, loan=loan, amount="101758", channel="transfer"
        )
        assert lines_of(entry_of(second.journal_entry_id)) == [
            ("1102", rp(101758), rp(0)),
            ("4901", rp(0), rp(101758)),
        ]
        assert second.claim_after == rp(10000000)
        posted = entries()
        error = refused(
            lambda: writeoff.record_recovery(
                tenant=coop.tenant, actor=coop.teller, loan=loan, amount="10000001"
            ),
            "amount_not_accepted",
        )
        assert "Rp 10.000.000" in str(error)
        assert entries() == posted and done.recovered == rp(2101758)
        # the next ageing run finds no active loan and nothing left in the reserve
        after = age_loans(tenant=coop.tenant, as_of=date(2027, 12, 21))
        assert (after.loan_count, after.ppap_required, after.adjustment) == (0, rp(0), rp(0))
    check_deferred()
    clean_books(coop)
    assert [r.amount for r in writeoff.recoveries_of(loan)] == [rp(2000000), rp(101758)]


def test_a_recovery_form_sent_twice_is_recorded_once(coop):
    loan = make_loan(coop, coop.register().member)
    proposal = writeoff.propose_write_off(
        tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Usaha bangkrut"
    )
    writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
    first = writeoff.record_recovery(
        tenant=coop.tenant, actor=coop.teller, loan=loan, amount="500000", idempotency_key="form:abc"
    )
    posted = entries()
    again = writeoff.record_recovery(
        tenant=coop.tenant, actor=coop.teller, loan=loan, amount="500000", idempotency_key="form:abc"
    )
    assert again.id == first.id and entries() == posted
    assert len(db.session.scalars(select(LoanRecovery)).all()) == 1


def test_the_maker_cannot_approve_and_a_second_proposal_waits_for_the_first(coop):
    loan = make_loan(coop, coop.register().member)
    proposal = writeoff.propose_write_off(
        tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Tidak membayar"
    )
    posted = entries()
    refused(
        lambda: writeoff.approve_write_off(tenant=coop.tenant, actor=coop.teller, proposal=proposal),
        "maker_checker",
    )
    refused(
        lambda: writeoff.propose_write_off(
            tenant=coop.tenant, actor=coop.manager, loan=loan, reason="Sekali lagi"
        ),
        "write_off_pending",
    )
    refused(
        lambda: writeoff.propose_write_off(tenant=coop.tenant, actor=coop.manager, loan=loan, reason=""),
        "validation_error",
    )
    assert entries() == posted and loan.status == ACTIVE and proposal.status == "proposed"


def test_a_rejected_write_off_leaves_the_loan_active_and_repayable(coop):
    loan = make_loan(coop, coop.register().member)
    proposal = writeoff.propose_write_off(
        tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Tidak membayar"
    )
    refused(
        lambda: writeoff.reject_write_off(
            tenant=coop.tenant, actor=coop.manager, proposal=proposal, reason=""
        ),
        "validation_error",
    )
    writeoff.reject_write_off(
        tenant=coop.tenant, actor=coop.manager, proposal=proposal, reason="Masih bisa ditagih"
    )
    assert (proposal.status, proposal.decision_reason, loan.status) == (
        "rejected",
        "Masih bisa ditagih",
        ACTIVE,
    )
    refused(
        lambda: writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal),
        "already_decided",
    )
    txn = repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount="1081667")
    assert txn.principal == rp(916667)
    refused(
        lambda: writeoff.record_recovery(tenant=coop.tenant, actor=coop.teller, loan=loan, amount="1000"),
        "loan_not_written_off",
    )


def test_a_written_off_loan_refuses_repayments_and_a_second_write_off(coop):
    loan = make_loan(coop, coop.register().member)
    proposal = writeoff.propose_write_off(
        tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Meninggal dunia"
    )
    writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
    posted = entries()
    error = refused(
        lambda: repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount="1081667"),
        "loan_written_off",
    )
    assert "recoveries" in str(error)
    refused(
        lambda: writeoff.propose_write_off(
            tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Sekali lagi"
        ),
        "loan_written_off",
    )
    for bad in ("0", "-5", "1000,50", "abc"):
        refused(
            lambda bad=bad: writeoff.record_recovery(
                tenant=coop.tenant, actor=coop.teller, loan=loan, amount=bad
            ),
            "validation_error",
        )
    assert entries() == posted
    clean_books(coop)


def test_a_written_off_loan_leaves_the_portfolio_and_is_shown_beside_it(coop):
    from coopsaas.loans.reports import portfolio_report

    make_loan(coop, coop.register().member, amount="5000000")
    loan = make_loan(coop, coop.register(nik=NIK_BUDI, name="Budi Santoso").member)
    proposal = writeoff.propose_write_off(
        tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Usaha bangkrut"
    )
    writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
    quality = portfolio_report(coop.tenant, loan.disbursed_on).quality
    assert (quality.loan_count, quality.gross_outstanding) == (1, rp(5000000))
    assert (quality.written_off_count, quality.written_off_amount) == (1, rp(11000000))


def test_a_recovery_from_the_members_savings_debits_2101_and_the_account(coop, check_deferred):
    from coopsaas.savings import services as savings
    from tests.loans_repay.builders import sukarela_of

    member = coop.register().member
    loan = make_loan(coop, member)
    account = sukarela_of(member)
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=account, amount="300000")
    before = account.balance
    proposal = writeoff.propose_write_off(
        tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Usaha bangkrut"
    )
    writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
    posted = entries()
    refused(
        lambda: writeoff.record_recovery(
            tenant=coop.tenant, actor=coop.teller, loan=loan, amount=str(before + 1), channel="savings"
        ),
        "insufficient_funds",
    )
    assert entries() == posted
    got = writeoff.record_recovery(
        tenant=coop.tenant, actor=coop.teller, loan=loan, amount="250000", channel="savings"
    )
    check_deferred()
    assert lines_of(entry_of(got.journal_entry_id)) == [
        ("2101", rp(250000), rp(0)),
        ("4901", rp(0), rp(250000)),
    ]
    assert account.balance == before - rp(250000) and got.claim_after == rp(10750000)
    clean_books(coop)
