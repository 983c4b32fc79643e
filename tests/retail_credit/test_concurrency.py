"""Two tills selling to one member on credit at the same moment, on PostgreSQL with real commits:
together they must not pass the member's limit. The tenant is committed for real and removed
afterwards, as tests/retail/test_concurrency.py does."""

from __future__ import annotations

import threading
import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.members import services as members
from coopsaas.members.models import Member
from coopsaas.retail import credit
from coopsaas.retail import services as shop
from coopsaas.retail.credit import CreditLimitExceeded
from coopsaas.retail.models import Item
from coopsaas.retail.services import SaleLineData
from coopsaas.savings import services as savings
from coopsaas.tenancy.models import Tenant
from tests.helpers import make_tenant
from tests.ledger.test_concurrency import remove_tenant
from tests.retail_credit.conftest import NIKS, SETTINGS, make_chart, rp

pytestmark = pytest.mark.postgres


@pytest.fixture
def member_with_savings(app):
    with app.app_context(), force_locale("en"):
        tenant = make_tenant(f"kop-kredit-race-{uuid.uuid4().hex[:8]}", legal_form="koppontren")
        tenant.settings = dict(SETTINGS)
        db.session.commit()
        tid = tenant.id
        with tenant_scope(db.session, tid):
            make_chart()
            tenant = db.session.get(Tenant, tid)
            admission = members.register_member(tenant=tenant, actor=None, nik=NIKS[0], name="Siti Aminah")
            for kind, amount in (("wajib", "200000"), ("sukarela", "300000")):
                account = next(a for a in admission.accounts if a.product.kind == kind)
                savings.deposit(tenant=tenant, actor=None, account=account, amount=rp(amount))
            item = shop.create_item(
                tenant=tenant,
                actor=None,
                data=shop.ItemData(sku="BRS", name="Beras", member_price="12000", public_price="13000"),
            )
            supplier = shop.create_supplier(tenant=tenant, actor=None, name="Pemasok")
            order = shop.create_purchase_order(
                tenant=tenant, actor=None, supplier=supplier, lines=[shop.OrderLineData(item, "100", "10000")]
            )
            shop.receive_goods(tenant=tenant, actor=None, order=order, quantities={order.lines[0].id: "100"})
            ids = (tid, admission.member.id, item.id)
        db.session.commit()
    yield ids
    with app.app_context():
        remove_tenant(ids[0])


def test_two_credit_sales_racing_for_one_member_never_pass_the_limit(app, member_with_savings):
    tid, member_id, item_id = member_with_savings
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def till(n):
        with app.app_context(), force_locale("en"):
            try:
                with tenant_scope(db.session, tid):
                    tenant = db.session.get(Tenant, tid)
                    item = db.session.scalars(select(Item).where(Item.id == item_id)).one()
                    start.wait()
                    # 15 kg x 12.000 = 180.000 each; the limit is 250.000 for both together.
                    shop.create_sale(
                        tenant=tenant,
                        actor=None,
                        submit_key=f"till-{n}",
                        member_id=member_id,
                        tender="credit",
                        lines=[SaleLineData(item, "15")],
                    )
                    db.session.commit()
                outcomes.append("sold")
            except CreditLimitExceeded as exc:
                outcomes.append(exc.code)
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=till, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["credit_limit", "sold"]
    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        member = db.session.scalars(select(Member).where(Member.id == member_id)).one()
        status = credit.credit_status(tenant, member)
        assert (status.outstanding, status.available) == (rp(180000), rp(70000))
        assert verify_ledger(tenant) == []
