"""A write-off approved while tellers take repayments of the same loan, on PostgreSQL: the loan row
lock orders them, so the write-off takes exactly the principal left by the repayments before it,
later repayments are refused, and the receivable account ends at zero with the books clean."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, tenant_scope
from coopsaas.errors import Conflict
from coopsaas.extensions import db
from coopsaas.ledger import balance_of, verify_ledger
from coopsaas.ledger.models import Account
from coopsaas.loans import repayments, writeoff
from coopsaas.loans.models import Loan, LoanWriteOff
from coopsaas.tenancy.models import Tenant
from tests.ledger.test_concurrency import remove_tenant
from tests.loans_repay.builders import NOW, make_loan, rp, start_repay_coop

pytestmark = pytest.mark.postgres

TELLERS = 3


@pytest.fixture
def ids(app):
    slug = f"ksp-hapus-{uuid.uuid4().hex[:10]}"
    with frozen(NOW), app.app_context():
        coop = start_repay_coop(slug, staff=False)
        loan = make_loan(coop, coop.register().member)
        proposal = writeoff.propose_write_off(
            tenant=coop.tenant, actor=None, loan=loan, reason="Usaha bangkrut"
        )
        out = (coop.tenant.id, loan.id, proposal.id)
        db.session.commit()
        clear_tenant(db.session)
    yield out
    with app.app_context():
        remove_tenant(out[0])


def test_a_write_off_racing_repayments_takes_what_they_left(app, ids):
    tid, loan_id, proposal_id = ids
    start = threading.Barrier(TELLERS + 1)
    paid: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                try:
                    with tenant_scope(db.session, tid):
                        tenant = db.session.get(Tenant, tid)
                        loan = db.session.scalars(select(Loan).where(Loan.id == loan_id)).one()
                        if n == 0:
                            proposal = db.session.scalars(
                                select(LoanWriteOff).where(LoanWriteOff.id == proposal_id)
                            ).one()
                            writeoff.approve_write_off(tenant=tenant, actor=None, proposal=proposal)
                        else:
                            repayments.repay(
                                tenant=tenant,
                                actor=None,
                                loan=loan,
                                amount="1081667",
                                idempotency_key=f"t-{n}",
                            )
                            paid.append("ok")
                except Conflict as exc:
                    refused.append(exc.code)
                finally:
                    db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    with frozen(NOW):
        threads = [threading.Thread(target=run, args=(n,)) for n in range(TELLERS + 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert errors == []
    assert len(paid) + len(refused) == TELLERS and set(refused) <= {"loan_written_off"}
    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        done = db.session.scalars(select(LoanWriteOff).where(LoanWriteOff.id == proposal_id)).one()
        assert done.status == "approved"
        assert done.principal == rp(11000000) - rp(916667) * len(paid)
        receivable = db.session.scalars(select(Account).where(Account.code == "1201")).one()
        assert balance_of(receivable, NOW.date()) == rp(0)
        assert verify_ledger(tenant) == []
