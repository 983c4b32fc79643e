"""Two tills selling the last unit at the same moment, on PostgreSQL with real commits.

The tenant is committed for real (the rolled-back `db_session` cannot show two transactions) and
removed afterwards by the superuser, as tests/ledger/test_concurrency.py does.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.retail import services
from coopsaas.retail.models import Item, Sale
from coopsaas.retail.services import InsufficientStock, SaleLineData
from coopsaas.tenancy.models import Tenant
from tests.helpers import make_tenant
from tests.ledger.test_concurrency import remove_tenant
from tests.retail.conftest import make_shop_chart, rp

pytestmark = pytest.mark.postgres


@pytest.fixture
def last_unit(app):
    with app.app_context():
        tenant = make_tenant(f"kop-toko-race-{uuid.uuid4().hex[:8]}", legal_form="koppontren")
        db.session.commit()
        tid = tenant.id
        with tenant_scope(db.session, tid):
            make_shop_chart()
            tenant = db.session.get(Tenant, tid)
            item = services.create_item(
                tenant=tenant,
                actor=None,
                data=services.ItemData(
                    sku="LAST", name="Sarung tenun", member_price="95000", public_price="100000"
                ),
            )
            supplier = services.create_supplier(tenant=tenant, actor=None, name="Penenun")
            order = services.create_purchase_order(
                tenant=tenant,
                actor=None,
                supplier=supplier,
                lines=[services.OrderLineData(item, "1", "80000")],
            )
            services.receive_goods(
                tenant=tenant, actor=None, order=order, quantities={order.lines[0].id: "1"}
            )
            item_id = item.id
    yield tid, item_id
    with app.app_context():
        remove_tenant(tid)


def test_two_tills_selling_the_last_unit_one_wins_one_gets_a_clear_error(app, last_unit):
    tid, item_id = last_unit
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
                    services.create_sale(
                        tenant=tenant, actor=None, submit_key=f"till-{n}", lines=[SaleLineData(item, "1")]
                    )
                outcomes.append("sold")
            except InsufficientStock as exc:
                outcomes.append(str(exc.message))
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
    assert sorted(outcomes) == ["Not enough Sarung tenun in stock: 0 pcs on hand, 1 asked.", "sold"]

    with app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        item = db.session.scalars(select(Item).where(Item.id == item_id)).one()
        assert (item.on_hand, item.stock_value) == (0, rp(0))
        assert db.session.scalar(select(func.count()).select_from(Sale)) == 1
        report = services.stock_value(tenant)
        assert report.total == report.control_balance == rp(0)
        assert verify_ledger(tenant) == []
