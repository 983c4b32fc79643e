"""The demo loan book: loans paid out and repaid through the services over a year, loans in
several arrears classes, some paid off, the ageing run for today, and a ledger that verifies."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.demo import loan_activity
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.loans.models import Loan, LoanAgeing, LoanTransaction
from tests.loans_repay.builders import NOW, TODAY, start_repay_coop


def test_a_year_of_loans_has_every_kind_of_loan_and_balanced_books(db_session):
    with frozen(NOW), force_locale("en"):
        coop = start_repay_coop("ksp-demo-pinjam")
        for i in range(12):
            coop.register(
                f"32010101010100{i + 10:02d}", f"Anggota {i}", joined_on=TODAY - timedelta(days=420)
            )
        report = loan_activity.load_loan_book(coop.tenant, teller=coop.teller, manager=coop.manager, count=60)
        assert report.loans >= 50 and report.repayments > report.loans
        loans = db.session.scalars(select(Loan)).all()
        assert len(loans) == report.loans
        statuses = {loan.status for loan in loans}
        classes = {loan.kolektibilitas for loan in loans if loan.status == "active"}
        assert "closed" in statuses and "active" in statuses
        assert {"L", "KL", "D", "M"} <= classes
        repayments = db.session.scalar(
            select(func.count()).select_from(LoanTransaction).where(LoanTransaction.kind == "repayment")
        )
        assert repayments == report.repayments
        run = db.session.scalars(select(LoanAgeing)).one()
        assert run.as_of == TODAY and run.ppap_required > 0
        assert verify_ledger(coop.tenant) == []
        again = loan_activity.load_loan_book(coop.tenant, teller=coop.teller, manager=coop.manager, count=60)
        assert again.skipped and db.session.scalar(select(func.count()).select_from(Loan)) == len(loans)
