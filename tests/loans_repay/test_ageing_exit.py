"""The daily ageing job (DPD, class, penalties, one PPAP adjustment entry, idempotent per date) and
member exit settling a loan from savings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.jobs.kinds import get_kind
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import repayments
from coopsaas.loans.ageing import age_loans
from coopsaas.loans.disbursement import instalments_of
from coopsaas.loans.models import CLOSED, Loan, LoanAgeing, LoanTransaction
from coopsaas.members import exit as exits
from coopsaas.members.models import EXITED
from coopsaas.savings import services as savings
from tests.loans_repay.builders import (
    NOW,
    TODAY,
    at,
    entries,
    lines_of,
    make_loan,
    rp,
    start_repay_coop,
    sukarela_of,
)


def entry(run):
    return db.session.scalars(select(JournalEntry).where(JournalEntry.id == run.journal_entry_id)).one()


def test_ageing_books_the_reserve_once_and_releases_it_when_the_requirement_falls(coop, check_deferred):
    loan = make_loan(coop, coop.register().member)
    run = age_loans(tenant=coop.tenant, as_of=TODAY)
    check_deferred()
    # Lancar: 0,5 % of Rp 11.000.000
    assert (run.loan_count, run.outstanding, run.ppap_required, run.adjustment) == (
        1,
        rp(11000000),
        rp(55000),
        rp(55000),
    )
    assert lines_of(entry(run)) == [("1209", rp(0), rp(55000)), ("6104", rp(55000), rp(0))]
    assert (loan.days_past_due, loan.kolektibilitas) == (0, "L")

    posted = entries()
    again = age_loans(tenant=coop.tenant, as_of=TODAY)
    assert again.id == run.id and entries() == posted

    day = date(2026, 11, 20)
    with frozen(at(day)):
        repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount="1081667")
        later = age_loans(tenant=coop.tenant, as_of=day)
        check_deferred()
    # 0,5 % of 10.083.333 = 50.416,665 -> 50.417: 4.583 released
    assert (later.ppap_booked_before, later.ppap_required, later.adjustment) == (
        rp(55000),
        rp(50417),
        rp(-4583),
    )
    assert lines_of(entry(later)) == [("1209", rp(4583), rp(0)), ("6104", rp(0), rp(4583))]


def test_a_loan_six_months_late_is_diragukan_and_the_reserve_is_topped_up(coop, check_deferred):
    on_time = make_loan(coop, coop.register().member)
    late = make_loan(
        coop, coop.register(nik="3578011703850002", name="Budi Santoso").member, amount="5000000"
    )
    age_loans(tenant=coop.tenant, as_of=TODAY)  # 0,5 % of 16.000.000 = 80.000 booked
    day = date(2027, 6, 25)
    with frozen(at(day)):
        paid = sum((r.unpaid for r in instalments_of(on_time) if r.due_on <= day), rp(0))
        repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=on_time, amount=paid)
        run = age_loans(tenant=coop.tenant, as_of=day)
        check_deferred()
    # The late loan's oldest unpaid instalment fell due on 19 December 2026: 188 days.
    assert (late.days_past_due, late.kolektibilitas) == (188, "D")
    assert (on_time.days_past_due, on_time.kolektibilitas) == (0, "L")
    # on time: 11.000.000 - 7 x 916.667 = 4.583.331 at 0,5 % = 22.916,655 -> 22.917; late 50 % of 5.000.000
    assert run.by_class["L"]["base"] == "4583331.00" and run.by_class["D"]["base"] == "5000000.00"
    assert run.ppap_required == rp(22917 + 2500000)
    assert (run.ppap_booked_before, run.adjustment) == (rp(80000), rp(22917 + 2500000 - 80000))
    assert run.penalties_charged > 0  # the late loan's product charges 0,1 % a day after 3 days


def test_the_tenants_profile_classes_the_same_arrears_more_strictly(coop):
    coop.tenant.settings = {**coop.tenant.settings, "collectibility_profile": "MIKRO_KETAT"}
    loan = make_loan(coop, coop.register().member)
    day = date(2027, 1, 5)  # 17 days after the first due date
    with frozen(at(day)):
        run = age_loans(tenant=coop.tenant, as_of=day)
    assert (loan.days_past_due, loan.kolektibilitas) == (17, "DPK")
    assert run.ppap_required == rp(330000)  # 3 % of 11.000.000


def test_the_job_kind_runs_from_the_cli_once_per_date(app, db_session):
    assert get_kind("loan_ageing").period == "day"
    with frozen(NOW):
        coop = start_repay_coop("ksp-umur")
        make_loan(coop, coop.register().member)
        db_session.commit()
        clear_tenant(db_session)
    runner = app.test_cli_runner()
    args = ["jobs", "run", "loan_ageing", "--tenant", "ksp-umur", "--as-of", TODAY.isoformat()]
    with frozen(NOW):
        first = runner.invoke(args=args)
        second = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "Umur 1 pinjaman dihitung per 2026-11-19" in first.output and "Rp 55.000" in first.output
    assert second.exit_code == 0 and "already done" in second.output
    set_tenant(db_session, coop.tenant.id)
    try:
        assert db_session.scalar(select(func.count()).select_from(LoanAgeing)) == 1
        assert db_session.scalar(select(func.count()).where(JournalEntry.source_type == "loan_ageing")) == 1
    finally:
        clear_tenant(db_session)


def test_a_member_with_a_loan_exits_and_the_loan_is_paid_from_savings(coop, check_deferred):
    admission = coop.register()
    member = admission.member
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sukarela_of(member), amount="12000000")
    loan = make_loan(coop, member)
    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="Pindah kota"
    )
    # Paid off on the exit date: principal + the interest of the current period; later interest waived.
    assert request.obligations_total == rp(11000000 + 165000)
    done = exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request)
    check_deferred()
    exit_entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.id == done.journal_entry_id)
    ).one()
    credits = {code: credit for code, _debit, credit in lines_of(exit_entry) if credit > 0}
    assert credits["1201"] == rp(11000000) and credits["4101"] == rp(165000)
    assert member.status == EXITED
    loan = db.session.get(Loan, (loan.tenant_id, loan.id))
    assert (loan.status, loan.closed_on, loan.outstanding_principal) == (CLOSED, TODAY, rp(0))
    txn = db.session.scalars(
        select(LoanTransaction).where(LoanTransaction.loan_id == loan.id, LoanTransaction.kind == "repayment")
    ).one()
    assert (txn.channel, txn.journal_entry_id, txn.principal, txn.interest) == (
        "exit",
        exit_entry.id,
        rp(11000000),
        rp(165000),
    )
    assert sum((r.interest_waived for r in instalments_of(loan)), rp(0)) == rp(1815000)
    assert not [f for f in verify_ledger(coop.tenant) if f.code == "loans_subledger_mismatch"]


def test_an_exit_is_refused_while_savings_do_not_cover_the_loan(coop):
    member = coop.register().member
    make_loan(coop, member)
    with pytest.raises(Exception) as refused:
        exits.request_exit(
            tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="Pindah"
        )
    assert "Rp 11.165.000" in str(refused.value)


def test_penalties_accrue_by_the_day_and_the_runs_only_report_them(coop):
    loan = make_loan(coop, coop.register().member)
    first_day, next_day = date(2027, 1, 5), date(2027, 1, 6)
    with frozen(at(next_day)):
        run = age_loans(tenant=coop.tenant, as_of=first_day)
        # #1 due 19 Dec, counted from 22 Dec: 14 days x 1.081,667 = 15.143,338 -> 15.143
        assert run.penalties_charged == rp(15143)
        row = instalments_of(loan, first_day)[0]
        assert (row.penalty_due, row.penalty, row.penalty_through) == (rp(15143), rp(0), None)  # not written
        assert age_loans(tenant=coop.tenant, as_of=first_day).id == run.id  # the same date again: nothing
        run = age_loans(tenant=coop.tenant, as_of=next_day)
        assert run.penalties_charged == rp(1082)  # one more day: 1.081,667 -> 1.082
        # 15 days on the same basis: 16.225,005 -> 16.225 (today is 6 January)
        assert instalments_of(loan)[0].penalty_due == rp(16225)
        older = age_loans(tenant=coop.tenant, as_of=date(2027, 1, 4))  # a late run of an older date
    assert older.penalties_charged == rp(0)
    assert (loan.days_past_due, loan.kolektibilitas) == (18, "L")  # as of 6 January


def test_a_repayment_pays_the_penalty_of_every_day_up_to_it_without_a_nightly_run(coop):
    loan = make_loan(coop, coop.register().member)
    paid_on = date(2027, 1, 6)
    with frozen(at(paid_on)):
        # No ageing run at all: the denda of 15 days (22 Dec - 6 Jan) is charged by the payment.
        txn = repayments.repay(tenant=coop.tenant, actor=coop.teller, loan=loan, amount="500000")
        assert (txn.penalty, txn.interest + txn.principal) == (rp(16225), rp(500000 - 16225))
        row = instalments_of(loan)[0]
        assert (row.penalty, row.penalty_paid, row.penalty_through) == (rp(16225), rp(16225), paid_on)
        assert row.penalty_due == rp(0)
        unpaid = row.principal + row.interest - row.principal_paid - row.interest_paid
        assert unpaid == rp(1081667 - 483775)
    # Four days later the denda runs on what is still overdue: 597.892 x 0,1 % x 4 = 2.391,568.
    with frozen(at(date(2027, 1, 10))):
        assert instalments_of(loan)[0].penalty_due == rp(2392)
        assert repayments.owed_on(loan, date(2027, 1, 10)).overdue == rp(597892 + 2392)
