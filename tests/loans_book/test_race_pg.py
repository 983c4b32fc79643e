"""Eight tellers pressing *Cairkan* on one approved application at once, on PostgreSQL: the
application row lock lets exactly one loan through; the others are told it was disbursed.

Each thread has its own app context and session and commits, as web workers do; the cooperative
gets its own slug and is removed afterwards."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, tenant_scope
from coopsaas.errors import Conflict
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products
from coopsaas.loans.models import Loan, LoanApplication, LoanInstalment
from coopsaas.tenancy.models import Tenant
from tests.helpers import race
from tests.ledger.test_concurrency import remove_tenant
from tests.loans_book.builders import NOW, rp, start_loan_coop

pytestmark = pytest.mark.postgres

THREADS = 8


@pytest.fixture
def approved_application(app):
    slug = f"ksp-cair-{uuid.uuid4().hex[:10]}"
    with frozen(NOW), app.app_context():
        coop = start_loan_coop(slug, staff=False)
        member = coop.register().member
        product = products.ensure_products(coop.tenant)["PINJ-UMUM"]
        application = apps.submit_application(
            tenant=coop.tenant,
            actor=None,
            member=member,
            product=product,
            amount=rp(11000000),
            term_months=12,
            purpose="Modal",
        )
        apps.approve_application(tenant=coop.tenant, actor=None, application=application)
        ids = (coop.tenant.id, application.id)
        db.session.commit()
        clear_tenant(db.session)
    yield ids
    with app.app_context():
        remove_tenant(ids[0])


def test_parallel_disbursements_of_one_application_make_one_loan(app, approved_application):
    tid, application_id = approved_application

    def teller(tenant, n):
        application = db.session.scalars(
            select(LoanApplication).where(LoanApplication.id == application_id)
        ).one()
        loan = disbursement.disburse(
            tenant=tenant, actor=None, application=application, idempotency_key=f"thread-{n}"
        )
        return loan.loan_no

    with frozen(NOW):
        made, refused = race(app, tid, THREADS, teller, (Conflict, lambda exc: exc.code))

    assert made == ["PJ-000001"]
    assert refused == ["already_disbursed"] * (THREADS - 1)
    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        assert db.session.scalar(select(func.count()).select_from(Loan)) == 1
        assert db.session.scalar(select(func.count()).select_from(LoanInstalment)) == 12
        entries = db.session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.source_type == "loan")
        )
        assert entries == 1
        assert verify_ledger(tenant) == []
