"""A crossing step interrupted after the first cooperative's books committed: the books differ, the
ledger check says so, and a retry, `complete_pending` or the nightly job brings both sides into
agreement, each side posting exactly once."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.jobs.kinds import run_kind
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.network import services as net
from coopsaas.network.models import NetworkPurchase, NetworkStep, PaymentReceived, SalesOrder
from coopsaas.retail.models import PurchaseOrder, SupplierPayment
from tests.network.conftest import leave, rp

HALF_DONE = "network.half_done_step"


class LostConnection(RuntimeError):
    pass


def _fail(*args, **kwargs):
    raise LostConnection("server closed the connection unexpectedly")


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _codes(coop) -> list[str]:
    return [f.code for f in verify_ledger(coop.tenant)]


def _place(n, key=None):
    n.in_(n.buyer)
    return net.place_order(
        tenant=n.buyer.tenant,
        actor=n.buyer.shopkeeper,
        link=n.link,
        lines=[net.OrderLineRequest(n.offer_beras_id, "20"), net.OrderLineRequest(n.offer_gula_id, "50")],
        key=key,
    )


def _invoiced_and_received(n):
    """An order of Rp 2.050.000, delivered, received by the buyer and invoiced by the hub."""
    order_id = _place(n).id
    n.in_(n.hub)
    so = db.session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)).one()
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.deliver_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.issue_invoice(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    n.in_(n.buyer)
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, order_id))
    net.receive_delivery(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase)
    n.in_(n.buyer)
    return order_id


def _pay(n, order_id, amount, key=None, method="cash"):
    n.in_(n.buyer)
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, order_id))
    return net.pay_invoice(
        tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, amount=amount, method=method, key=key
    )


def _hub_payment_books(n):
    n.in_(n.hub)
    return (
        n.hub.balance("1101"),
        n.hub.balance("1301"),
        _count(PaymentReceived),
        _count(JournalEntry, JournalEntry.source_type == "network_payment_received"),
    )


def _buyer_payment_books(n):
    n.in_(n.buyer)
    return n.buyer.balance("1101"), n.buyer.balance("2111"), _count(SupplierPayment)


def _interrupted_payment(n, monkeypatch, key="bayar-1"):
    order_id = _invoiced_and_received(n)
    monkeypatch.setattr(net, "_buyer_side_of_payment", _fail)
    with pytest.raises(LostConnection):
        _pay(n, order_id, "1000000", key=key)
    db.session.rollback()
    monkeypatch.undo()
    # The hub's side committed, the buyer's did not: the books disagree.
    assert _hub_payment_books(n) == (rp(1_000_000), rp(1_050_000), 1, 1)
    assert _buyer_payment_books(n) == (rp(0), rp(2_050_000), 0)
    # Each cooperative's check reads its own rows only: the buyer holds the half-done step.
    n.in_(n.hub)
    assert HALF_DONE not in _codes(n.hub)
    n.in_(n.buyer)
    findings = [f for f in verify_ledger(n.buyer.tenant) if f.code == HALF_DONE]
    assert len(findings) == 1
    assert "Half-done network step: pay" in findings[0].message
    assert findings[0].details["order_id"] == str(order_id)
    return order_id


def _payment_agrees_once(n):
    assert _hub_payment_books(n) == (rp(1_000_000), rp(1_050_000), 1, 1)
    assert _buyer_payment_books(n) == (rp(-1_000_000), rp(1_050_000), 1)
    n.in_(n.buyer)
    assert HALF_DONE not in _codes(n.buyer)
    assert n.buyer.trial_balance_nets_to_zero()
    n.in_(n.hub)
    assert _codes(n.hub) == []


def test_a_payment_cut_off_after_the_hub_side_is_finished_by_retrying_with_the_same_key(network, monkeypatch):
    n = network
    order_id = _interrupted_payment(n, monkeypatch)

    payment = _pay(n, order_id, "1000000", key="bayar-1")
    db.session.commit()
    assert payment.amount == rp(1_000_000)
    _payment_agrees_once(n)
    # A third click with the same key changes nothing on either side.
    again = _pay(n, order_id, "1000000", key="bayar-1")
    db.session.commit()
    assert again.id == payment.id
    _payment_agrees_once(n)
    # The same key with another amount is a different request: refused, nothing written.
    with pytest.raises(ValidationError, match="already used for a different request"):
        _pay(n, order_id, "5000", key="bayar-1")
    db.session.rollback()
    _payment_agrees_once(n)

    # The rest is paid as a new request: the order ends paid on both sides.
    _pay(n, order_id, "1050000", key="bayar-2", method="transfer")
    db.session.commit()
    assert _buyer_payment_books(n) == (rp(-1_000_000), rp(0), 2)
    n.in_(n.buyer)
    assert n.buyer.balance("1102") == rp(-1_050_000)
    n.in_(n.hub)
    assert (n.hub.balance("1301"), n.hub.balance("1102"), _count(PaymentReceived)) == (
        rp(0),
        rp(1_050_000),
        2,
    )
    assert db.session.scalars(select(SalesOrder.status)).one() == "paid"
    leave()


def test_a_payment_cut_off_is_finished_by_the_next_action_on_the_order_or_the_nightly_job(
    network, monkeypatch
):
    n = network
    order_id = _interrupted_payment(n, monkeypatch)
    # A retry without the key is a new payment: the pending one is completed first, then the new one
    # is checked against what is really left (Rp 1.050.000), so 2.050.000 is refused.
    with pytest.raises(ValidationError, match=r"more than the Rp 1\.050\.000 still owed"):
        _pay(n, order_id, "2050000")
    db.session.rollback()
    _payment_agrees_once(n)

    # Another cut-off payment, this time left to the nightly job.
    monkeypatch.setattr(net, "_buyer_side_of_payment", _fail)
    with pytest.raises(LostConnection):
        _pay(n, order_id, "50000", key="bayar-3")
    db.session.rollback()
    monkeypatch.undo()
    n.in_(n.buyer)
    assert HALF_DONE in _codes(n.buyer)
    day = n.buyer.tenant.id
    leave()
    result = run_kind("network_reconcile", day, "2026-11-25")
    assert result.message == "1 half-done network steps completed, 0 still pending"
    assert _hub_payment_books(n) == (rp(1_050_000), rp(1_000_000), 2, 2)
    assert _buyer_payment_books(n) == (rp(-1_050_000), rp(1_000_000), 2)
    n.in_(n.buyer)
    assert HALF_DONE not in _codes(n.buyer)
    leave()


def _interrupted_order(n, monkeypatch, key=None):
    monkeypatch.setattr(net, "_buyer_side_of_order", _fail)
    with pytest.raises(LostConnection):
        _place(n, key=key)
    db.session.rollback()
    monkeypatch.undo()
    n.in_(n.hub)
    orders = db.session.scalars(select(SalesOrder)).all()
    assert [(o.status, o.total) for o in orders] == [("ordered", rp(2_050_000))]
    order_id = orders[0].id
    assert HALF_DONE not in _codes(n.hub)
    n.in_(n.buyer)
    assert (_count(NetworkPurchase), _count(PurchaseOrder)) == (0, 0)
    findings = [f for f in verify_ledger(n.buyer.tenant) if f.code == HALF_DONE]
    assert [f.details["order_id"] for f in findings] == [str(order_id)]
    return order_id


def _order_agrees_once(n, order_id):
    n.in_(n.hub)
    assert _count(SalesOrder) == 1
    n.in_(n.buyer)
    purchase = db.session.scalars(select(NetworkPurchase)).one()
    assert purchase.id == order_id
    po = net.purchase_order_of(purchase)
    assert (po.status, po.total, _count(PurchaseOrder)) == ("ordered", rp(2_050_000), 1)
    assert HALF_DONE not in _codes(n.buyer)


def test_an_order_cut_off_after_the_hub_side_is_finished_by_retrying_with_the_same_key(network, monkeypatch):
    n = network
    order_id = _interrupted_order(n, monkeypatch, key="pesan-1")
    purchase = _place(n, key="pesan-1")
    db.session.commit()
    assert purchase.id == order_id
    _order_agrees_once(n, order_id)
    again = _place(n, key="pesan-1")
    assert again.id == order_id
    db.session.commit()
    _order_agrees_once(n, order_id)
    leave()


def test_an_order_cut_off_is_finished_by_complete_pending_and_then_goes_through_to_payment(
    network, monkeypatch
):
    n = network
    order_id = _interrupted_order(n, monkeypatch)
    n.in_(n.buyer)
    assert net.complete_pending(order_id, tenant=n.buyer.tenant, actor=n.buyer.manager) == 1
    db.session.commit()
    _order_agrees_once(n, order_id)
    assert net.complete_pending(order_id, tenant=n.buyer.tenant, actor=n.buyer.manager) == 0

    # The completed order is an ordinary one: delivered, received, invoiced and paid once each side.
    n.in_(n.hub)
    so = db.session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)).one()
    net.confirm_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.deliver_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    net.issue_invoice(tenant=n.hub.tenant, actor=n.hub.manager, order=so)
    n.in_(n.buyer)
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, order_id))
    net.receive_delivery(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase)
    _pay(n, order_id, "2050000")
    db.session.commit()
    assert _buyer_payment_books(n) == (rp(-2_050_000), rp(0), 1)
    assert n.buyer.balance("1401") == rp(2_050_000)
    assert _hub_payment_books(n) == (rp(2_050_000), rp(0), 1, 1)
    assert n.hub.balance("4202") == rp(2_050_000)
    n.in_(n.buyer)
    statuses = db.session.scalars(select(NetworkStep.status).where(NetworkStep.role == "origin")).all()
    assert sorted(statuses) == ["done", "done"]
    leave()


def test_the_normal_path_posts_once_and_leaves_no_step_pending(network):
    n = network
    order_id = _invoiced_and_received(n)
    _pay(n, order_id, "2050000")
    db.session.commit()
    assert _buyer_payment_books(n) == (rp(-2_050_000), rp(0), 1)
    assert _hub_payment_books(n) == (rp(2_050_000), rp(0), 1, 1)
    for coop in (n.hub, n.buyer):
        n.in_(coop)
        assert _count(NetworkStep, NetworkStep.status == "pending") == 0
    # Each crossing left one row on each side with the same operation id.
    n.in_(n.buyer)
    mine = set(db.session.scalars(select(NetworkStep.operation_id).where(NetworkStep.role == "origin")))
    n.in_(n.hub)
    theirs = set(db.session.scalars(select(NetworkStep.operation_id).where(NetworkStep.role == "target")))
    assert mine == theirs and len(mine) == 2
    leave()


def test_an_order_the_buyer_books_refuse_is_withdrawn_at_the_hub(network, monkeypatch):
    n = network

    def refuse(*args, **kwargs):
        raise ValidationError("The chart of accounts is closed.")

    monkeypatch.setattr(net, "_buyer_side_of_order", refuse)
    with pytest.raises(ValidationError, match="closed"):
        _place(n)
    db.session.rollback()
    monkeypatch.undo()
    n.in_(n.hub)
    so = db.session.scalars(select(SalesOrder)).one()
    assert (so.status, so.cancel_reason) == ("cancelled", "The buyer's side could not be written.")
    n.in_(n.buyer)
    assert _count(PurchaseOrder) == 0
    assert HALF_DONE not in _codes(n.buyer)
    leave()


def test_a_hub_cancellation_cut_off_before_the_buyer_side_is_finished_by_the_job(network, monkeypatch):
    n = network
    order_id = _place(n).id
    n.in_(n.hub)
    so = db.session.scalars(select(SalesOrder).where(SalesOrder.id == order_id)).one()
    monkeypatch.setattr(net, "_cancel_buyer_side", _fail)
    with pytest.raises(LostConnection):
        net.cancel_sales_order(tenant=n.hub.tenant, actor=n.hub.manager, order=so, reason="Stok habis")
    db.session.rollback()
    monkeypatch.undo()
    n.in_(n.hub)
    assert db.session.scalars(select(SalesOrder.status)).one() == "cancelled"
    assert HALF_DONE in _codes(n.hub)
    n.in_(n.buyer)
    assert db.session.scalars(select(PurchaseOrder.status)).one() == "ordered"
    hub_id = n.hub.tenant.id
    leave()
    result = run_kind("network_reconcile", hub_id, "2026-11-25")
    assert result.message == "1 half-done network steps completed, 0 still pending"
    n.in_(n.buyer)
    assert db.session.scalars(select(PurchaseOrder.status)).one() == "cancelled"
    n.in_(n.hub)
    assert HALF_DONE not in _codes(n.hub)
    assert Decimal(0) == n.hub.balance("1301")
    leave()


def test_a_payment_form_resubmitted_after_a_lost_connection_pays_once(app, network, monkeypatch):
    from tests.network.test_web import _client, _post

    n = network
    order_id = _invoiced_and_received(n)
    leave()
    manager = _client(app, "ketua-pembeli")
    base = f"/t/{n.buyer.tenant.slug}/jaringan/pembelian/{order_id}"
    page = manager.get(base).get_data(as_text=True)
    key = re.search(r'name="submit_key" value="([0-9a-f]{32})"', page).group(1)
    form = {"amount": "1.000.000", "method": "cash", "submit_key": key}
    monkeypatch.setattr(net, "_buyer_side_of_payment", _fail)
    with pytest.raises(LostConnection):
        _post(manager, f"{base}/bayar", form, base)
    db.session.rollback()
    monkeypatch.undo()
    assert _buyer_payment_books(n) == (rp(0), rp(2_050_000), 0)
    leave()
    # The same form sent again (the browser's retry): the half-done payment is finished, once.
    assert _post(manager, f"{base}/bayar", form, base).status_code == 302
    assert _post(manager, f"{base}/bayar", form, base).status_code == 302
    _payment_agrees_once(n)
    leave()


def test_an_api_order_retried_with_its_idempotency_key_after_a_failure_orders_once(app, network, monkeypatch):
    from tests.helpers import csrf_token
    from tests.network.test_web import _client

    n = network
    slug = n.buyer.tenant.slug
    client = _client(app, "ketua-pembeli")
    token = csrf_token(client, f"/t/{slug}/jaringan/")
    body = {
        "hub": n.hub.tenant.slug,
        "lines": [
            {"catalogue_item_id": str(n.offer_beras_id), "qty": "20"},
            {"catalogue_item_id": str(n.offer_gula_id), "qty": "50"},
        ],
    }
    headers = {"X-CSRFToken": token, "Idempotency-Key": "pesanan-7"}
    monkeypatch.setattr(net, "_buyer_side_of_order", _fail)
    with pytest.raises(LostConnection):
        client.post(f"/api/v1/t/{slug}/network/orders", json=body, headers=headers)
    db.session.rollback()
    monkeypatch.undo()
    leave()
    first = client.post(f"/api/v1/t/{slug}/network/orders", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["total"], first.get_json()["status"]) == ("2050000.00", "ordered")
    again = client.post(f"/api/v1/t/{slug}/network/orders", json=body, headers=headers)
    assert again.get_json()["id"] == first.get_json()["id"]
    n.in_(n.hub)
    assert _count(SalesOrder) == 1
    n.in_(n.buyer)
    assert (_count(NetworkPurchase), _count(PurchaseOrder)) == (1, 1)
    assert HALF_DONE not in _codes(n.buyer)
    leave()


def test_a_buyer_cancellation_cut_off_after_the_hub_side_is_finished_by_cancelling_again(
    network, monkeypatch
):
    n = network
    purchase = _place(n)
    order_id = purchase.id
    monkeypatch.setattr(net, "_cancel_buyer_side", _fail)
    with pytest.raises(LostConnection):
        net.cancel_purchase(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, reason="Salah")
    db.session.rollback()
    monkeypatch.undo()
    n.in_(n.hub)
    assert db.session.scalars(select(SalesOrder.status)).one() == "cancelled"
    n.in_(n.buyer)
    assert db.session.scalars(select(PurchaseOrder.status)).one() == "ordered"
    assert HALF_DONE in _codes(n.buyer)
    # The user clicks "cancel" again: the step is finished, not refused as "already confirmed".
    purchase = db.session.get(NetworkPurchase, (n.buyer.tenant.id, order_id))
    net.cancel_purchase(tenant=n.buyer.tenant, actor=n.buyer.manager, purchase=purchase, reason="Salah")
    db.session.commit()
    assert db.session.scalars(select(PurchaseOrder.status)).one() == "cancelled"
    assert HALF_DONE not in _codes(n.buyer)
    leave()
