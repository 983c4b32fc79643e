"""The chart of accounts as staff keep it: add an account, deactivate one, read it as a tree.

Accounts are never deleted: lines point at them for ever (the foreign keys RESTRICT). An account
is deactivated instead, and only while its balance is zero, so nothing disappears from the trial
balance. The balance checked is the sum of every line, future-dated ones included.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.balances import line_sums, trial_balance
from coopsaas.ledger.models import ACCOUNT_TYPES, PERIOD_CLOSED, Account, FiscalPeriod, JournalLine
from coopsaas.ledger.posting import ZERO, month_end, rupiah
from coopsaas.ledger.services import account_by_code, prev_month, require_scope, today_for
from coopsaas.tenancy.models import Tenant

CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")
TAG = re.compile(r"^[a-z0-9_]{1,40}$")
LAST_DAY = date(9999, 12, 31)


def default_side(type_: str, is_contra: bool) -> str:
    """Assets and expenses grow on the debit side, the rest on the credit side; a contra account
    (accumulated depreciation, allowance for bad loans) sits on the other one."""
    side = "D" if type_ in ("asset", "expense") else "K"
    if is_contra:
        side = "K" if side == "D" else "D"
    return side


def create_account(
    *,
    tenant: Tenant,
    actor: Any,
    code: str,
    name: str,
    type: str,
    parent_code: str | None = None,
    is_contra: bool = False,
    tags: Sequence[str] = (),
) -> Account:
    """Add an account to the tenant's chart. Raises: ValidationError (bad or duplicate code,
    unknown type or parent, bad tag)."""
    require_scope(tenant)
    code = (code or "").strip()
    name = (name or "").strip()
    problems: dict[str, list[Any]] = {}
    if not CODE.match(code):
        problems["code"] = [_l("An account code is 1 to 20 letters, digits, dots or dashes.")]
    elif account_by_code(code) is not None:
        problems["code"] = [_l("Account code %(code)s is already in the chart.", code=code)]
    if not name or len(name) > 200:
        problems["name"] = [_l("Give the account a name of at most 200 characters.")]
    if type not in ACCOUNT_TYPES:
        problems["type"] = [_l("Choose the account type: asset, liability, equity, income or expense.")]
    parent = None
    if parent_code:
        parent = account_by_code(parent_code.strip())
        if parent is None:
            problems["parent_code"] = [_l("There is no account %(code)s to put it under.", code=parent_code)]
    clean_tags = sorted({t.strip().lower() for t in tags if t and t.strip()})
    bad = [t for t in clean_tags if not TAG.match(t)]
    if bad:
        problems["tags"] = [
            _l("Tags are lower-case letters, digits and underscores: %(tags)s.", tags=", ".join(bad))
        ]
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationError(first, fields=problems)
    account = Account(
        id=uuid7(),
        code=code,
        name=name,
        type=type,
        normal_side=default_side(type, is_contra),
        is_contra=is_contra,
        parent_id=parent.id if parent else None,
        tags=clean_tags,
        weights={},
        is_active=True,
    )
    db.session.add(account)
    db.session.flush()
    audit.record(
        "ledger.account.create",
        actor=actor,
        target=account,
        summary={"code": code, "name": name, "type": type},
    )
    return account


def account_balance(account: Account) -> Decimal:
    """Debit minus credit over every line of the account, whatever its date."""
    d, c = line_sums(None, LAST_DAY, [account.id]).get(account.id, (ZERO, ZERO))
    return d - c


def deactivate_account(*, tenant: Tenant, actor: Any, account: Account) -> Account:
    """Stop new postings to an account whose balance is zero; its history stays.

    Raises: Conflict (non-zero balance, active sub-accounts, already inactive).
    """
    require_scope(tenant)
    if not account.is_active:
        raise Conflict(_l("Account %(code)s is already inactive.", code=account.code), code="inactive")
    balance = account_balance(account)
    if balance != 0:
        shown = balance if account.normal_side == "D" else -balance
        raise Conflict(
            _l(
                "Account %(code)s %(name)s still has a balance of %(balance)s; move it to another "
                "account with a journal entry first.",
                code=account.code,
                name=account.name,
                balance=rupiah(shown),
            ),
            code="balance_not_zero",
        )
    children = db.session.scalars(
        select(Account.code).where(Account.parent_id == account.id, Account.is_active.is_(True))
    ).all()
    if children:
        raise Conflict(
            _l(
                "Deactivate the accounts under %(code)s first: %(children)s.",
                code=account.code,
                children=", ".join(sorted(children)),
            ),
            code="active_children",
        )
    account.is_active = False
    db.session.flush()
    audit.record(
        "ledger.account.deactivate",
        actor=actor,
        target=account,
        summary={"code": account.code, "name": account.name},
    )
    return account


@dataclass
class ChartNode:
    account: Account
    depth: int
    children: list[ChartNode] = field(default_factory=list)


def chart_tree() -> list[ChartNode]:
    """The tenant's accounts depth first, each under its parent, siblings by code."""
    accounts = list(db.session.scalars(select(Account).order_by(Account.code)))
    known = {a.id for a in accounts}
    by_parent: dict[uuid.UUID | None, list[Account]] = {}
    for a in accounts:
        parent = a.parent_id if a.parent_id in known else None
        by_parent.setdefault(parent, []).append(a)
    out: list[ChartNode] = []

    def walk(parent: uuid.UUID | None, depth: int) -> None:
        for a in by_parent.get(parent, []):
            out.append(ChartNode(a, depth))
            walk(a.id, depth + 1)

    walk(None, 0)
    return out


@dataclass(frozen=True)
class StatementLine:
    entry_id: uuid.UUID
    voucher_no: str
    entry_on: date
    memo: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running, on the account's normal side


@dataclass(frozen=True)
class AccountStatement:
    account: Account
    start: date
    end: date
    opening: Decimal
    closing: Decimal
    total_debit: Decimal
    total_credit: Decimal
    lines: list[StatementLine]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def account_statement(
    account: Account, start: date, end: date, *, page: int = 1, per_page: int = 100
) -> AccountStatement:
    """The account's lines dated in [start, end], one page of them, each with the running
    balance (on the account's normal side) after it. Raises: ValidationError (start after end)."""
    from coopsaas.ledger.balances import net_balances, on_normal_side
    from coopsaas.ledger.models import JournalEntry

    if start > end:
        message = _l("The start date is after the end date.")
        raise ValidationError(message, fields={"start": [message]})
    opening_net = net_balances(start - timedelta(days=1), [account.id]).get(account.id, ZERO)
    in_range = (
        JournalLine.account_id == account.id,
        JournalLine.entry_on >= start,
        JournalLine.entry_on <= end,
    )
    order = (JournalLine.entry_on, JournalLine.entry_id, JournalLine.line_no)
    total, sum_d, sum_c = db.session.execute(
        select(func.count(), func.sum(JournalLine.debit), func.sum(JournalLine.credit)).where(*in_range)
    ).one()
    offset = (page - 1) * per_page
    before = ZERO
    if offset:
        sub = (
            select(JournalLine.debit, JournalLine.credit)
            .where(*in_range)
            .order_by(*order)
            .limit(offset)
            .subquery()
        )
        d, c = db.session.execute(select(func.sum(sub.c.debit), func.sum(sub.c.credit))).one()
        before = _money(d) - _money(c)
    rows = db.session.execute(
        select(JournalLine, JournalEntry)
        .join(
            JournalEntry,
            (JournalEntry.tenant_id == JournalLine.tenant_id) & (JournalEntry.id == JournalLine.entry_id),
        )
        .where(*in_range)
        .order_by(*order)
        .limit(per_page)
        .offset(offset)
    ).all()
    running = opening_net + before
    lines = []
    for line, entry in rows:
        running += line.debit - line.credit
        lines.append(
            StatementLine(
                entry.id,
                entry.voucher_no,
                entry.entry_on,
                line.memo or entry.memo,
                line.debit,
                line.credit,
                on_normal_side(account, running),
            )
        )
    sum_d, sum_c = _money(sum_d), _money(sum_c)
    return AccountStatement(
        account=account,
        start=start,
        end=end,
        opening=on_normal_side(account, opening_net),
        closing=on_normal_side(account, opening_net + sum_d - sum_c),
        total_debit=sum_d,
        total_credit=sum_c,
        lines=lines,
        page=page,
        per_page=per_page,
        total=total or 0,
    )


def _money(value: Any) -> Decimal:
    """SUM over no rows is NULL."""
    return ZERO if value is None else value


def period_rows(tenant: Any) -> list[dict[str, Any]]:
    """Every month from the first with activity (or a period row) to the current one, newest
    first, with its status; the next month to close carries its checklist."""
    today = today_for(tenant)
    stored = {(p.year, p.month): p for p in db.session.scalars(select(FiscalPeriod))}
    first_line = db.session.scalar(select(func.min(JournalLine.entry_on)))
    starts = [(today.year, today.month)]
    if first_line is not None:
        starts.append((first_line.year, first_line.month))
    starts.extend(stored)
    y, m = min(starts)
    months = []
    while (y, m) <= (today.year, today.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    closed = [ym for ym in months if ym in stored and stored[ym].status == PERIOD_CLOSED]
    latest_closed = max(closed) if closed else None
    open_after = [ym for ym in months if latest_closed is None or ym > latest_closed]
    next_to_close = open_after[0] if open_after else None
    rows = []
    for ym in reversed(months):
        period = stored.get(ym)
        row: dict[str, Any] = {
            "key": f"{ym[0]}-{ym[1]:02d}",
            "year": ym[0],
            "month": ym[1],
            "closed": period is not None and period.status == PERIOD_CLOSED,
            "closed_at": period.closed_at if period else None,
            "can_reopen": ym == latest_closed,
            "checklist": None,
        }
        if ym == next_to_close:
            row["checklist"] = checklist(tenant, ym, stored, first_line, today)
        rows.append(row)
    return rows


def checklist(
    tenant: Any,
    ym: tuple[int, int],
    stored: dict[tuple[int, int], FiscalPeriod],
    first_line: date | None,
    today: date,
) -> list[tuple[Any, bool]]:
    """What closing the month `ym` needs, each item with whether it holds now."""
    from coopsaas.ledger.verify import subledger_findings

    tb = trial_balance(tenant, period=ym)
    prev = stored.get(prev_month(*ym))
    nothing_before = first_line is None or first_line >= date(ym[0], ym[1], 1)
    return [
        (_l("The month has ended"), month_end(*ym) < today),
        (_l("The trial balance is balanced"), tb.is_balanced),
        (
            _l("The previous month is closed"),
            nothing_before or (prev is not None and prev.status == PERIOD_CLOSED),
        ),
        (_l("Every sub-ledger equals its control account"), not subledger_findings(tenant)),
    ]
