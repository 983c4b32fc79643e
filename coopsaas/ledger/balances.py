"""Balances and the trial balance.

`AccountPeriodBalance` rows hold the signed (debit minus credit) closing balance of each account
at the end of every closed month, so a balance as of any date is the stored balance of the
latest closed month before it plus the lines of the open tail: O(accounts) rows plus one month
of lines at most, however old the books.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from coopsaas.core.db import TenantMissing, current_tenant_id
from coopsaas.extensions import db
from coopsaas.ledger.models import PERIOD_CLOSED, Account, AccountPeriodBalance, FiscalPeriod, JournalLine
from coopsaas.ledger.posting import ZERO, month_end
from coopsaas.ledger.services import checked_month, prev_month, require_scope, today_for, ym
from coopsaas.tenancy.models import Tenant


def _base_period(as_of: date) -> FiscalPeriod | None:
    """The latest closed month that ends on or before `as_of`."""
    limit = ym(as_of.year, as_of.month)
    if as_of != month_end(as_of.year, as_of.month):
        limit = ym(*prev_month(as_of.year, as_of.month))
    return db.session.scalars(
        select(FiscalPeriod)
        .where(FiscalPeriod.status == PERIOD_CLOSED, FiscalPeriod.year * 100 + FiscalPeriod.month <= limit)
        .order_by(FiscalPeriod.year.desc(), FiscalPeriod.month.desc())
        .limit(1)
    ).first()


def line_sums(
    start: date | None, end: date, account_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
    """(debit, credit) per account for lines dated in [start, end] (start None: from the first)."""
    stmt = (
        select(JournalLine.account_id, func.sum(JournalLine.debit), func.sum(JournalLine.credit))
        .where(JournalLine.entry_on <= end)
        .group_by(JournalLine.account_id)
    )
    if start is not None:
        stmt = stmt.where(JournalLine.entry_on >= start)
    if account_ids is not None:
        stmt = stmt.where(JournalLine.account_id.in_(list(account_ids)))
    return {aid: (d or ZERO, c or ZERO) for aid, d, c in db.session.execute(stmt)}


def stored_balances(
    period: FiscalPeriod, account_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, AccountPeriodBalance]:
    stmt = select(AccountPeriodBalance).where(
        AccountPeriodBalance.year == period.year, AccountPeriodBalance.month == period.month
    )
    if account_ids is not None:
        stmt = stmt.where(AccountPeriodBalance.account_id.in_(list(account_ids)))
    return {row.account_id: row for row in db.session.scalars(stmt)}


def net_balances(as_of: date, account_ids: Iterable[uuid.UUID] | None = None) -> dict[uuid.UUID, Decimal]:
    """Signed balances (debit minus credit) at the end of `as_of` for the tenant in scope:
    stored closing balances of the latest closed month, plus the lines after it."""
    ids = list(account_ids) if account_ids is not None else None
    base = _base_period(as_of)
    out: dict[uuid.UUID, Decimal] = {}
    start = None
    if base is not None:
        out = {aid: row.closing_balance for aid, row in stored_balances(base, ids).items()}
        start = month_end(base.year, base.month) + timedelta(days=1)
    for aid, (d, c) in line_sums(start, as_of, ids).items():
        out[aid] = out.get(aid, ZERO) + d - c
    return out


def on_normal_side(account: Account, net: Decimal) -> Decimal:
    return net if account.normal_side == "D" else -net


def balance_of(account: Account, as_of: date | None = None) -> Decimal:
    """The balance of `account` at the end of `as_of` (default today), positive on its normal side."""
    if current_tenant_id(db.session) != account.tenant_id:
        raise TenantMissing("balance of an account outside the tenant in scope")
    if as_of is None:
        as_of = today_for(db.session.get_one(Tenant, account.tenant_id))
    net = net_balances(as_of, [account.id]).get(account.id, ZERO)
    return on_normal_side(account, net)


@dataclass(frozen=True)
class TrialBalanceRow:
    account_id: uuid.UUID
    code: str
    name: str
    type: str
    normal_side: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # on the account's normal side


@dataclass(frozen=True)
class TrialBalance:
    as_of: date
    rows: list[TrialBalanceRow]
    total_debit: Decimal
    total_credit: Decimal

    @property
    def is_balanced(self) -> bool:
        return self.total_debit == self.total_credit

    @property
    def difference(self) -> Decimal:
        return self.total_debit - self.total_credit

    def row(self, code: str) -> TrialBalanceRow | None:
        return next((r for r in self.rows if r.code == code), None)


def trial_balance(
    tenant: Tenant,
    as_of: date | None = None,
    period: tuple[int, int] | None = None,
    *,
    include_zero: bool = False,
) -> TrialBalance:
    """Every account's balance at the end of `as_of` (or of the month `period` = (year, month);
    default today) in the debit or credit column, by account code."""
    require_scope(tenant)
    if period is not None:
        as_of = month_end(*checked_month(*period))
    as_of = as_of or today_for(tenant)
    nets = net_balances(as_of)
    rows: list[TrialBalanceRow] = []
    total_d = total_c = ZERO
    for account in db.session.scalars(select(Account).order_by(Account.code)):
        net = nets.get(account.id, ZERO)
        if net == 0 and not include_zero:
            continue
        debit, credit = (net, ZERO) if net > 0 else (ZERO, -net)
        total_d += debit
        total_c += credit
        rows.append(
            TrialBalanceRow(
                account.id,
                account.code,
                account.name,
                account.type,
                account.normal_side,
                debit,
                credit,
                on_normal_side(account, net),
            )
        )
    return TrialBalance(as_of, rows, total_d, total_c)
