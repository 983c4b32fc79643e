"""Deposits and withdrawals: balances and journal lines to the rupiah, refusals that write nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coopsaas.core.audit import AuditEvent
from coopsaas.errors import ClosedPeriodError, Conflict, InsufficientFunds, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import close_period, trial_balance, verify_ledger
from coopsaas.ledger.models import JournalEntry, JournalLine
from coopsaas.savings import services as savings
from coopsaas.savings.models import SavingsProduct, SavingsTransaction
from tests.savings_services.builders import NIK_BUDI, rp


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(SavingsTransaction)),
        db.session.scalar(select(func.count()).select_from(JournalEntry)),
        db.session.scalar(select(func.count()).select_from(JournalLine)),
    )


def lines_of(txn: SavingsTransaction) -> list[tuple[str, str, str]]:
    rows = db.session.execute(
        select(JournalLine).where(JournalLine.entry_id == txn.journal_entry_id).order_by(JournalLine.line_no)
    ).scalars()
    return [(ln.account.code, str(ln.debit), str(ln.credit)) for ln in rows]


@pytest.fixture
def sirela(coop):
    admission = coop.register()
    return coop.account(admission, "sukarela")


def test_deposit_credits_the_account_and_posts_cash_against_sukarela(coop, sirela, check_deferred):
    txn = savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(1250000))
    check_deferred()
    assert sirela.balance == rp(1250000)
    assert txn.balance_after == rp(1250000)
    assert lines_of(txn) == [("1101", "1250000.00", "0.00"), ("2101", "0.00", "1250000.00")]
    entry = db.session.scalars(select(JournalEntry).where(JournalEntry.id == txn.journal_entry_id)).one()
    assert (entry.source_type, entry.source_id) == ("savings_transaction", txn.id)
    assert entry.voucher_no.startswith("KM-2026-")


def test_transfer_deposit_goes_to_the_bank_account(coop, sirela):
    txn = savings.deposit(
        tenant=coop.tenant, actor=coop.teller, account=sirela, amount="300000", channel="transfer"
    )
    assert lines_of(txn) == [("1102", "300000.00", "0.00"), ("2101", "0.00", "300000.00")]


def test_withdrawal_debits_sukarela_and_credits_cash(coop, sirela, check_deferred):
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(1250000))
    txn = savings.withdraw(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(400000))
    check_deferred()
    assert sirela.balance == rp(850000)
    assert lines_of(txn) == [("2101", "400000.00", "0.00"), ("1101", "0.00", "400000.00")]
    tb = trial_balance(coop.tenant)
    assert tb.row("2101").balance == rp(850000)
    assert tb.row("1101").balance == rp(850000 + 250000)
    assert tb.is_balanced


def test_withdrawal_may_not_go_below_the_minimum_balance_and_writes_nothing(coop, sirela):
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(100000))
    before = counts()
    with pytest.raises(InsufficientFunds) as exc:
        savings.withdraw(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp("75000.01"))
    assert str(exc.value.message) == (
        "Only Rp 75.000 can be withdrawn (balance Rp 100.000, minimum balance Rp 25.000, held Rp 0)."
    )
    assert counts() == before
    assert sirela.balance == rp(100000)
    txn = savings.withdraw(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(75000))
    assert txn.balance_after == rp(25000)


def test_a_hold_reduces_what_can_be_withdrawn(coop, sirela):
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(1000000))
    sirela.hold_amount = rp(500000)
    db.session.flush()
    assert savings.available_balance(sirela) == rp(475000)
    with pytest.raises(InsufficientFunds):
        savings.withdraw(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(475001))


def test_pokok_and_wajib_of_an_active_member_cannot_be_withdrawn(coop):
    admission = coop.register()
    wajib = coop.account(admission, "wajib")
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=wajib, amount=rp(50000))
    before = counts()
    for kind, label in (("pokok", "Simpanan pokok"), ("wajib", "Simpanan wajib")):
        with pytest.raises(Conflict) as exc:
            savings.withdraw(
                tenant=coop.tenant, actor=coop.teller, account=coop.account(admission, kind), amount=rp(10000)
            )
        assert str(exc.value.message) == (
            f"{label} cannot be withdrawn while the person is a member; it is refunded on exit."
        )
    assert counts() == before


def test_pokok_is_paid_once(coop):
    pokok = coop.account(coop.register(), "pokok")
    with pytest.raises(ValidationError, match="it has been paid"):
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=pokok, amount=rp(1000))


def test_closed_account_refuses_deposits(coop, sirela):
    sirela.status = "closed"
    db.session.flush()
    before = counts()
    with pytest.raises(Conflict, match="is closed"):
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(10000))
    assert counts() == before


@pytest.mark.parametrize("amount", ["10000.001", "-5000", "0", 0, "sepuluh ribu", 10000.0])
def test_bad_amounts_are_refused_and_nothing_is_written(coop, sirela, amount):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=amount)
    assert "amount" in exc.value.fields
    assert counts() == before
    assert sirela.balance == rp(0)


def test_the_same_idempotency_key_posts_once(coop, sirela):
    first = savings.deposit(
        tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(200000), idempotency_key="form:abc"
    )
    before = counts()
    again = savings.deposit(
        tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(200000), idempotency_key="form:abc"
    )
    assert again.id == first.id
    assert counts() == before
    assert sirela.balance == rp(200000)
    with pytest.raises(ValidationError, match="already used"):
        savings.deposit(
            tenant=coop.tenant,
            actor=coop.teller,
            account=sirela,
            amount=rp(300000),
            idempotency_key="form:abc",
        )


def test_backdating_into_a_closed_month_is_refused_and_writes_nothing(coop, sirela):
    close_period(tenant=coop.tenant, actor=coop.manager, year=2026, month=10)
    before = counts()
    with pytest.raises(ClosedPeriodError):
        savings.deposit(
            tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(100000), on=date(2026, 10, 31)
        )
    assert counts() == before
    assert sirela.balance == rp(0)


def test_products_come_from_the_tenant_settings_and_sync_is_idempotent(coop):
    products = savings.ensure_products(coop.tenant)
    assert {c: p.kind for c, p in products.items()} == {
        "POKOK": "pokok",
        "WAJIB": "wajib",
        "SIRELA": "sukarela",
    }
    assert products["POKOK"].parameters == {"amount": "250000.00"}
    assert products["SIRELA"].parameters["min_balance"] == "25000.00"
    savings.ensure_products(coop.tenant)
    assert db.session.scalar(select(func.count()).select_from(SavingsProduct)) == 3
    syncs = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "savings.products.sync")).all()
    assert [e.summary["created"] for e in syncs] == [["POKOK", "WAJIB", "SIRELA"]]


def test_subledger_equals_control_accounts_after_a_scenario(coop, check_deferred):
    siti = coop.register()
    budi = coop.register(nik=NIK_BUDI, name="Budi Santoso", sex="L")
    for adm, amounts in ((siti, ["1250000", "300000.50"]), (budi, ["750000"])):
        for amount in amounts:
            savings.deposit(
                tenant=coop.tenant, actor=coop.teller, account=coop.account(adm, "sukarela"), amount=amount
            )
        savings.deposit(
            tenant=coop.tenant,
            actor=coop.teller,
            account=coop.account(adm, "wajib"),
            amount="50000",
            channel="transfer",
        )
    savings.withdraw(
        tenant=coop.tenant, actor=coop.teller, account=coop.account(siti, "sukarela"), amount="500000.50"
    )
    check_deferred()
    assert savings.balances_by_kind() == {"pokok": rp(500000), "wajib": rp(100000), "sukarela": rp(1800000)}
    tb = trial_balance(coop.tenant)
    assert (tb.row("3101").balance, tb.row("3102").balance, tb.row("2101").balance) == (
        rp(500000),
        rp(100000),
        rp(1800000),
    )
    assert tb.row("1101").balance == rp(500000 + 2300000 - 500000)
    assert tb.row("1102").balance == rp(100000)
    assert list(savings.subledger_findings(coop.tenant)) == []
    assert [f for f in verify_ledger(coop.tenant) if f.code.startswith("savings")] == []


def test_a_difference_between_subledger_and_control_account_is_a_finding(coop):
    sirela = coop.account(coop.register(), "sukarela")
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(100000))
    sirela.balance = rp(90000)  # a balance changed behind the services' back
    db.session.flush()
    findings = [f for f in verify_ledger(coop.tenant) if f.code == "savings_subledger_mismatch"]
    assert [f.message for f in findings] == [
        "Simpanan sukarela: member accounts total Rp 90.000,00 but account 2101 shows Rp 100.000,00 "
        "(difference Rp 10.000,00)."
    ]


def test_a_kind_without_member_accounts_is_not_checked(coop):
    from coopsaas.ledger import EntrySpec, LineSpec, post_entry

    kas, berjangka = coop.accounts["1101"], coop.accounts["2102"]
    lines = [LineSpec(kas.id, debit=rp(5000000)), LineSpec(berjangka.id, credit=rp(5000000))]
    post_entry(
        tenant=coop.tenant, actor=coop.manager, spec=EntrySpec(entry_on=date(2026, 11, 2), lines=lines)
    )
    assert list(savings.subledger_findings(coop.tenant)) == []


def test_savings_transactions_are_append_only_in_the_database(coop, sirela):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DatabaseError

    txn = savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sirela, amount=rp(100000))
    for stmt in (
        update(SavingsTransaction).where(SavingsTransaction.id == txn.id).values(memo="diubah"),
        delete(SavingsTransaction).where(SavingsTransaction.id == txn.id),
    ):
        with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
            db.session.execute(stmt.execution_options(synchronize_session=False))
