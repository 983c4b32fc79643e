"""Closing a member's savings when the member leaves (domain/savings.md section 6).

The member exit (coopsaas/members/exit.py) settles in three steps, all in the caller's
transaction; this module does the savings side of each:

1. every active time deposit is broken on the exit date by the product's early-break rule
   (`deposits.break_placement`: interest still owed, the penalty, the principal), paid into the
   member's sukarela account so that the money joins the settlement;
2. the sukarela accounts get the exit month's interest up to the day before the exit
   (`interest.interest_on_closing`, the same arithmetic the month-end uses: the daily method pays
   what accrued, the lowest- and average-balance methods pay nothing for a broken month), with
   tax withheld on the member's interest of the month (PP 15/2009, tax.py); no admin fee is
   charged for the exit month. Posted like the month-end (`month_end.post_batch`, its idempotency
   keys), so a later month-end never pays the month again;
3. after the exit's one refund entry is posted, `close_for_exit` writes the withdrawal that
   empties each account (mirroring that entry's lines) and closes it.

Earlier months' interest is the month-end's job; the exit only warns when last month's run is
missing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import func, select

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import to_money
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import LineSpec
from coopsaas.members.models import Member
from coopsaas.savings import deposits, month_end
from coopsaas.savings import services as savings
from coopsaas.savings.berjangka import BreakSettlement, Payout, break_deposit
from coopsaas.savings.interest import InterestMethod, interest_on_closing
from coopsaas.savings.models import (
    BERJANGKA,
    CLOSED,
    INTEREST,
    OPEN,
    SUKARELA,
    TAX,
    WITHDRAWAL,
    ZERO,
    SavingsAccount,
    SavingsTransaction,
)
from coopsaas.savings.models_berjangka import ACTIVE, BerjangkaPlacement
from coopsaas.savings.tax import DEFAULT_RULES, rule_on
from coopsaas.tenancy.models import Tenant

INTERNAL = month_end.INTERNAL


@dataclass(frozen=True)
class ClosingInterest:
    """The exit month's interest of one sukarela account (zero when the method pays none)."""

    account: SavingsAccount
    method: InterestMethod
    days_counted: int
    gross: Decimal
    tax: Decimal
    already_posted: bool  # the month-end already paid this month

    @property
    def net(self) -> Decimal:
        return self.gross - self.tax


@dataclass(frozen=True)
class DepositBreak:
    """What breaking one time deposit on the exit date pays into the settlement."""

    placement: BerjangkaPlacement
    account: SavingsAccount
    due_net: Decimal  # monthly payouts whose anniversary passed but are not paid yet (net of tax)
    settlement: BreakSettlement

    @property
    def interest_net(self) -> Decimal:
        return self.due_net + self.settlement.interest_net

    @property
    def paid_out(self) -> Decimal:
        return self.settlement.paid_out + self.due_net


def open_accounts(member: Member) -> list[SavingsAccount]:
    return [a for a in savings.accounts_of(member) if a.status == OPEN]


def sukarela_account(member: Member) -> SavingsAccount | None:
    """The member's first open sukarela account: where a broken time deposit is paid."""
    return next((a for a in open_accounts(member) if a.product.kind == SUKARELA), None)


def _month_key(on: date) -> str:
    return f"{on.year:04d}-{on.month:02d}"


def _month_end_posted(account: SavingsAccount, on: date) -> bool:
    prefix = month_end.idempotency_key(_month_key(on), account.id, "")
    found = db.session.scalars(
        select(SavingsTransaction.id).where(
            SavingsTransaction.account_id == account.id,
            SavingsTransaction.idempotency_key.like(prefix + "%"),
        )
    ).first()
    return found is not None


def _prior_interest(member: Member, on: date) -> tuple[Decimal, Decimal]:
    """Interest (gross) and tax already credited to the member's accounts in the month of `on`:
    a time deposit's payouts, which join the tax threshold (savings.md section 5)."""
    first = on.replace(day=1)
    ids = [a.id for a in savings.accounts_of(member)]
    if not ids:
        return ZERO, ZERO
    rows = dict(
        db.session.execute(
            select(SavingsTransaction.kind, func.coalesce(func.sum(SavingsTransaction.amount), ZERO))
            .where(
                SavingsTransaction.account_id.in_(ids),
                SavingsTransaction.kind.in_((INTEREST, TAX)),
                SavingsTransaction.entry_on >= first,
                SavingsTransaction.entry_on <= on,
            )
            .group_by(SavingsTransaction.kind)
        ).all()
    )
    return to_money(rows.get(INTEREST, ZERO)), to_money(rows.get(TAX, ZERO))


def closing_interest(member: Member, exit_on: date) -> list[ClosingInterest]:
    """The exit month's interest and tax of each open sukarela account (no writes)."""
    first_day = exit_on.replace(day=1)
    accounts = [a for a in open_accounts(member) if a.product.kind == SUKARELA and a.opened_on <= exit_on]
    if not accounts:
        return []
    signed = month_end._signed()
    gross: dict[Any, Decimal] = {}
    details: dict[Any, tuple[InterestMethod, int, bool]] = {}
    for account in accounts:
        terms = month_end.product_terms(account.product)
        if _month_end_posted(account, exit_on):
            gross[account.id] = ZERO
            details[account.id] = (terms.method, 0, True)
            continue
        rows = db.session.execute(
            select(SavingsTransaction.entry_on, func.sum(signed))
            .where(SavingsTransaction.account_id == account.id, SavingsTransaction.entry_on >= first_day)
            .group_by(SavingsTransaction.entry_on)
            .order_by(SavingsTransaction.entry_on)
        ).all()
        opening = account.balance - sum((to_money(total) for _on, total in rows), ZERO)
        running = opening
        changes: list[tuple[date, Decimal]] = []
        for on, total in rows:
            running += to_money(total)
            changes.append((cast(date, on), max(running, ZERO)))
        result = interest_on_closing(
            closed_on=exit_on,
            opening_balance=max(opening, ZERO),
            changes=changes,
            terms=terms,
            opened_on=account.opened_on if account.opened_on > first_day else None,
        )
        gross[account.id] = result.interest
        details[account.id] = (terms.method, result.days_counted, False)
    prior = _prior_interest(member, exit_on)
    rule = rule_on(DEFAULT_RULES, exit_on)
    taxes = month_end._member_taxes(accounts, gross, rule, prior if prior[0] > 0 else None)
    return [
        ClosingInterest(
            account=a,
            method=details[a.id][0],
            days_counted=details[a.id][1],
            gross=gross[a.id],
            tax=taxes[a.id],
            already_posted=details[a.id][2],
        )
        for a in accounts
    ]


def deposit_breaks(member: Member, exit_on: date) -> list[DepositBreak]:
    """What breaking each of the member's active time deposits on `exit_on` would pay (no writes).

    Raises: Conflict (a deposit matured on or before the exit date and is not settled yet: run the
    month-end first), ValidationError (exit date before a placement)."""
    out: list[DepositBreak] = []
    for account in open_accounts(member):
        if account.product.kind != BERJANGKA:
            continue
        placements = db.session.scalars(
            select(BerjangkaPlacement).where(
                BerjangkaPlacement.account_id == account.id, BerjangkaPlacement.status == ACTIVE
            )
        ).all()
        for placement in placements:
            if exit_on >= placement.maturity_on:
                raise Conflict(
                    _l(
                        "Time deposit %(no)s matured on %(day)s and is not settled yet; run the savings "
                        "month-end for that month first.",
                        no=account.account_no,
                        day=placement.maturity_on.isoformat(),
                    ),
                    code="deposit_matured",
                )
            if exit_on < placement.placed_on:
                message = _l("The exit date is before time deposit %(no)s was placed.", no=account.account_no)
                raise ValidationError(message, fields={"exit_on": [message]})
            schedule = deposits.schedule_of(placement)
            due_net = ZERO
            if schedule.terms.payout is Payout.MONTHLY:
                for number, posting in enumerate(schedule.postings, start=1):
                    if number > placement.periods_done and posting.on <= exit_on:
                        due_net += posting.net
            out.append(DepositBreak(placement, account, due_net, break_deposit(schedule, exit_on)))
    return out


def month_end_missing(member: Member, exit_on: date) -> date | None:
    """The last day of the month before the exit when its savings month-end has not run and the
    member had a sukarela account then (its interest is then missing from the settlement)."""
    from coopsaas.jobs.models import DONE, JobRun

    first = exit_on.replace(day=1)
    previous_last = first - timedelta(days=1)
    had_account = any(
        a.product.kind == SUKARELA and a.opened_on <= previous_last for a in open_accounts(member)
    )
    if not had_account:
        return None
    ran = db.session.scalars(
        select(JobRun.id).where(
            JobRun.kind == "savings_month_end",
            JobRun.period == _month_key(previous_last),
            JobRun.status == DONE,
        )
    ).first()
    return None if ran is not None else previous_last


# ---- postings at approval --------------------------------------------------------------------------


def break_deposits_for_exit(*, tenant: Tenant, actor: Any, member: Member, exit_on: date) -> int:
    """Break every active time deposit of `member` on `exit_on`, paying into the member's sukarela
    account (a deposit paying out in cash is redirected there first, audited). Returns how many.

    Raises: Conflict (no open sukarela account to receive it, matured deposit), PermissionDenied
    (actor is not a manager)."""
    breaks = deposit_breaks(member, exit_on)
    if not breaks:
        return 0
    target = sukarela_account(member)
    if target is None:
        raise Conflict(
            _l(
                "Member %(no)s has a time deposit but no open sukarela account to receive it; open one "
                "first.",
                no=member.member_no,
            ),
            code="no_sukarela_account",
        )
    for item in breaks:
        placement = item.placement
        if placement.payout_account_id != target.id:
            before = str(placement.payout_account_id) if placement.payout_account_id else "cash"
            placement.payout_account_id = target.id
            db.session.flush()
            audit.record(
                "savings.berjangka.payout_for_exit",
                actor=actor,
                target=placement,
                summary={"from": before, "to": target.account_no},
            )
        deposits.break_placement(tenant=tenant, actor=actor, placement=placement, on=exit_on)
    return len(breaks)


def post_closing_interest(*, tenant: Tenant, actor: Any, member: Member, exit_on: date) -> Decimal:
    """Credit the exit month's sukarela interest (net of tax) dated the exit day; returns the gross."""
    items = [i for i in closing_interest(member, exit_on) if i.gross > 0]
    if not items:
        return ZERO
    locked = {a.id: a for a in (savings._lock(i.account) for i in items)}
    postings = [month_end.AccountPosting(locked[i.account.id], i.gross, i.tax, ZERO) for i in items]
    chart = {
        "control": savings.control_account(SUKARELA),
        "expense": month_end._required_account(
            month_end.INTEREST_EXPENSE_TAGS[:1],
            month_end.INTEREST_EXPENSE_TAGS[1],
            "beban jasa simpanan sukarela",
        ),
        "tax": month_end._required_account(month_end.TAX_TAGS[:1], month_end.TAX_TAGS[1], "utang pajak"),
    }
    month_end.post_batch(
        tenant=tenant,
        actor=actor,
        postings=postings,
        period=_month_key(exit_on),
        last_day=exit_on,
        accounts=chart,
    )
    return sum((i.gross for i in items), ZERO)


def refund_lines(member: Member) -> tuple[list[SavingsAccount], list[LineSpec]]:
    """The member's open accounts, locked, and the debit lines that empty them (one per account
    with a balance, on the kind's control account: 3101, 3102, 2101, 2102)."""
    accounts = [savings._lock(a) for a in open_accounts(member)]
    lines = [
        LineSpec(savings.control_account(a.product.kind).id, debit=a.balance, member_id=member.id)
        for a in accounts
        if a.balance > 0
    ]
    return accounts, lines


def close_for_exit(
    *, actor: Any, accounts: list[SavingsAccount], entry: Any, exit_on: date, key_prefix: str
) -> None:
    """Empty and close `accounts` by the exit's refund entry (which debits their balances)."""
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for account in accounts:
        if account.balance > 0:
            if entry is None:
                raise ValueError("an account with a balance needs the refund entry")
            by_kind[account.product.kind] += account.balance
            db.session.add(
                SavingsTransaction(
                    id=uuid7(),
                    account_id=account.id,
                    kind=WITHDRAWAL,
                    channel=INTERNAL,
                    amount=account.balance,
                    balance_after=ZERO,
                    entry_on=exit_on,
                    memo="Pengembalian simpanan anggota keluar",
                    journal_entry_id=entry.id,
                    idempotency_key=f"{key_prefix}:{account.id}",
                    created_by_id=getattr(actor, "id", None),
                )
            )
        account.balance = ZERO
        account.hold_amount = ZERO
        account.status = CLOSED
        account.closed_on = exit_on
    db.session.flush()
