"""Member shop credit: the limit, credit at the till, collection at the counter and from savings,
voids and returns, the payroll list, member exit and the receivable check."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coopsaas.errors import Conflict, InsufficientFunds, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry, trial_balance
from coopsaas.members.obligations import obligations_of
from coopsaas.retail import credit, receivables
from coopsaas.retail import services as shop
from coopsaas.retail.credit import CreditLimitExceeded
from coopsaas.retail.credit_models import CreditTxn
from coopsaas.retail.models import Sale
from coopsaas.savings.services import accounts_of
from tests.retail_credit.conftest import TODAY, rp, scope


def sukarela(member):
    return next(a for a in accounts_of(member) if a.product.kind == "sukarela")


def test_the_limit_is_half_of_wajib_and_sukarela_without_pokok(stocked):
    status = credit.credit_status(stocked.tenant, stocked.siti)
    # pokok 100.000 left out: (200.000 + 300.000) x 50 %
    assert (status.savings, status.limit, status.available) == (rp(500000), rp(250000), rp(250000))


def test_settings_change_the_limit_pokok_included_and_capped(stocked):
    stocked.tenant.settings = {**stocked.tenant.settings, "shop_credit_include_pokok": True}
    assert credit.credit_status(stocked.tenant, stocked.siti).limit == rp(300000)
    stocked.tenant.settings = {
        **stocked.tenant.settings,
        "shop_credit_limit_pct_of_savings": "20",
        "shop_credit_limit_max": "100000.00",
    }
    # 20 % of 600.000 is 120.000, capped at 100.000
    assert credit.credit_status(stocked.tenant, stocked.siti).limit == rp(100000)


def test_a_credit_sale_posts_the_receivable_and_uses_the_limit(stocked, check_deferred):
    sale = stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    check_deferred()
    assert (sale.tender, sale.total, sale.cash_tendered, sale.change) == ("credit", rp(120000), rp(0), rp(0))
    assert stocked.balance("1301") == rp(120000)
    assert stocked.balance("4201") == rp(120000)
    assert stocked.balance("5201") == rp(100000)
    assert stocked.balance("1101") == rp(100000 + 200000 + 300000)  # savings paid in only
    status = credit.credit_status(stocked.tenant, stocked.siti)
    assert (status.outstanding, status.available) == (rp(120000), rp(130000))
    txn = db.session.scalars(select(CreditTxn)).one()
    assert (txn.kind, txn.amount, txn.balance_after, txn.sale_id) == ("sale", rp(120000), rp(120000), sale.id)
    assert receivables.receivable_findings(stocked.tenant) == []


def test_beyond_the_limit_is_refused_and_nothing_is_written(stocked):
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    db.session.commit()
    scope(stocked)
    with pytest.raises(CreditLimitExceeded) as exc:
        stocked.sell((stocked.beras, "11"), key="k2", member=stocked.siti, tender="credit")
    assert str(exc.value.message) == (
        "Credit limit exceeded: Rp 132.000,00 asked, Rp 130.000,00 available (limit Rp 250.000, "
        "already owed Rp 120.000,00)."
    )
    db.session.rollback()
    scope(stocked)
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1
    assert stocked.balance("1301") == rp(120000)
    assert stocked.beras.on_hand == 90


def test_a_walk_in_customer_cannot_buy_on_credit(stocked):
    with pytest.raises(ValidationError) as exc:
        stocked.sell((stocked.sabun, "1"), key="k1", tender="credit")
    assert exc.value.code == "credit_walk_in"
    assert str(exc.value.message) == "Only members can buy on credit; a walk-in customer pays cash."


def test_paying_at_the_counter_in_part_then_more_than_owed_is_refused(stocked, check_deferred):
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    txn = credit.pay_credit(
        tenant=stocked.tenant, actor=stocked.shopkeeper, member=stocked.siti, amount=rp(50000), method="cash"
    )
    check_deferred()
    assert (txn.kind, txn.balance_after) == ("payment", rp(70000))
    assert stocked.balance("1301") == rp(70000)
    with pytest.raises(ValidationError) as exc:
        credit.pay_credit(
            tenant=stocked.tenant, actor=stocked.shopkeeper, member=stocked.siti, amount=rp(70001)
        )
    assert str(exc.value.message) == "Rp 70.001,00 is more than the shop credit owed, Rp 70.000,00."
    credit.pay_credit(
        tenant=stocked.tenant,
        actor=stocked.shopkeeper,
        member=stocked.siti,
        amount=rp(70000),
        method="transfer",
    )
    assert stocked.balance("1301") == rp(0)
    assert stocked.balance("1102") == rp(70000)
    with pytest.raises(Conflict, match="owes no shop credit"):
        credit.pay_credit(tenant=stocked.tenant, actor=stocked.shopkeeper, member=stocked.siti, amount=rp(1))


def test_a_repeated_payment_key_records_one_payment(stocked):
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    kw = {"tenant": stocked.tenant, "actor": stocked.shopkeeper, "member": stocked.siti, "amount": rp(20000)}
    first = credit.pay_credit(**kw, idempotency_key="pay-1")
    again = credit.pay_credit(**kw, idempotency_key="pay-1")
    assert first.id == again.id
    assert stocked.balance("1301") == rp(100000)


def test_deducting_from_savings_debits_sukarela_and_credits_the_receivable(stocked, check_deferred):
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    txn = credit.deduct_from_savings(
        tenant=stocked.tenant, actor=stocked.manager, member=stocked.siti, amount=rp(120000)
    )
    check_deferred()
    assert (txn.kind, txn.balance_after) == ("savings", rp(0))
    assert sukarela(stocked.siti).balance == rp(180000)
    assert stocked.balance("2101") == rp(180000)
    assert stocked.balance("1301") == rp(0)
    assert stocked.balance("1101") == rp(600000)  # no cash moved
    assert receivables.receivable_findings(stocked.tenant) == []


def test_deducting_more_than_the_savings_hold_is_refused(stocked):
    poor = stocked.member(1, name="Budi Santoso", wajib="400000", sukarela="50000")
    stocked.sell((stocked.beras, "10"), key="k1", member=poor, tender="credit")
    db.session.commit()
    scope(stocked)
    with pytest.raises(InsufficientFunds):
        credit.deduct_from_savings(
            tenant=stocked.tenant, actor=stocked.manager, member=poor, amount=rp(120000)
        )
    db.session.rollback()
    scope(stocked)
    assert credit.credit_row(poor.id).outstanding == rp(120000)
    assert sukarela(poor).balance == rp(50000)


def test_voiding_a_credit_sale_gives_the_credit_back(stocked, check_deferred):
    sale = stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    shop.void_sale(tenant=stocked.tenant, actor=stocked.manager, sale=sale, reason="Salah input")
    check_deferred()
    assert credit.credit_row(stocked.siti.id).outstanding == rp(0)
    assert stocked.balance("1301") == rp(0)
    assert stocked.beras.on_hand == 100
    assert receivables.receivable_findings(stocked.tenant) == []


def test_voiding_a_credit_sale_already_paid_is_refused(stocked):
    sale = stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    credit.pay_credit(tenant=stocked.tenant, actor=stocked.shopkeeper, member=stocked.siti, amount=rp(120000))
    with pytest.raises(Conflict) as exc:
        shop.void_sale(tenant=stocked.tenant, actor=stocked.manager, sale=sale, reason="Salah input")
    assert exc.value.code == "credit_already_paid"


def test_returning_part_of_a_credit_sale_lowers_the_credit_not_the_cash(stocked, check_deferred):
    sale = stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    shop.return_sale(
        tenant=stocked.tenant,
        actor=stocked.shopkeeper,
        sale=sale,
        quantities={sale.lines[0].id: "4"},
        reason="Beras apek",
    )
    check_deferred()
    assert credit.credit_row(stocked.siti.id).outstanding == rp(72000)
    assert stocked.balance("1301") == rp(72000)
    assert stocked.balance("1101") == rp(600000)


def test_a_cash_sale_to_a_member_leaves_the_credit_alone(stocked):
    sale = stocked.sell((stocked.sabun, "2"), key="k1", member=stocked.siti)
    assert (sale.tender, sale.total) == ("cash", rp(5000))
    assert credit.credit_row(stocked.siti.id) is None
    assert stocked.balance("1301") == rp(0)


def test_the_payroll_list_groups_what_members_owe_by_employer(stocked):
    budi = stocked.member(1, name="Budi Santoso", wajib="400000", employer="Dinas Pendidikan")
    stocked.member(2, name="Ani Lestari", wajib="400000", employer="Dinas Pendidikan")  # owes nothing
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    stocked.sell((stocked.sabun, "4"), key="k2", member=budi, tender="credit")
    credit.pay_credit(tenant=stocked.tenant, actor=stocked.shopkeeper, member=budi, amount=rp(1000))
    groups = credit.payroll_list("2026-11")
    assert [(g.employer, g.total) for g in groups] == [
        ("Dinas Pendidikan", rp(9000)),
        ("RS Islam Sukamakmur", rp(120000)),
    ]
    assert [(r.member_no, r.name, r.total) for r in groups[0].rows] == [
        (budi.member_no, "Budi Santoso", rp(9000))
    ]
    # Before the purchases the October list is empty.
    assert credit.payroll_list("2026-10") == []
    with pytest.raises(ValidationError):
        credit.payroll_list("November")


def test_member_exit_settles_the_shop_credit_without_posting(stocked):
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    [obligation] = [o for o in obligations_of(stocked.siti) if o.kind == "shop_credit"]
    assert (obligation.amount, obligation.account_id) == (rp(120000), stocked.accounts["1301"].id)
    # The exit posts one entry crediting 1301; the shop records it.
    entry = post_entry(
        tenant=stocked.tenant,
        actor=stocked.manager,
        spec=EntrySpec(
            entry_on=TODAY,
            lines=[
                LineSpec(stocked.accounts["2101"].id, debit=rp(120000)),
                LineSpec(stocked.accounts["1301"].id, credit=rp(120000)),
            ],
            memo="Keluar anggota",
        ),
    )
    entries_before = db.session.scalar(select(func.count()).select_from(type(entry)))
    obligation.settle(obligation, entry)
    assert db.session.scalar(select(func.count()).select_from(type(entry))) == entries_before
    row = credit.credit_row(stocked.siti.id)
    assert row.outstanding == rp(0)
    last = db.session.scalars(select(CreditTxn).where(CreditTxn.kind == "exit")).one()
    assert (last.amount, last.journal_entry_id) == (rp(120000), entry.id)
    assert receivables.receivable_findings(stocked.tenant) == []


def test_the_receivable_check_finds_a_posting_outside_the_shop(stocked):
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    post_entry(
        tenant=stocked.tenant,
        actor=stocked.manager,
        spec=EntrySpec(
            entry_on=TODAY,
            lines=[
                LineSpec(stocked.accounts["1301"].id, debit=rp(5000)),
                LineSpec(stocked.accounts["1101"].id, credit=rp(5000)),
            ],
            memo="Manual",
        ),
    )
    [finding] = receivables.receivable_findings(stocked.tenant)
    assert finding.code == "retail.receivables"
    assert finding.details == {"subledger": "120000.00", "control": "125000.00"}


def test_the_trial_balance_nets_to_zero_after_credit_activity(stocked, check_deferred):
    stocked.sell((stocked.beras, "10"), key="k1", member=stocked.siti, tender="credit")
    credit.pay_credit(tenant=stocked.tenant, actor=stocked.shopkeeper, member=stocked.siti, amount=rp(20000))
    credit.deduct_from_savings(
        tenant=stocked.tenant, actor=stocked.manager, member=stocked.siti, amount=rp(30000)
    )
    check_deferred()
    tb = trial_balance(stocked.tenant, TODAY)
    assert tb.total_debit == tb.total_credit
