"""Pure double-entry rules: what makes an entry postable. No database, no Flask app needed.

An entry is postable when it has at least two lines, every amount is a Decimal with at most two
places, every line has exactly one side positive, debits equal credits, every account is known
to the tenant and active, and its date is after the latest closed period and not further in the
future than the tenant allows. `validate_entry` reports every line problem at once (fields keyed
`lines.<n>.<field>`, n counting from 1 as staff read them) so a form can show them all.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from coopsaas.core.i18n import _l
from coopsaas.core.money import CENT, format_rupiah
from coopsaas.errors import ClosedPeriodError, ValidationError

ZERO = Decimal("0.00")
SERIES_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class AccountLike(Protocol):
    code: str
    name: str
    is_active: bool


@dataclass(frozen=True)
class LineSpec:
    account_id: uuid.UUID
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    memo: str | None = None
    member_id: uuid.UUID | None = None
    loan_id: uuid.UUID | None = None
    item_id: uuid.UUID | None = None


@dataclass(frozen=True)
class EntrySpec:
    entry_on: date
    lines: Sequence[LineSpec]
    memo: str = ""
    series: str = "JU"
    source_type: str | None = None
    source_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CheckedEntry:
    """A validated entry: amounts normalised to two places."""

    spec: EntrySpec
    lines: tuple[LineSpec, ...]
    total: Decimal


@dataclass
class _Problems:
    fields: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, key: str, message: Any) -> None:
        self.fields.setdefault(key, []).append(message)


def rupiah(amount: Decimal) -> str:
    """`Rp 1.250.000`, with sen only when there are some (a difference of Rp 0,50 must show)."""
    return format_rupiah(amount, sen=amount != amount.to_integral_value())


def month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _amount(value: object, key: str, n: int, problems: _Problems) -> Decimal | None:
    if isinstance(value, float):
        problems.add(key, _l("Line %(n)s: amounts must be exact decimals, not floating point numbers.", n=n))
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        problems.add(key, _l("Line %(n)s: the amount is not a number.", n=n))
        return None
    if value != value.quantize(CENT):
        problems.add(key, _l("Line %(n)s: amounts have at most 2 decimal places (sen).", n=n))
        return None
    if value < 0:
        problems.add(key, _l("Line %(n)s: amounts cannot be negative.", n=n))
        return None
    return value.quantize(CENT)


def validate_entry(
    spec: EntrySpec,
    accounts: Mapping[uuid.UUID, AccountLike],
    *,
    today: date,
    closed_through: date | None = None,
    max_future_days: int = 0,
    allow_inactive: bool = False,
) -> CheckedEntry:
    """Check `spec` against the tenant's `accounts` (only its own: others count as unknown).

    `closed_through` is the last day of the latest closed period: nothing posts on or before it.
    Raises: ValidationError (line problems, unbalanced, future date), ClosedPeriodError.
    """
    problems = _Problems()
    if not spec.series or len(spec.series) > 8 or not set(spec.series) <= SERIES_CHARS:
        problems.add("series", _l("The voucher series is 1 to 8 capital letters."))
    if len(spec.lines) < 2:
        problems.add("lines", _l("An entry needs at least two lines."))
    lines: list[LineSpec] = []
    debits = credits = ZERO
    for n, line in enumerate(spec.lines, start=1):
        prefix = f"lines.{n}"
        debit = _amount(line.debit, f"{prefix}.debit", n, problems)
        credit = _amount(line.credit, f"{prefix}.credit", n, problems)
        account = accounts.get(line.account_id) if isinstance(line.account_id, uuid.UUID) else None
        if account is None:
            problems.add(f"{prefix}.account", _l("Line %(n)s: unknown account.", n=n))
        elif not account.is_active and not allow_inactive:
            problems.add(
                f"{prefix}.account",
                _l(
                    "Line %(n)s: account %(code)s %(name)s is inactive.",
                    n=n,
                    code=account.code,
                    name=account.name,
                ),
            )
        if debit is None or credit is None:
            continue
        if debit > 0 and credit > 0:
            problems.add(prefix, _l("Line %(n)s: a line is either a debit or a credit, not both.", n=n))
            continue
        if debit == 0 and credit == 0:
            problems.add(prefix, _l("Line %(n)s: the amount must be more than zero.", n=n))
            continue
        debits += debit
        credits += credit
        lines.append(
            LineSpec(line.account_id, debit, credit, line.memo, line.member_id, line.loan_id, line.item_id)
        )
    if problems.fields:
        raise ValidationError(_first(problems), fields=problems.fields)

    if debits != credits:
        message = _l(
            "The entry does not balance: debits %(debit)s, credits %(credit)s, difference %(diff)s.",
            debit=rupiah(debits),
            credit=rupiah(credits),
            diff=rupiah(abs(debits - credits)),
        )
        raise ValidationError(message, fields={"lines": [message]}, code="unbalanced")

    refuse_closed(spec.entry_on, closed_through)
    latest = today + timedelta(days=max(max_future_days, 0))
    if spec.entry_on > latest:
        message = _l(
            "The date %(day)s is in the future; the latest date allowed is %(latest)s.",
            day=spec.entry_on.isoformat(),
            latest=latest.isoformat(),
        )
        raise ValidationError(message, fields={"entry_on": [message]})
    return CheckedEntry(spec=spec, lines=tuple(lines), total=debits)


def refuse_closed(entry_on: date, closed_through: date | None) -> None:
    """Raise ClosedPeriodError when `entry_on` is on or before the end of the latest closed month."""
    if closed_through is not None and entry_on <= closed_through:
        message = _l(
            "The books are closed through %(closed)s: %(day)s cannot be posted. Post it in an open "
            "month or ask a manager to reopen the period.",
            closed=closed_through.isoformat(),
            day=entry_on.isoformat(),
        )
        raise ClosedPeriodError(message, fields={"entry_on": [message]})


def _first(problems: _Problems) -> Any:
    return next(iter(problems.fields.values()))[0]


def reversal_lines(lines: Sequence[LineSpec]) -> list[LineSpec]:
    """The mirror of `lines`: same accounts and references, debit and credit swapped."""
    return [
        LineSpec(ln.account_id, ln.credit, ln.debit, ln.memo, ln.member_id, ln.loan_id, ln.item_id)
        for ln in lines
    ]


def closing_lines(balances: Mapping[uuid.UUID, Decimal], shu_account_id: uuid.UUID) -> list[LineSpec]:
    """Year-end closing: zero each income/expense account (signed debit minus credit balance)
    and put the net into SHU of the year: a surplus is credited to it, a deficit debited."""
    lines: list[LineSpec] = []
    net = ZERO
    for account_id, balance in balances.items():
        if balance > 0:
            lines.append(LineSpec(account_id, credit=balance))
        elif balance < 0:
            lines.append(LineSpec(account_id, debit=-balance))
        net += balance
    if net < 0:
        lines.append(LineSpec(shu_account_id, credit=-net))
    elif net > 0:
        lines.append(LineSpec(shu_account_id, debit=net))
    return lines


def voucher_number(series: str, year: int, number: int) -> str:
    return f"{series}-{year}-{number:06d}"
