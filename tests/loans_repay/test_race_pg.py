"""Eight tellers taking Rp 2.000.000 for one loan at the same moment, on PostgreSQL: the loan row
lock serialises them, so six payments go through (Rp 12.000.000 of the Rp 12.980.000 owed) and the
last two are refused as more than the loan still owes; the books stay equal to the loan.

Each thread has its own app context and session and commits, as web workers do; the cooperative
gets its own slug and is removed afterwards."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, tenant_scope
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import repayments
from coopsaas.loans.disbursement import instalments_of
from coopsaas.loans.models import Loan, LoanTransaction
from coopsaas.tenancy.models import Tenant
from tests.helpers import race
from tests.ledger.test_concurrency import remove_tenant
from tests.loans_repay.builders import NOW, make_loan, rp, start_repay_coop

pytestmark = pytest.mark.postgres

THREADS = 8


@pytest.fixture
def loan_ids(app):
    slug = f"ksp-angsur-{uuid.uuid4().hex[:10]}"
    with frozen(NOW), app.app_context():
        coop = start_repay_coop(slug, staff=False)
        loan = make_loan(coop, coop.register().member)
        ids = (coop.tenant.id, loan.id)
        db.session.commit()
        clear_tenant(db.session)
    yield ids
    with app.app_context():
        remove_tenant(ids[0])


def test_parallel_repayments_of_one_loan_are_serialised(app, loan_ids):
    tid, loan_id = loan_ids

    def teller(tenant, n):
        loan = db.session.scalars(select(Loan).where(Loan.id == loan_id)).one()
        txn = repayments.repay(
            tenant=tenant, actor=None, loan=loan, amount="2000000", idempotency_key=f"thread-{n}"
        )
        return str(txn.outstanding_after)

    with frozen(NOW):
        paid, refused = race(
            app, tid, THREADS, teller, (ValidationError, lambda exc: exc.code or "validation")
        )

    assert len(paid) == 6 and len(refused) == 2
    assert set(refused) == {"amount_not_accepted"}
    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        loan = db.session.scalars(select(Loan).where(Loan.id == loan_id)).one()
        rows = instalments_of(loan)
        assert sum((r.principal_paid + r.interest_paid for r in rows), rp(0)) == rp(12000000)
        assert loan.outstanding_principal == rp(11000000) - sum((r.principal_paid for r in rows), rp(0))
        assert (
            db.session.scalar(
                select(func.count()).select_from(LoanTransaction).where(LoanTransaction.kind == "repayment")
            )
            == 6
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(JournalEntry)
                .where(JournalEntry.source_type == "loan_repayment")
            )
            == 6
        )
        assert verify_ledger(tenant) == []
