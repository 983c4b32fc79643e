"""A network order through every state, both ledgers checked to the rupiah; the link is the only way
between the two cooperatives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from coopsaas.core.audit import AuditEvent
from coopsaas.errors import Conflict, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.network import services as net
from coopsaas.network.bridge import NotLinked
from coopsaas.network.models import NetworkOrder, NetworkPurchase, SalesOrder
from coopsaas.retail.models import Item, PurchaseOrder, Supplier
from coopsaas.retail.services import InsufficientStock
from tests.network.conftest import leave, rp


def order(network, *lines, memo=""):
    n = network
    n.in_(n.buyer)
    return net.place_order(
        tenant=n.buyer.tenant,
        actor=n.buyer.shopkeeper,
        link=n.link,
        lines=[net.OrderLineRequest(offer, qty) for offer, qty in lines],
        memo=memo,
    )


def hub_order(network, order_id):
    network.in_(network.hub)
    return db.session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)).one()


def test_placing_an_order_writes_the_hub_sales_order_and_the_buyer_purchase_order(network):
    purchase = order(network, (network.offer_beras_id, "20"), (network.offer_gula_id, "50"))
    order_id = purchase.id
    po = net.purchase_order_of(purchase)
    assert po.status == "ordered"
    assert [(ln.item.sku, ln.qty, ln.unit_cost) for ln in po.lines] == [
        ("BRS5", Decimal("20.000"), rp(65000)),
        ("GLP", Decimal("50.000"), rp(15000)),
    ]
    assert po.total == rp(2_050_000)
    supplier = db.session.scalars(select(Supplier).where(Supplier.id == po.supplier_id)).one()
    assert supplier.name == network.hub.tenant.name
    # The buyer had no such items: they were made from the catalogue, priced at the network price.
    beras = db.session.scalars(select(Item).where(Item.sku == "BRS5")).one()
    assert (beras.name, beras.unit, beras.on_hand) == ("Beras 5 kg", "sak", Decimal("0.000"))

    so = hub_order(network, order_id)
    assert (so.status, so.total, so.buyer_name) == ("ordered", rp(2_050_000), network.buyer.tenant.name)
    assert [(ln.name, ln.qty, ln.amount) for ln in so.lines] == [
        ("Beras 5 kg", Decimal("20.000"), rp(1_300_000)),
        ("Gula pasir", Decimal("50.000"), rp(750_000)),
    ]
    # The crossing is audited in the hub's own tenant.
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "network.order.place")
    ).all()
    assert events == ["network.order.place"]


def test_order_goes_through_delivery_receipt_invoice_and_payment_with_both_ledgers_agreeing(network):
    n = network
    purchase = order(n, (n.offer_beras_id, "20"), (n.offer_gula_id, "50"))
    order_id = purchase.id

    so = hub_order(n, order_id)
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.deliver_order(tenant=n.hub.tenant, actor=n.hub.shopkeeper, order=so)
    # Cost at the moving average: 20 x 60.000 + 50 x 14.000.
    assert so.cost_total == rp(1_900_000)
    assert n.hub.balance("1301") == rp(2_050_000)
    assert n.hub.balance("4202") == rp(2_050_000)
    assert n.hub.balance("5201") == rp(1_900_000)
    assert n.hub.balance("1401") == rp(6_000_000 + 2_800_000 - 1_900_000)
    beras = db.session.scalars(select(Item).where(Item.sku == "BRS5")).one()
    assert beras.on_hand == Decimal("80.000")
    assert n.hub.trial_balance_nets_to_zero()
    # Delivered, not yet paid: the receivable sub-ledger and the stock still agree with the ledger.
    assert [f.code for f in verify_ledger(n.hub.tenant)] == []

    n.in_(n.buyer)
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, order_id))
    net.receive_delivery(tenant=n.buyer.tenant, actor=n.buyer.shopkeeper, purchase=purchase)
    assert n.buyer.balance("1401") == rp(2_050_000)
    assert n.buyer.balance("2111") == rp(2_050_000)
    assert db.session.scalars(select(Item.on_hand).where(Item.sku == "GLP")).one() == Decimal("50.000")

    # Not invoiced yet: the buyer cannot pay.
    with pytest.raises(Conflict, match="not invoiced"):
        net.pay_invoice(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, amount="100000")

    so = hub_order(n, order_id)
    net.issue_invoice(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    assert so.invoice_number.startswith("FJ-")
    assert (so.due_on - so.invoice_on).days == 30

    n.in_(n.buyer)
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, order_id))
    net.pay_invoice(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, amount="1000000")
    assert n.buyer.balance("2111") == rp(1_050_000)
    assert n.buyer.balance("1101") == rp(-1_000_000)
    net.pay_invoice(
        tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, amount="1050000", method="transfer"
    )
    assert n.buyer.balance("2111") == rp(0)
    assert n.buyer.balance("1102") == rp(-1_050_000)
    assert n.buyer.trial_balance_nets_to_zero()
    assert net.order_state(purchase).status == "paid"

    so = hub_order(n, order_id)
    assert (so.status, so.paid) == ("paid", rp(2_050_000))
    assert n.hub.balance("1301") == rp(0)
    assert n.hub.balance("1101") == rp(1_000_000)
    assert n.hub.balance("1102") == rp(1_050_000)
    assert net.network_receivables() == rp(0)
    assert n.hub.trial_balance_nets_to_zero()
    assert [f.code for f in verify_ledger(n.hub.tenant)] == []
    n.in_(n.buyer)
    assert [f.code for f in verify_ledger(n.buyer.tenant)] == []
    leave()

    reg = db.session.scalars(select(NetworkOrder).where(NetworkOrder.id == order_id)).one()
    assert (reg.status, reg.total, reg.delivered_value, reg.paid) == (
        "paid",
        rp(2_050_000),
        rp(2_050_000),
        rp(2_050_000),
    )


def test_paying_more_than_owed_is_refused_and_changes_neither_side(network):
    n = network
    purchase = order(n, (n.offer_gula_id, "20"))
    order_id = purchase.id
    so = hub_order(n, order_id)
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.deliver_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.issue_invoice(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    n.in_(n.buyer)
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, order_id))
    with pytest.raises(Conflict, match="Receive the goods"):
        net.pay_invoice(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, amount="300000")
    net.receive_delivery(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase)
    with pytest.raises(ValidationError, match=r"more than the Rp 300\.000 still owed"):
        net.pay_invoice(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, amount="300001")
    with pytest.raises(ValidationError, match="cash or by transfer"):
        net.pay_invoice(
            tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, amount="1", method="cek"
        )
    assert n.buyer.balance("2111") == rp(300_000)
    so = hub_order(n, order_id)
    assert (so.paid, so.status) == (rp(0), "invoiced")
    assert n.hub.balance("1301") == rp(300_000)


def test_below_the_minimum_or_not_published_is_refused_and_nothing_is_written(network):
    n = network
    with pytest.raises(ValidationError, match="from 20 kg"):
        order(n, (n.offer_gula_id, "19"))
    n.in_(n.hub)
    net.unpublish_item(tenant=n.hub.tenant, actor=n.hub.manager, entry=n.offer_beras)
    with pytest.raises(ValidationError, match="not in the hub's catalogue"):
        order(n, (n.offer_beras_id, "10"))
    n.in_(n.hub)
    assert db.session.scalars(select(SalesOrder)).all() == []
    n.in_(n.buyer)
    assert db.session.scalars(select(PurchaseOrder)).all() == []
    leave()
    assert db.session.scalars(select(NetworkOrder)).all() == []


def test_a_cooperative_without_a_link_cannot_order_or_browse(network):
    n = network
    n.in_(n.outsider)
    with pytest.raises(NotLinked, match="no open network link"):
        net.buyer_link_to(n.outsider.tenant, n.hub.tenant.slug)
    with pytest.raises(NotLinked):
        net.place_order(
            tenant=n.outsider.tenant,
            actor=n.outsider.manager,
            link=n.link,
            lines=[net.OrderLineRequest(n.offer_gula_id, "20")],
        )
    with pytest.raises(NotLinked):
        net.browse_catalogue(tenant=n.outsider.tenant, actor=n.outsider.manager, link=n.link)
    n.in_(n.hub)
    assert db.session.scalars(select(SalesOrder)).all() == []


def test_a_deactivated_link_or_hub_closes_the_door(network):
    n = network
    leave()
    net.set_link_active(agency=n.agency, actor=n.admin, link=n.link, active=False)
    n.in_(n.buyer)
    with pytest.raises(NotLinked):
        order(n, (n.offer_gula_id, "20"))
    assert net.links_as_buyer(n.buyer.tenant) == []


def test_buyer_sees_the_catalogue_through_the_link_without_costs(network):
    n = network
    n.in_(n.buyer)
    offers = net.browse_catalogue(tenant=n.buyer.tenant, actor=n.buyer.manager, link=n.link)
    assert [(o.sku, o.network_price, o.min_qty) for o in offers] == [
        ("BRS5", rp(65000), Decimal("10.000")),
        ("GLP", rp(15000), Decimal("20.000")),
    ]
    assert not hasattr(offers[0], "avg_cost")


def test_delivery_beyond_stock_is_refused_and_the_order_stays_confirmed(network):
    n = network
    order_id = order(n, (n.offer_beras_id, "150")).id
    so = hub_order(n, order_id)
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    db.session.commit()
    with pytest.raises(InsufficientStock, match="Not enough Beras 5 kg"):
        net.deliver_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    db.session.rollback()
    so = hub_order(n, order_id)
    assert so.status == "confirmed"
    assert n.hub.balance("1301") == rp(0)


def test_cancelling_by_the_buyer_or_the_hub_cancels_both_sides(network):
    n = network
    first = order(n, (n.offer_gula_id, "20"))
    first_id = first.id
    net.cancel_purchase(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=first, reason="Salah pesan")
    assert net.purchase_order_of(first).status == "cancelled"
    assert hub_order(n, first_id).status == "cancelled"

    second = order(n, (n.offer_gula_id, "30"))
    second_id = second.id
    so = hub_order(n, second_id)
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.cancel_sales_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so, reason="Stok habis")
    assert hub_order(n, second_id).cancel_reason == "Stok habis"
    n.in_(n.buyer)
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, second_id))
    assert net.purchase_order_of(purchase).status == "cancelled"
    with pytest.raises(Conflict, match="ask the hub"):
        third_id = order(n, (n.offer_gula_id, "20")).id
        so = hub_order(n, third_id)
        net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
        n.in_(n.buyer)
        third = db.session.get(NetworkPurchase, (n.buyer.tenant.id, third_id))
        net.cancel_purchase(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=third, reason="x")


def test_agency_directory_hub_and_link_rules(network):
    n = network
    leave()
    partner = net.create_partner(
        agency=n.agency,
        actor=n.admin,
        data=net.PartnerData(
            name="CV Tani Makmur", kind="distributor", region="Kab. Bogor", categories="beras, gula"
        ),
    )
    assert partner.category_list == ["beras", "gula"]
    with pytest.raises(Conflict, match="already has CV Tani Makmur"):
        net.create_partner(agency=n.agency, actor=n.admin, data=net.PartnerData(name="CV Tani Makmur"))
    with pytest.raises(PermissionDenied):
        net.create_partner(agency=n.agency, actor=n.viewer, data=net.PartnerData(name="CV Lain"))
    with pytest.raises(ValidationError, match="supervises"):
        net.link_to_hub(agency=n.agency, actor=n.admin, hub=n.hub_row, tenant_id=n.stranger.tenant.id)
    with pytest.raises(ValidationError, match="linked to itself"):
        net.link_to_hub(agency=n.agency, actor=n.admin, hub=n.hub_row, tenant_id=n.hub.tenant.id)

    # The cooperative sees the directory and adds the entry to its own suppliers once.
    n.in_(n.buyer)
    assert [p.name for p in db.session.scalars(net.directory(n.buyer.tenant))] == ["CV Tani Makmur"]
    supplier = net.adopt_partner(tenant=n.buyer.tenant, actor=n.buyer.manager, partner_id=partner.id)
    assert (supplier.name, supplier.address) == ("CV Tani Makmur", "Kab. Bogor")
    with pytest.raises(Conflict, match="already one of your suppliers"):
        net.adopt_partner(tenant=n.buyer.tenant, actor=n.buyer.manager, partner_id=partner.id)
    # A cooperative under another agency does not see it.
    n.in_(n.stranger)
    assert db.session.scalars(net.directory(n.stranger.tenant)).all() == []
    with pytest.raises(Exception, match="not in your network directory"):
        net.adopt_partner(tenant=n.stranger.tenant, actor=n.stranger.manager, partner_id=partner.id)


def test_agency_volumes_per_cooperative(network):
    n = network
    a = order(n, (n.offer_beras_id, "10"))
    a_id = a.id
    b = order(n, (n.offer_gula_id, "40"))
    b_id = b.id
    so = hub_order(n, a_id)
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.deliver_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.issue_invoice(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    today = so.ordered_on
    n.in_(n.buyer)
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, a_id))
    net.receive_delivery(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase)
    net.pay_invoice(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, amount="400000")
    assert b_id
    leave()
    rows = net.network_volumes(n.agency, today, today)
    got = [
        (r.tenant.slug, r.role, r.orders, r.ordered_value, r.delivered_value, r.paid, r.outstanding)
        for r in rows
    ]
    assert got == [
        ("hub", "hub", 2, rp(1_250_000), rp(650_000), rp(400_000), rp(250_000)),
        ("pembeli", "buyer", 2, rp(1_250_000), rp(650_000), rp(400_000), rp(250_000)),
    ]


def test_a_second_delivery_of_the_same_order_is_refused_and_stock_leaves_once(network):
    n = network
    order_id = order(n, (n.offer_gula_id, "20")).id
    so = hub_order(n, order_id)
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.deliver_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    db.session.commit()
    with pytest.raises(Conflict, match="this step needs it confirmed"):
        net.deliver_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    db.session.rollback()
    n.in_(n.hub)
    assert db.session.scalars(select(Item.on_hand).where(Item.sku == "GLP")).one() == Decimal("180.000")
    assert n.hub.balance("1301") == rp(300_000)


@pytest.mark.postgres
def test_row_level_security_hides_the_hub_side_from_the_buyer_after_the_crossing(network):
    from sqlalchemy import text

    n = network
    order(n, (n.offer_gula_id, "20"))
    # Back in the buyer's scope after the bridge: even raw SQL (no ORM scoping) sees none of the hub's rows.
    count = "SELECT count(*) FROM {}"
    for table in ("network_sales_order", "network_sales_order_line", "network_catalogue_item"):
        assert db.session.execute(text(count.format(table))).scalar() == 0, table
    assert db.session.execute(text(count.format("network_purchase"))).scalar() == 1
    n.in_(n.hub)
    assert db.session.execute(text(count.format("network_sales_order"))).scalar() == 1
    assert db.session.execute(text(count.format("network_purchase"))).scalar() == 0


def test_the_shop_pages_own_steps_refuse_a_network_order_before_the_hub_delivers(network):
    from coopsaas.retail import services as retail

    n = network
    purchase = order(n, (n.offer_beras_id, "20"))
    po = net.purchase_order_of(purchase)
    with pytest.raises(Conflict, match="supply network order") as refused:
        retail.receive_goods(
            tenant=n.buyer.tenant,
            actor=n.buyer.shopkeeper,
            order=po,
            quantities={ln.id: ln.qty for ln in po.lines},
        )
    assert refused.value.code == "order_managed_elsewhere"
    supplier = db.session.scalars(select(Supplier).where(Supplier.id == po.supplier_id)).one()
    with pytest.raises(Conflict, match="supply network order"):
        retail.record_supplier_invoice(
            tenant=n.buyer.tenant,
            actor=n.buyer.manager,
            supplier=supplier,
            number="X-1",
            amount="1300000",
            order=po,
        )
    # Nothing came in: no stock, no payable, the order still waits for the hub.
    assert po.status == "ordered"
    assert db.session.scalars(select(Item.on_hand).where(Item.sku == "BRS5")).one() == Decimal("0.000")
    assert n.buyer.balance("1401") == rp(0)
    assert n.buyer.balance("2111") == rp(0)
    leave()
