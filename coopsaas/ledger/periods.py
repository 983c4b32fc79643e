"""Month close, reopen and the year-end close into SHU of the year."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select

from coopsaas.core import audit
from coopsaas.core.db import utcnow
from coopsaas.core.i18n import _l
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.balances import line_sums, net_balances, stored_balances
from coopsaas.ledger.models import (
    PERIOD_CLOSED,
    PERIOD_OPEN,
    Account,
    AccountPeriodBalance,
    FiscalPeriod,
    JournalEntry,
    JournalLine,
)
from coopsaas.ledger.posting import ZERO, EntrySpec, closing_lines, month_end, rupiah
from coopsaas.ledger.services import (
    checked_month,
    find_period,
    latest_closed_period,
    lock_books,
    post_entry,
    prev_month,
    require_scope,
    today_for,
    ym,
)
from coopsaas.ledger.verify import subledger_findings, unbalanced_entries
from coopsaas.tenancy.models import Tenant

SHU_CURRENT_YEAR_CODE = "3502"
SHU_CURRENT_YEAR_TAG = "shu_tahun_berjalan"
YEAR_CLOSE_SERIES = "JP"  # jurnal penutup


def _check_can_close(tenant: Tenant, year: int, month: int) -> FiscalPeriod | None:
    """The close checklist, except the balance check. Returns the existing period row."""
    end = month_end(year, month)
    label = f"{year}-{month:02d}"
    if end >= today_for(tenant):
        message = _l("%(period)s has not ended yet.", period=label)
        raise ValidationError(message, fields={"period": [message]})
    period = find_period(year, month)
    if period is not None and period.status == PERIOD_CLOSED:
        raise Conflict(_l("%(period)s is already closed.", period=label), code="period_closed")
    latest = latest_closed_period()
    if latest is not None and ym(latest.year, latest.month) > ym(year, month):
        raise Conflict(
            _l(
                "The books are already closed through %(latest)s.", latest=f"{latest.year}-{latest.month:02d}"
            ),
            code="period_closed",
        )
    py, pm = prev_month(year, month)
    previous = find_period(py, pm)
    if previous is None or previous.status != PERIOD_CLOSED:
        earlier = db.session.scalar(
            select(func.count()).select_from(JournalLine).where(JournalLine.entry_on < date(year, month, 1))
        )
        if earlier:
            message = _l("Close %(previous)s first.", previous=f"{py}-{pm:02d}")
            raise Conflict(message, fields={"period": [message]}, code="previous_period_open")
    return period


def close_period(*, tenant: Tenant, actor: Any, year: int, month: int) -> FiscalPeriod:
    """Close a month: check it (ended, previous month closed or none before, every entry and the
    trial balance balanced), store each account's balance, and refuse postings into it.

    Raises: ValidationError (bad or unfinished month), Conflict (already closed, previous month
    open, unbalanced books).
    """
    require_scope(tenant)
    year, month = checked_month(year, month)
    lock_books(tenant, exclusive=True)
    period = _check_can_close(tenant, year, month)
    start, end = date(year, month, 1), month_end(year, month)
    label = f"{year}-{month:02d}"

    unbalanced = unbalanced_entries(start, end)
    if unbalanced:
        raise Conflict(
            _l(
                "%(period)s has unbalanced entries: %(vouchers)s.",
                period=label,
                vouchers=", ".join(v for _, v, _, _ in unbalanced),
            ),
            code="unbalanced",
        )
    movement = line_sums(start, end)
    moved_d = sum((d for d, _ in movement.values()), ZERO)
    moved_c = sum((c for _, c in movement.values()), ZERO)
    if moved_d != moved_c:
        raise Conflict(
            _l(
                "The trial balance of %(period)s does not balance: difference %(diff)s.",
                period=label,
                diff=rupiah(abs(moved_d - moved_c)),
            ),
            code="unbalanced",
        )

    mismatched = subledger_findings(tenant)
    if mismatched:
        raise Conflict(
            _l(
                "A sub-ledger does not equal its control account, so %(period)s cannot be closed: "
                "%(findings)s",
                period=label,
                findings="; ".join(str(f.message) for f in mismatched[:5]),
            ),
            code="subledger_mismatch",
        )

    py, pm = prev_month(year, month)
    previous = find_period(py, pm)
    opening: dict[uuid.UUID, Decimal] = {}
    if previous is not None and previous.status == PERIOD_CLOSED:
        opening = {aid: row.closing_balance for aid, row in stored_balances(previous).items()}
    for aid in sorted(set(opening) | set(movement)):
        d, c = movement.get(aid, (ZERO, ZERO))
        closing = opening.get(aid, ZERO) + d - c
        if closing == 0 and d == 0 and c == 0:
            continue
        db.session.add(
            AccountPeriodBalance(
                account_id=aid, year=year, month=month, debit_total=d, credit_total=c, closing_balance=closing
            )
        )
    if period is None:
        period = FiscalPeriod(year=year, month=month)
        db.session.add(period)
    period.status = PERIOD_CLOSED
    period.closed_at = utcnow()
    period.closed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        "ledger.period.close",
        actor=actor,
        target=period,
        summary={
            "period": label,
            "debit": str(moved_d),
            "credit": str(moved_c),
            "accounts": len(set(opening) | set(movement)),
        },
    )
    return period


def reopen_period(*, tenant: Tenant, actor: Any, year: int, month: int, reason: str) -> FiscalPeriod:
    """Reopen the latest closed month (only that one) and drop its stored balances, which are
    derived data. Raises: ValidationError (no reason), Conflict (not the latest closed month)."""
    require_scope(tenant)
    year, month = checked_month(year, month)
    reason = (reason or "").strip()
    if not reason:
        message = _l("Give the reason for reopening the period.")
        raise ValidationError(message, fields={"reason": [message]})
    lock_books(tenant, exclusive=True)
    label = f"{year}-{month:02d}"
    period = find_period(year, month)
    if period is None or period.status != PERIOD_CLOSED:
        raise Conflict(_l("%(period)s is not closed.", period=label), code="period_open")
    latest = latest_closed_period()
    if latest is not None and latest.id != period.id:
        raise Conflict(
            _l(
                "Only the latest closed month can be reopened (%(latest)s).",
                latest=f"{latest.year}-{latest.month:02d}",
            ),
            code="not_latest_period",
        )
    db.session.execute(
        delete(AccountPeriodBalance)
        .where(AccountPeriodBalance.year == year, AccountPeriodBalance.month == month)
        .execution_options(synchronize_session=False)
    )
    closed_at = period.closed_at
    period.status = PERIOD_OPEN
    period.closed_at = None
    period.closed_by_id = None
    db.session.flush()
    audit.record(
        "ledger.period.reopen",
        actor=actor,
        target=period,
        summary={
            "period": label,
            "reason": reason,
            "closed_at": closed_at.isoformat() if closed_at else None,
        },
    )
    return period


def shu_account() -> Account | None:
    """SHU of the current year: the account tagged `shu_tahun_berjalan`, else code 3502."""
    accounts = list(db.session.scalars(select(Account)))
    tagged = [a for a in accounts if SHU_CURRENT_YEAR_TAG in (a.tags or [])]
    if tagged:
        return tagged[0]
    return next((a for a in accounts if a.code == SHU_CURRENT_YEAR_CODE), None)


def close_year(*, tenant: Tenant, actor: Any, year: int) -> JournalEntry | None:
    """Year-end close: a closing entry on 31 December moves every income and expense balance
    into SHU of the year (account 3502), then December closes. Returns the closing entry (None
    when there was nothing to move).

    Raises: ValidationError (no SHU account, year not over), Conflict (December closed already,
    November still open), plus whatever `close_period` raises.
    """
    require_scope(tenant)
    year, _ = checked_month(year, 12)
    lock_books(tenant, exclusive=True)
    _check_can_close(tenant, year, 12)
    shu = shu_account()
    if shu is None:
        message = _l("The chart has no account for SHU of the current year (code 3502).")
        raise ValidationError(message, fields={"account": [message]})
    dec31 = date(year, 12, 31)
    pl_accounts = {
        a.id: a for a in db.session.scalars(select(Account).where(Account.type.in_(("income", "expense"))))
    }
    nets = net_balances(dec31, pl_accounts)
    ordered = {aid: nets[aid] for aid in sorted(nets, key=lambda i: pl_accounts[i].code) if nets[aid] != 0}
    entry = None
    lines = closing_lines(ordered, shu.id)
    if lines:
        spec = EntrySpec(
            entry_on=dec31,
            lines=lines,
            series=YEAR_CLOSE_SERIES,
            memo=f"Year-end close {year}: income and expenses to SHU",
            source_type="year_close",
        )
        entry = post_entry(tenant=tenant, actor=actor, spec=spec, allow_inactive=True)
    close_period(tenant=tenant, actor=actor, year=year, month=12)
    audit.record(
        "ledger.year.close",
        actor=actor,
        target=entry,
        target_type="journal_entry",
        summary={
            "year": year,
            "voucher_no": entry.voucher_no if entry else None,
            "shu": str(-sum(ordered.values(), ZERO)),
        },
    )
    return entry
