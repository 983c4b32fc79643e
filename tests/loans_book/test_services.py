"""Loan book services: products from the file, quotes, applications with maker-checker, disbursement
with its one journal entry and stored schedule, the verify hook and member exit obligations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from coopsaas.core.audit import AuditEvent
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import trial_balance, verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products
from coopsaas.loans.models import Loan, LoanApplication, LoanInstalment, LoanProduct, LoanTransaction
from coopsaas.members.obligations import obligations_of
from coopsaas.savings import services as savings
from coopsaas.savings import teller
from coopsaas.savings.models import SavingsTransaction
from tests.helpers import make_user
from tests.loans_book.builders import LOAN_PRODUCTS, NIK_BUDI, TODAY, lines_of, rp


def product(coop, code="PINJ-UMUM"):
    return products.ensure_products(coop.tenant)[code]


def submit(coop, member, *, amount="11000000", term=12, code="PINJ-UMUM", actor=None, **kw):
    kw.setdefault("purpose", "Modal warung")
    return apps.submit_application(
        tenant=coop.tenant,
        actor=actor or coop.teller,
        member=member,
        product=product(coop, code),
        amount=Decimal(amount),
        term_months=term,
        **kw,
    )


def approved(coop, member, **kw):
    application = submit(coop, member, **kw)
    return apps.approve_application(tenant=coop.tenant, actor=coop.manager, application=application)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# ---- products ---------------------------------------------------------------------------------------


def test_products_are_seeded_from_the_file_once_and_refreshed_only_until_a_manager_edits_them(coop):
    seeded = products.ensure_products(coop.tenant)
    umum = seeded["PINJ-UMUM"]
    assert (umum.method, umum.rate_basis, umum.rate) == ("FLAT", "rate_pa", "18")
    assert (umum.min_amount, umum.max_amount, umum.admin_fee) == (rp(1000000), rp(50000000), rp(25000))
    assert (umum.provision_pct, umum.penalty_rate_pct, umum.penalty_grace_days) == ("1", "0.1", 3)
    assert products.ensure_products(coop.tenant)["PINJ-UMUM"] is umum
    assert count(LoanProduct) == 3

    changed = [dict(p) for p in LOAN_PRODUCTS]
    changed[0]["admin_fee"] = "30000.00"
    changed[1]["admin_fee"] = "40000.00"
    coop.tenant.settings = {**coop.tenant.settings, "loan_products": changed}
    products.update_product(
        tenant=coop.tenant,
        actor=coop.manager,
        product=seeded["PINJ-USAHA"],
        values={"admin_fee": "45000", "requires_collateral": True},
    )
    again = products.ensure_products(coop.tenant)
    assert again["PINJ-UMUM"].admin_fee == rp(30000)  # never edited: follows the file
    assert again["PINJ-USAHA"].admin_fee == rp(45000)  # edited: the file no longer changes it
    assert again["PINJ-USAHA"].requires_collateral is True
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "loans.product.update" in actions and "loans.products.sync" in actions


def test_an_invalid_product_edit_lists_every_problem_and_changes_nothing(coop):
    umum = product(coop)
    with pytest.raises(ValidationError) as err:
        products.update_product(
            tenant=coop.tenant,
            actor=coop.manager,
            product=umum,
            values={
                "max_amount": "500.000",
                "rate": "12",
                "rate_basis": "rate_pm",
                "fee_collection": "later",
            },
        )
    assert set(err.value.fields) == {"max_amount", "rate", "fee_collection"}
    assert "At most 10 %." in [str(m) for m in err.value.fields["rate"]]
    db.session.refresh(umum)
    assert (umum.max_amount, umum.rate, umum.edited_at) == (rp(50000000), "18", None)


# ---- quotes and applications -------------------------------------------------------------------------


def test_a_flat_quote_matches_the_worked_schedule_and_writes_nothing(coop):
    siti = coop.register().member
    before = count(LoanApplication)
    offer = apps.quote(
        tenant=coop.tenant, member=siti, product=product(coop), amount=Decimal("11000000"), term_months=12
    )
    rows = offer.schedule.instalments
    assert (rows[0].principal, rows[0].interest, rows[0].total) == (rp(916667), rp(165000), rp(1081667))
    assert (rows[-1].principal, rows[-1].total, rows[-1].due_on) == (
        rp(916663),
        rp(1081663),
        date(2027, 11, 19),
    )
    assert offer.schedule.total_interest == rp(1980000)
    assert offer.equivalent_rate_pa == Decimal("31.72")  # the declining-balance rate disclosed (loans.md 4.1)
    assert (offer.admin_fee, offer.provision_fee, offer.net_disbursed) == (
        rp(25000),
        rp(110000),
        rp(10865000),
    )
    assert count(LoanApplication) == before


@pytest.mark.parametrize(
    ("amount", "term", "field", "message"),
    [
        ("60000000", 12, "amount", "Pinjaman Umum Anggota lends from Rp 1.000.000 to Rp 50.000.000."),
        ("5000000", 48, "term_months", "Pinjaman Umum Anggota runs from 6 to 36 months."),
        ("5000000.50", 12, "amount", "A loan is a whole number of rupiah."),
    ],
)
def test_an_application_outside_the_product_is_refused_with_the_limits(coop, amount, term, field, message):
    siti = coop.register().member
    with pytest.raises(ValidationError) as err:
        submit(coop, siti, amount=amount, term=term)
    assert [str(m) for m in err.value.fields[field]] == [message]
    assert count(LoanApplication) == 0


def test_the_amount_is_capped_at_a_multiple_of_the_members_savings(coop):
    siti = coop.register().member  # simpanan pokok Rp 250.000 paid
    products.update_product(
        tenant=coop.tenant, actor=coop.manager, product=product(coop), values={"max_savings_multiple": "3"}
    )
    with pytest.raises(ValidationError) as err:
        submit(coop, siti, amount="1000000", term=6)
    assert str(err.value.message) == "At most Rp 750.000: 3 times the member's savings of Rp 250.000."
    sukarela = next(a for a in savings.accounts_of(siti) if a.product.kind == "sukarela")
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sukarela, amount=Decimal("100000"))
    assert submit(coop, siti, amount="1000000", term=6).amount == rp(1000000)


def test_required_collateral_and_guarantor_and_sharia_products_are_refused_clearly(coop):
    siti = coop.register().member
    products.update_product(
        tenant=coop.tenant,
        actor=coop.manager,
        product=product(coop),
        values={"requires_collateral": True, "requires_guarantor": True},
    )
    with pytest.raises(ValidationError) as err:
        submit(coop, siti)
    assert set(err.value.fields) == {"collateral", "guarantor"}
    with pytest.raises(ValidationError) as err:
        submit(coop, siti, amount="1000000", term=6, code="MURABAHAH")
    assert "Sharia financing" in str(err.value.message)
    assert count(LoanApplication) == 0


def test_submitting_numbers_the_application_and_a_repeated_key_returns_it(coop):
    siti = coop.register().member
    first = submit(
        coop, siti, idempotency_key="form:abc", collateral="BPKB motor", collateral_value="8000000"
    )
    again = submit(coop, siti, idempotency_key="form:abc")
    assert first is again
    assert (first.application_no, first.status, first.collateral_value) == (
        "PM-000001",
        "submitted",
        rp(8000000),
    )
    assert first.terms["rate"] == "18" and first.provision_fee == rp(110000)
    assert submit(coop, siti).application_no == "PM-000002"


def test_the_maker_cannot_approve_and_a_rejection_needs_a_reason(coop):
    siti = coop.register().member
    application = submit(coop, siti, actor=coop.manager)
    with pytest.raises(Conflict) as err:
        apps.approve_application(tenant=coop.tenant, actor=coop.manager, application=application)
    assert err.value.code == "maker_checker" and err.value.http_status == 409
    other = make_user("ketua-dua", tenant=coop.tenant, role="manager")
    with pytest.raises(ValidationError):
        apps.reject_application(tenant=coop.tenant, actor=other, application=application, reason=" ")
    apps.reject_application(
        tenant=coop.tenant, actor=other, application=application, reason="Usaha belum jalan"
    )
    assert (application.status, application.decision_reason) == ("rejected", "Usaha belum jalan")
    with pytest.raises(Conflict) as err:
        apps.approve_application(tenant=coop.tenant, actor=other, application=application)
    assert err.value.code == "already_decided"


# ---- disbursement -------------------------------------------------------------------------------------


def test_an_unapproved_application_cannot_be_disbursed(coop):
    siti = coop.register().member
    application = submit(coop, siti)
    with pytest.raises(Conflict) as err:
        disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application)
    assert err.value.code == "not_approved"
    assert count(Loan) == 0 and count(LoanInstalment) == 0


def test_a_cash_disbursement_posts_one_entry_and_stores_the_schedule(coop, check_deferred):
    siti = coop.register().member
    application = approved(coop, siti)
    loan = disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application)
    check_deferred()
    entry = db.session.scalars(select(JournalEntry).where(JournalEntry.id == loan.journal_entry_id)).one()
    assert lines_of(entry) == [
        ("1101", rp(0), rp(10865000)),
        ("1201", rp(11000000), rp(0)),
        ("4103", rp(0), rp(135000)),
    ]
    assert (entry.source_type, entry.source_id) == ("loan", loan.id)
    assert (loan.loan_no, loan.status, loan.outstanding_principal) == ("PJ-000001", "active", rp(11000000))
    assert (loan.net_disbursed, loan.maturity_on, loan.total_interest) == (
        rp(10865000),
        date(2027, 11, 19),
        rp(1980000),
    )
    rows = disbursement.instalments_of(loan)
    assert len(rows) == 12 and sum(r.principal for r in rows) == rp(11000000)
    assert (rows[0].due_on, rows[0].total, rows[-1].total) == (date(2026, 12, 19), rp(1081667), rp(1081663))
    due = disbursement.next_due(loan, rows)
    assert (due.instalment.no, due.amount) == (1, rp(1081667))
    assert application.status == "disbursed"
    txn = db.session.scalars(select(LoanTransaction)).one()
    assert (txn.kind, txn.amount, txn.fee, txn.outstanding_after) == (
        "disbursement",
        rp(11000000),
        rp(135000),
        rp(11000000),
    )
    assert verify_ledger(coop.tenant) == []
    assert trial_balance(coop.tenant, TODAY).is_balanced


def test_disbursing_twice_is_refused_but_a_repeated_key_returns_the_loan(coop):
    siti = coop.register().member
    application = approved(coop, siti)
    loan = disbursement.disburse(
        tenant=coop.tenant, actor=coop.teller, application=application, idempotency_key="form:k1"
    )
    again = disbursement.disburse(
        tenant=coop.tenant, actor=coop.teller, application=application, idempotency_key="form:k1"
    )
    assert again.id == loan.id
    with pytest.raises(Conflict) as err:
        disbursement.disburse(
            tenant=coop.tenant, actor=coop.teller, application=application, idempotency_key="form:k2"
        )
    assert err.value.code == "already_disbursed"
    assert "PJ-000001" in str(err.value.message)
    assert count(Loan) == 1 and count(JournalEntry.__table__) >= 1


def test_a_disbursement_into_savings_credits_the_sukarela_account_in_the_same_entry(coop, check_deferred):
    siti = coop.register().member
    sukarela = next(a for a in savings.accounts_of(siti) if a.product.kind == "sukarela")
    loan = disbursement.disburse(
        tenant=coop.tenant, actor=coop.teller, application=approved(coop, siti), channel="savings"
    )
    check_deferred()
    entry = db.session.scalars(select(JournalEntry).where(JournalEntry.id == loan.journal_entry_id)).one()
    assert lines_of(entry) == [
        ("1201", rp(11000000), rp(0)),
        ("2101", rp(0), rp(10865000)),
        ("4103", rp(0), rp(135000)),
    ]
    db.session.refresh(sukarela)
    assert sukarela.balance == rp(10865000)
    credit = db.session.scalars(
        select(SavingsTransaction).where(SavingsTransaction.journal_entry_id == entry.id)
    ).one()
    assert (credit.kind, credit.channel, credit.amount) == ("deposit", "internal", rp(10865000))
    assert loan.savings_account_id == sukarela.id
    assert verify_ledger(coop.tenant) == []


def test_fees_paid_separately_leave_the_whole_principal_to_the_member(coop, check_deferred):
    siti = coop.register().member
    products.update_product(
        tenant=coop.tenant, actor=coop.manager, product=product(coop), values={"fee_collection": "separate"}
    )
    loan = disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=approved(coop, siti))
    check_deferred()
    entry = db.session.scalars(select(JournalEntry).where(JournalEntry.id == loan.journal_entry_id)).one()
    assert lines_of(entry) == [
        ("1101", rp(0), rp(11000000)),
        ("1101", rp(135000), rp(0)),
        ("1201", rp(11000000), rp(0)),
        ("4103", rp(0), rp(135000)),
    ]
    assert loan.net_disbursed == rp(11000000)


def test_a_prospective_members_loan_is_booked_on_1202(coop, check_deferred):
    budi = coop.register(nik=NIK_BUDI, name="Budi Santoso", type="calon_anggota").member
    application = approved(coop, budi, amount="6000000", term=12, code="PINJ-USAHA")
    loan = disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application)
    check_deferred()
    entry = db.session.scalars(select(JournalEntry).where(JournalEntry.id == loan.journal_entry_id)).one()
    assert lines_of(entry) == [("1101", rp(0), rp(6000000)), ("1202", rp(6000000), rp(0))]
    assert loan.is_member_borrower is False
    assert verify_ledger(coop.tenant) == []


def test_the_verify_hook_reports_a_loan_book_that_differs_from_1201_and_1202(coop):
    siti = coop.register().member
    loan = disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=approved(coop, siti))
    # A bug that forgot the ledger: the loan book says 10 million, the ledger still 11.
    db.session.execute(update(Loan).where(Loan.id == loan.id).values(outstanding_principal=rp(10000000)))
    findings = verify_ledger(coop.tenant)
    assert [f.code for f in findings] == ["loans_subledger_mismatch"]
    assert "Rp 10.000.000,00" in findings[0].message and "Rp 11.000.000,00" in findings[0].message


def test_a_stored_schedule_row_cannot_be_changed(coop):
    siti = coop.register().member
    disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=approved(coop, siti))
    db.session.flush()
    with pytest.raises((IntegrityError, DBAPIError)) as err, db.session.begin_nested():
        db.session.execute(text("UPDATE loan_instalment SET due_on = due_on WHERE no = 99"))  # no row: fine
        db.session.execute(text("UPDATE loan_instalment SET interest = 0 WHERE no = 1"))
    assert "never changes" in str(err.value)


def test_member_exit_sees_the_outstanding_loan_on_1201(coop):
    siti = coop.register().member
    loan = disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=approved(coop, siti))
    found = [o for o in obligations_of(siti) if o.kind == "loan"]
    assert len(found) == 1
    assert (found[0].amount, found[0].reference) == (rp(11000000), "PJ-000001")
    assert found[0].settle is not None  # settled from savings at exit (tests/loans_repay)
    assert found[0].account_id == coop.accounts["1201"].id == loan.receivable_account_id


def test_a_disbursement_dated_tomorrow_or_into_savings_without_an_account_writes_nothing(coop):
    siti = coop.register().member
    application = approved(coop, siti)
    with pytest.raises(ValidationError) as err:
        disbursement.disburse(
            tenant=coop.tenant, actor=coop.teller, application=application, on=date(2026, 11, 20)
        )
    assert "is in the future" in str(err.value.message)
    budi = coop.register(nik=NIK_BUDI, name="Budi Santoso").member
    budi_savings = next(a for a in savings.accounts_of(budi) if a.product.kind == "sukarela")
    with pytest.raises(ValidationError) as err:
        disbursement.disburse(
            tenant=coop.tenant,
            actor=coop.teller,
            application=application,
            channel="savings",
            savings_account=budi_savings,
        )
    assert "borrower's own open sukarela account" in str(err.value.message)
    assert count(Loan) == 0 and count(LoanTransaction) == 0
    assert application.status == "approved"


def test_the_tellers_cash_day_counts_loans_paid_out_and_fees_taken_in_cash(coop):
    siti = coop.register().member
    disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=approved(coop, siti))
    flow = teller.cash_position(coop.teller.id, TODAY).sources
    loans = next(f for f in flow if f.name == "loans")
    assert (loans.cash_in, loans.cash_out, loans.count) == (rp(0), rp(10865000), 1)
    products.update_product(
        tenant=coop.tenant, actor=coop.manager, product=product(coop), values={"fee_collection": "separate"}
    )
    disbursement.disburse(
        tenant=coop.tenant, actor=coop.teller, application=approved(coop, siti), channel="savings"
    )
    loans = next(f for f in teller.cash_position(coop.teller.id, TODAY).sources if f.name == "loans")
    assert (loans.cash_in, loans.cash_out, loans.count) == (rp(135000), rp(10865000), 2)


def test_disbursement_keeps_to_the_tellers_date_window_and_open_cash_day(coop):
    siti = coop.register().member
    application = approved(coop, siti)
    with pytest.raises(ValidationError) as err:
        disbursement.disburse(
            tenant=coop.tenant, actor=coop.teller, application=application, on=date(2026, 11, 1)
        )
    assert err.value.code == "backdate_limit"
    coop.tenant.settings = {**coop.tenant.settings, "require_teller_session": True}
    with pytest.raises(Conflict) as err:
        disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application)
    assert err.value.code == "teller_day_not_open"
    # Into savings with the fees deducted no cash moves: no cash day needed.
    loan = disbursement.disburse(
        tenant=coop.tenant, actor=coop.teller, application=application, channel="savings"
    )
    assert loan.channel == "savings"
