"""The demo shop of a Koppontren: three months of purchases, bulk sales and a stock take whose
books agree (ledger verify finds nothing, stock value equals the inventory account), with lots
near expiry and stock-outs for the reports, the same every time and loaded once."""

from __future__ import annotations

import shutil
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.demo import loader, savings_activity, shop_activity
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.retail import lots, reports, services
from coopsaas.retail.lots import StockLot
from coopsaas.retail.models import Item, Sale, StockMovement, StockTake
from coopsaas.tenancy.models import Tenant
from tests.savings_services.builders import NOW

ROOT = loader.Path(__file__).resolve().parents[2] / "tenants"
SLUG = "kopontren-al-hikmah"


@pytest.fixture
def scratch(app, db_session, tmp_path):
    shutil.copy(ROOT / f"{SLUG}.toml", tmp_path / f"{SLUG}.toml")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "agencies", tmp_path / "agencies")
    with frozen(NOW):
        report = loader.load_demo(db_session, tmp_path, environment="test")
        db_session.commit()
        savings_activity.load_all(
            db_session, [lg for lg in report.logins if lg.role == "member"], members_count=8
        )
        yield


def in_tenant(fn):
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == SLUG)).one()
    db.session.rollback()
    set_tenant(db.session, tenant.id)
    try:
        return fn(tenant)
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def facts(tenant):
    today = services.today_for(tenant)
    value = services.stock_value(tenant)
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    items = list(db.session.scalars(select(Item)))
    lot_totals = dict(
        db.session.execute(
            select(StockLot.item_id, func.sum(StockLot.qty_left)).group_by(StockLot.item_id)
        ).all()
    )
    lots_fit = all(lot_totals.get(i.id, D(0)) <= max(i.on_hand, D(0)) for i in items)
    start = today.replace(day=1)
    return {
        "findings": verify_ledger(tenant),
        "difference": value.difference,
        "stock": value.total,
        "items": len(items),
        "categories": {i.category for i in items},
        "sales": count(Sale),
        "member_sales": db.session.scalar(
            select(func.count()).select_from(Sale).where(Sale.member_id.is_not(None))
        ),
        "sale_entries": db.session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.source_type == "retail_sale")
        ),
        "sale_moves": db.session.scalar(
            select(func.count(func.distinct(StockMovement.source_id))).where(StockMovement.kind == "sale")
        ),
        "takes": count(StockTake),
        "lots_fit": lots_fit,
        "expiring": len(lots.expiry_list(as_of=today, days=30).rows),
        "period_rows": len(reports.period_report(start, today).rows),
        "negative": [i.sku for i in items if i.on_hand < 0],
    }


def test_three_months_of_shop_books_agree_and_load_once(scratch):
    with frozen(NOW):
        (first,) = shop_activity.load_all(db.session, months=3)
        after = in_tenant(facts)
        (second,) = shop_activity.load_all(db.session, months=3)
        again = in_tenant(facts)

    assert after["findings"] == []  # balanced, gapless vouchers, stock value = inventory account
    assert after["difference"] == D("0.00") and after["stock"] > 0
    assert after["items"] == first.items >= 30
    assert after["categories"] == {
        "Sembako",
        "Minuman & makanan ringan",
        "Alat tulis",
        "Kitab & buku",
        "Perlengkapan santri",
    }
    assert after["sales"] == first.sales == after["sale_entries"] == after["sale_moves"]
    assert first.sales > 90 * 6
    assert 0 < after["member_sales"] < after["sales"]
    assert after["takes"] == 1
    assert after["lots_fit"]
    assert after["expiring"] > 0  # fresh goods and milk close to their dates
    assert after["period_rows"] == after["items"]
    assert after["negative"] == []
    assert second.skipped and again["sales"] == after["sales"]
