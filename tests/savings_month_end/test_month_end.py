"""Month-end interest, tax and admin fee, to the rupiah; once-only under reruns and crashes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coopsaas.extensions import db
from coopsaas.jobs.runs import get_run
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry, JournalLine
from coopsaas.savings import month_end
from coopsaas.savings.models import SavingsTransaction
from tests.savings_month_end.helpers import balance, june_history, member_with, move, posted, run_month, tb


def rp(n: str | int) -> Decimal:
    return Decimal(str(n)).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("product", "interest"),
    [("A-LOW", 4808), ("AVG", 6830), ("DAY", 6830), ("T360", 4875)],
)
def test_the_worked_june_gives_the_documented_interest(coop, product, interest):
    _member, account = member_with(coop, 1, product)
    june_history(coop, account)
    result = run_month(coop, "2026-06-30")
    assert result.status == "done"
    assert posted(account, "interest") == [rp(interest)]
    assert posted(account, "tax") == []
    assert balance(account) == rp(2550000 + interest)
    assert verify_ledger(coop.tenant) == []


def test_all_methods_in_one_run_and_the_trial_balance_after_it(coop):
    accounts = []
    for n, product in enumerate(["A-LOW", "AVG", "DAY", "T360"], start=1):
        _m, account = member_with(coop, n, product)
        june_history(coop, account)
        accounts.append(account)
    result = run_month(coop, "2026-06-15")  # any day of June closes June
    assert result.period == "2026-06"
    assert [posted(a, "interest") for a in accounts] == [[rp(4808)], [rp(6830)], [rp(6830)], [rp(4875)]]
    assert tb(coop, "5101") == rp(4808 + 6830 + 6830 + 4875)
    assert tb(coop, "2101") == rp(4 * 2550000 + 4808 + 6830 + 6830 + 4875)
    assert verify_ledger(coop.tenant) == []
    entry_ids = {
        t.journal_entry_id
        for t in db.session.scalars(select(SavingsTransaction).where(SavingsTransaction.kind == "interest"))
    }
    assert len(entry_ids) == 1  # one entry for the batch, each line naming its member
    members = db.session.scalars(select(JournalLine.member_id).where(JournalLine.entry_id.in_(entry_ids)))
    assert None not in set(members)


def test_an_account_opened_mid_july_earns_by_average_but_not_by_lowest(coop):
    _m1, average = member_with(coop, 1, "AVG", joined=date(2026, 7, 16))
    _m2, lowest = member_with(coop, 2, "A-LOW", joined=date(2026, 7, 16))
    move(coop, average, date(2026, 7, 16), 3100000)
    move(coop, lowest, date(2026, 7, 16), 3100000)
    run_month(coop, "2026-07-31")
    # 16 days x 3.100.000 = 49.600.000; x 3 % / 365 = 4.076,71 -> 4.077 (July has 31 days)
    assert posted(average, "interest") == [rp(4077)]
    assert posted(lowest, "interest") == []
    assert balance(lowest) == rp(3100000)


def test_february_has_28_days(coop):
    _m1, act = member_with(coop, 1, "A-LOW")
    _m2, t360 = member_with(coop, 2, "T360")
    move(coop, act, date(2026, 1, 20), 1000000)
    move(coop, t360, date(2026, 1, 20), 1000000)
    run_month(coop, "2026-02-28")
    assert posted(act, "interest") == [rp(2301)]  # 1.000.000 x 3 % x 28/365 = 2.301,37
    assert posted(t360, "interest") == [rp(2500)]  # 1.000.000 x 3 % / 12


def test_a_member_over_the_threshold_pays_ten_percent_of_the_whole_interest(coop):
    _m, account = member_with(coop, 1, "A-LOW")
    move(coop, account, date(2026, 5, 4), 100000000)
    run_month(coop, "2026-06-30")
    # 100.000.000 x 3 % x 30/365 = 246.575,34 -> 246.575; tax 24.657,5 -> 24.658
    assert posted(account, "interest") == [rp(246575)]
    assert posted(account, "tax") == [rp(24658)]
    assert balance(account) == rp(100000000 + 246575 - 24658)
    assert tb(coop, "2122") == rp(24658)
    assert verify_ledger(coop.tenant) == []


def test_the_threshold_is_tested_on_all_of_a_members_accounts(coop):
    member, first = member_with(coop, 1, "A-LOW")
    from coopsaas.savings import services as savings

    second = savings.open_account(
        tenant=coop.tenant,
        actor=coop.teller,
        member=member,
        product=coop.products["AVG"],
        on=date(2026, 1, 5),
    )
    move(coop, first, date(2026, 5, 4), 50000000)
    move(coop, second, date(2026, 5, 4), 50000000)
    run_month(coop, "2026-06-30")
    # 123.287,67 -> 123.288 each: alone under Rp 240.000, together 246.576 -> tax 24.658
    assert posted(first, "interest") == [rp(123288)]
    assert posted(second, "interest") == [rp(123288)]
    assert sum(posted(first, "tax") + posted(second, "tax")) == rp(24658)
    assert verify_ledger(coop.tenant) == []


def test_the_admin_fee_is_charged_after_the_interest(coop):
    _m, account = member_with(coop, 1, "FEE")
    move(coop, account, date(2026, 5, 4), 1000000)
    run_month(coop, "2026-06-30")
    assert posted(account, "interest") == [rp(2466)]  # 2.465,75
    assert posted(account, "fee") == [rp(5000)]
    assert balance(account) == rp(1000000 + 2466 - 5000)
    assert tb(coop, "4901") == rp(5000)
    assert verify_ledger(coop.tenant) == []


def test_a_small_balance_pays_what_it_can_of_the_fee(coop):
    _m, account = member_with(coop, 1, "FEE")
    move(coop, account, date(2026, 5, 4), 3000)
    run_month(coop, "2026-06-30")
    assert posted(account, "interest") == [rp(7)]  # 3.000 x 3 % x 30/365 = 7,40
    assert posted(account, "fee") == [rp(3007)]
    assert balance(account) == rp(0)


def test_a_rerun_posts_nothing_twice(coop):
    _m, account = member_with(coop, 1, "A-LOW")
    june_history(coop, account)
    run_month(coop, "2026-06-30")
    entries = db.session.scalar(select(func.count()).select_from(JournalEntry))
    again = run_month(coop, "2026-06-01")
    assert again.skipped
    # Even past the JobRun guard, the per-account keys hold.
    direct = month_end.run_month_end(tenant=coop.tenant, actor=None, year=2026, month=6)
    assert (direct.accounts, direct.skipped) == (0, 1)
    assert posted(account, "interest") == [rp(4808)]
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == entries


def test_a_crash_halfway_leaves_nothing_and_the_retry_completes(coop, monkeypatch):
    accounts = []
    for n in range(1, 5):
        _m, account = member_with(coop, n, "A-LOW")
        june_history(coop, account)
        accounts.append(account)
    monkeypatch.setattr(month_end, "BATCH_SIZE", 1)
    real_post = month_end.post_batch
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real_post(**kwargs)

    monkeypatch.setattr(month_end, "post_batch", failing)
    with pytest.raises(RuntimeError):
        run_month(coop, "2026-06-30")
    from coopsaas.core.db import set_tenant

    set_tenant(db.session, coop.tenant.id)
    assert get_run(kind="savings_month_end", period="2026-06").status == "failed"
    assert [posted(a, "interest") for a in accounts] == [[], [], [], []]
    assert tb(coop, "5101") == rp(0)

    monkeypatch.setattr(month_end, "post_batch", real_post)
    retry = run_month(coop, "2026-06-30")
    assert retry.status == "done" and retry.attempts == 2
    assert [posted(a, "interest") for a in accounts] == [[rp(4808)]] * 4
    assert verify_ledger(coop.tenant) == []


def test_progress_counts_the_accounts(coop):
    for n in range(1, 4):
        _m, account = member_with(coop, n, "A-LOW")
        june_history(coop, account)
    result = run_month(coop, "2026-06-30")
    assert (result.progress_done, result.progress_total) == (3, 3)
    assert "3 accounts" in result.message and "interest 14424.00" in result.message
