"""Twenty tellers withdrawing from one account at once on PostgreSQL: the row lock keeps it whole.

The test cannot use the rolled-back `db_session`: each thread has its own app context and session
and commits, as web workers do. The cooperative gets its own slug and is removed afterwards.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, tenant_scope
from coopsaas.errors import InsufficientFunds
from coopsaas.extensions import db
from coopsaas.savings import services as savings
from coopsaas.savings.models import SavingsAccount, SavingsTransaction
from coopsaas.tenancy.models import Tenant
from tests.helpers import race
from tests.ledger.test_concurrency import remove_tenant
from tests.savings_services.builders import NOW, rp, start_coop

pytestmark = pytest.mark.postgres

THREADS = 20


@pytest.fixture
def race_account(app):
    slug = f"ksp-race-{uuid.uuid4().hex[:10]}"
    with frozen(NOW), app.app_context():
        coop = start_coop(slug, staff=False)
        sirela = coop.account(coop.register(), "sukarela")
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(1000000))
        ids = (coop.tenant.id, sirela.id)
        db.session.commit()
        clear_tenant(db.session)
    yield ids
    with app.app_context():
        remove_tenant(ids[0])


def test_twenty_parallel_withdrawals_never_overdraw_the_account(app, race_account):
    tid, account_id = race_account

    def teller(tenant, n):
        account = db.session.scalars(select(SavingsAccount).where(SavingsAccount.id == account_id)).one()
        return savings.withdraw(tenant=tenant, actor=None, account=account, amount=rp(100000)).balance_after

    with frozen(NOW):
        done, refused = race(app, tid, THREADS, teller, (InsufficientFunds, lambda exc: str(exc.message)))

    # Rp 1.000.000 with a minimum balance of Rp 25.000: nine withdrawals of Rp 100.000 fit.
    assert len(done) == 9
    assert len(refused) == THREADS - 9
    assert sorted(done) == [rp(100000 * k + 100000) for k in range(9)]
    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        account = db.session.scalars(select(SavingsAccount).where(SavingsAccount.id == account_id)).one()
        assert account.balance == rp(100000)
        withdrawals = db.session.scalars(
            select(SavingsTransaction).where(SavingsTransaction.kind == "withdrawal")
        ).all()
        assert sum((t.amount for t in withdrawals), Decimal("0.00")) == rp(900000)
        assert list(savings.subledger_findings(tenant)) == []
