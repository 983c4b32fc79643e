"""Repayments at the counter: allocation penalty -> interest -> principal, one journal entry each,
instalments filled, early settlement with the overpayment to savings, refusals that post nothing,
payment from savings, the teller's cash, and the loan closing when paid off.

The loan: Rp 11.000.000 FLAT 18 % p.a. over 12 months (loans.md 4.1), paid out on 19 November 2026,
instalments Rp 1.081.667 (pokok 916.667 + bunga 165.000) due on the 19th from December."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from coopsaas.core.clock import frozen
from coopsaas.errors import Conflict, InsufficientFunds, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import repayments
from coopsaas.loans.ageing import age_loans
from coopsaas.loans.disbursement import instalments_of
from coopsaas.loans.models import CLOSED, WRITTEN_OFF, Loan, LoanTransaction
from coopsaas.savings import services as savings
from coopsaas.savings import teller
from tests.loans_repay.builders import TODAY, at, entries, lines_of, make_loan, rp, sukarela_of


def pay(coop, loan, amount, **kw):
    return repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount=amount, **kw)


def entry_of(txn):
    return db.session.scalars(select(JournalEntry).where(JournalEntry.id == txn.journal_entry_id)).one()


def test_one_instalment_paid_in_cash_is_one_entry_and_fills_the_instalment(coop, check_deferred):
    loan = make_loan(coop, coop.register().member)
    txn = pay(coop, loan, "1081667")
    check_deferred()
    assert (txn.principal, txn.interest, txn.penalty, txn.outstanding_after) == (
        rp(916667),
        rp(165000),
        rp(0),
        rp(10083333),
    )
    entry = entry_of(txn)
    assert entry.voucher_no.startswith("KM")
    assert lines_of(entry) == [
        ("1101", rp(1081667), rp(0)),
        ("1201", rp(0), rp(916667)),
        ("4101", rp(0), rp(165000)),
    ]
    first, second = instalments_of(loan)[:2]
    assert (first.principal_paid, first.interest_paid, first.settled_on) == (rp(916667), rp(165000), TODAY)
    assert second.unpaid == rp(1081667)
    assert loan.outstanding_principal == rp(10083333) and loan.status == "active"
    assert txn.channel == "cash" and txn.journal_entry_id == entry.id
    assert not [f for f in verify_ledger(coop.tenant) if f.code == "loans_subledger_mismatch"]


def test_a_partial_payment_pays_interest_before_principal(coop):
    loan = make_loan(coop, coop.register().member)
    txn = pay(coop, loan, "200000")
    assert (txn.interest, txn.principal) == (rp(165000), rp(35000))
    first = instalments_of(loan)[0]
    assert first.unpaid == rp(1081667 - 200000) and first.settled_on is None
    assert loan.outstanding_principal == rp(11000000 - 35000)


def test_late_instalments_paid_at_once_pay_the_penalty_first(coop, check_deferred):
    loan = make_loan(coop, coop.register().member)
    day = date(2027, 2, 25)
    with frozen(at(day)):
        age_loans(tenant=coop.tenant, as_of=day)
        # 0,1 % per day of the overdue instalment after 3 grace days:
        # #1 due 19 Dec, counted from 22 Dec: 65 days x 1.081,667 = 70.308,355 -> 70.308
        # #2 due 19 Jan, counted from 22 Jan: 34 days x 1.081,667 = 36.776,678 -> 36.777
        # #3 due 19 Feb, counted from 22 Feb: 3 days x 1.081,667 = 3.245,001 -> 3.245
        assert [r.penalty_due for r in instalments_of(loan)[:4]] == [rp(70308), rp(36777), rp(3245), rp(0)]
        assert loan.days_past_due == 68 and loan.kolektibilitas == "L"
        txn = pay(coop, loan, str(2 * 1081667 + 70308 + 36777))
        check_deferred()
    assert (txn.penalty, txn.interest, txn.principal) == (rp(107085), rp(330000), rp(1833334))
    assert lines_of(entry_of(txn)) == [
        ("1101", rp(2270419), rp(0)),
        ("1201", rp(0), rp(1833334)),
        ("4101", rp(0), rp(330000)),
        ("4104", rp(0), rp(107085)),
    ]
    assert [r.unpaid for r in instalments_of(loan)[:3]] == [rp(0), rp(0), rp(1081667 + 3245)]


def test_early_settlement_waives_later_flat_interest_and_credits_the_overpayment_to_savings(
    coop, check_deferred
):
    member = coop.register().member
    loan = make_loan(coop, member)
    quote = repayments.quote_settlement(loan, TODAY)
    # principal 11.000.000 + interest of the current period (instalment 1) 165.000; 11 x 165.000 waived
    assert (quote.principal, quote.interest, quote.waived_interest, quote.total) == (
        rp(11000000),
        rp(165000),
        rp(1815000),
        rp(11165000),
    )
    before = sukarela_of(member).balance
    txn = pay(coop, loan, "11200000", settle=True)
    check_deferred()
    assert lines_of(entry_of(txn)) == [
        ("1101", rp(11200000), rp(0)),
        ("1201", rp(0), rp(11000000)),
        ("2101", rp(0), rp(35000)),
        ("4101", rp(0), rp(165000)),
    ]
    assert sukarela_of(member).balance == before + rp(35000)
    assert loan.status == CLOSED and loan.closed_on == TODAY and loan.outstanding_principal == rp(0)
    assert sum((r.interest_waived for r in instalments_of(loan)), rp(0)) == rp(1815000)
    assert txn.allocation["excess_to_savings"] == "35000.00"
    with pytest.raises(Conflict) as closed:
        pay(coop, loan, "1000")
    assert closed.value.code == "loan_closed"
    assert not [f for f in verify_ledger(coop.tenant) if f.code == "loans_subledger_mismatch"]


def test_an_early_settlement_below_the_amount_is_refused_with_the_amount(coop):
    loan = make_loan(coop, coop.register().member)
    with pytest.raises(ValidationError) as short:
        pay(coop, loan, "11000000", settle=True)
    assert "11.165.000" in str(short.value)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "more than zero"),
        ("-1000", "more than zero"),
        ("1000.005", "whole rupiah"),
        ("1000.50", "whole rupiah"),
        ("seribu", "whole rupiah"),
        ("13000000", "more than loan PJ-000001 still owes (Rp 12.980.000"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_posted(coop, amount, text):
    loan = make_loan(coop, coop.register().member)
    posted = entries()
    with pytest.raises(ValidationError) as refused:
        pay(coop, loan, amount)
    assert text in str(refused.value)
    assert entries() == posted
    assert loan.outstanding_principal == rp(11000000)
    assert db.session.scalars(select(LoanTransaction).where(LoanTransaction.kind == "repayment")).all() == []


def test_a_written_off_loan_takes_no_repayment(coop):
    loan = make_loan(coop, coop.register().member)
    db.session.execute(update(Loan).where(Loan.id == loan.id).values(status=WRITTEN_OFF))
    posted = entries()
    with pytest.raises(Conflict) as refused:
        pay(coop, loan, "1081667")
    assert refused.value.code == "loan_written_off" and entries() == posted


def test_the_same_key_records_one_repayment(coop):
    loan = make_loan(coop, coop.register().member)
    first = pay(coop, loan, "1081667", idempotency_key="form:abc")
    again = pay(coop, loan, "1081667", idempotency_key="form:abc")
    assert again.id == first.id and loan.outstanding_principal == rp(10083333)
    with pytest.raises(ValidationError):
        pay(coop, loan, "500000", idempotency_key="form:abc")


def test_an_instalment_paid_from_sukarela_savings(coop, check_deferred):
    member = coop.register().member
    account = sukarela_of(member)
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=account, amount="1500000")
    loan = make_loan(coop, member)
    txn = pay(coop, loan, "1081667", channel="savings")
    check_deferred()
    entry = entry_of(txn)
    assert entry.voucher_no.startswith("JM")
    assert lines_of(entry) == [
        ("1201", rp(0), rp(916667)),
        ("2101", rp(1081667), rp(0)),
        ("4101", rp(0), rp(165000)),
    ]
    assert account.balance == rp(1500000 - 1081667)
    posted = entries()
    with pytest.raises(InsufficientFunds):
        pay(coop, loan, "1081667", channel="savings")
    assert entries() == posted


def test_cash_repayments_count_in_the_tellers_day(coop):
    loan = make_loan(coop, coop.register().member)
    pay(coop, loan, "1081667")
    pay(coop, loan, "500000", channel="transfer")
    flows = {f.name: f for f in teller.cash_position(coop.teller.id, TODAY).sources}
    assert (flows["loan_repayments"].cash_in, flows["loan_repayments"].count) == (rp(1081667), 1)


def test_the_last_instalment_closes_the_loan(coop):
    loan = make_loan(coop, coop.register().member, amount="1000000", term=6)
    total = sum((r.unpaid for r in instalments_of(loan)), rp(0))
    txn = pay(coop, loan, str(total))
    assert loan.status == CLOSED and txn.outstanding_after == rp(0)
    assert all(r.settled_on == TODAY for r in instalments_of(loan))


def test_without_a_penalty_account_the_penalty_goes_to_other_income(db_session):
    from flask_babel import force_locale

    from tests.loans_repay.builders import NOW, start_repay_coop

    with frozen(NOW), force_locale("en"):
        coop = start_repay_coop("ksp-tanpa-denda", with_penalty_account=False)
        loan = make_loan(coop, coop.register().member)
        day = date(2027, 1, 5)
        with frozen(at(day)):
            age_loans(tenant=coop.tenant, as_of=day)
            # #1 due 19 Dec, counted from 22 Dec: 14 days x 1.081,667 = 15.143,338 -> 15.143
            txn = pay(coop, loan, "15143")
        assert lines_of(entry_of(txn)) == [("1101", rp(15143), rp(0)), ("4901", rp(0), rp(15143))]
