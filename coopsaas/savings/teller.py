"""Teller day close (*buka kas / tutup kas harian*) and the date window of teller postings.

A teller opens the business day with an opening float, posts cash, then closes: the cash position
of the day is the opening float plus the cash taken in less the cash paid out by that teller on
that date, gathered from every registered cash source (savings here; loans and the shop register
theirs the same way), and the close compares it with the cash counted.

    from coopsaas.savings.teller import CashFlow, register_cash_source

    def loan_cash(teller_id, on):
        return CashFlow(cash_in=..., cash_out=..., count=...)

    register_cash_source("loans", _l("Loan repayments"), loan_cash)

A provider runs inside the tenant scope and returns Decimal amounts (never float). A feature that
takes or pays cash calls `guard_cash(tenant=..., actor=..., on=...)` before it posts: after that
teller's day is closed nothing more is posted for it until a manager reopens it, and a tenant with
`require_teller_session` refuses cash from a teller who has not opened the day.

Journal of a difference (counted less expected), to the suspense account (tag `selisih_kas`, 1190):
a shortage `Dr 1190 / Cr 1101 Kas`, an overage `Dr 1101 / Cr 1190`. A reopened day that is closed
again posts only the change against what earlier closes posted; nothing is ever reversed.

Services flush and never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, func, select

from coopsaas.core import audit
from coopsaas.core.clock import now
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import MoneyError, format_rupiah, to_money
from coopsaas.errors import Conflict, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry
from coopsaas.ledger.models import Account, JournalLine
from coopsaas.ledger.services import is_manager, require_scope, setting_days, today_for
from coopsaas.savings.models import CASH, OUTGOING, SavingsTransaction
from coopsaas.savings.models_teller import SESSION_CLOSED, SESSION_OPEN, ZERO, TellerSession
from coopsaas.tenancy.models import Tenant
from coopsaas.tenancy.sync import tenant_setting

SOURCE_TYPE = "teller_session"
SUSPENSE_TAG, SUSPENSE_CODE = "selisih_kas", "1190"
# Rupiah notes and coins in circulation (Bank Indonesia), largest first.
DENOMINATIONS = (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100)
MAX_PIECES = 1_000_000
REASON_MAX = 300


# ---- cash sources ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CashFlow:
    cash_in: Decimal = ZERO
    cash_out: Decimal = ZERO
    count: int = 0


@dataclass(frozen=True)
class SourceFlow:
    name: str
    label: Any
    cash_in: Decimal
    cash_out: Decimal
    count: int


CashSource = Callable[[uuid.UUID, date], CashFlow]
_SOURCES: dict[str, tuple[Any, CashSource]] = {}


def register_cash_source(name: str, label: Any, provider: CashSource) -> None:
    """Register (or replace, by name) a provider of one teller's cash in and out on a date."""
    _SOURCES[name] = (label, provider)


def savings_cash(teller_id: uuid.UUID, on: date) -> CashFlow:
    """Cash savings transactions the teller recorded for that business date (only those whose
    journal entry really moved the kas account: a cash-channel transfer to another account is not
    cash in the drawer)."""
    from coopsaas.savings.services import channel_account

    kas = channel_account(CASH)
    moved_cash = select(JournalLine.entry_id).where(
        JournalLine.entry_id == SavingsTransaction.journal_entry_id, JournalLine.account_id == kas.id
    )
    rows = db.session.execute(
        select(
            SavingsTransaction.kind, func.coalesce(func.sum(SavingsTransaction.amount), ZERO), func.count()
        )
        .where(
            SavingsTransaction.created_by_id == teller_id,
            SavingsTransaction.entry_on == on,
            SavingsTransaction.channel == CASH,
            moved_cash.exists(),
        )
        .group_by(SavingsTransaction.kind)
    ).all()
    cash_in = cash_out = ZERO
    count = 0
    for kind, total, n in rows:
        if kind in OUTGOING:
            cash_out += to_money(total)
        else:
            cash_in += to_money(total)
        count += int(n)
    return CashFlow(cash_in=cash_in, cash_out=cash_out, count=count)


register_cash_source("savings", _l("Savings deposits and withdrawals"), savings_cash)


@dataclass(frozen=True)
class Position:
    """A teller's cash for one business date."""

    opening_float: Decimal
    sources: tuple[SourceFlow, ...]

    @property
    def cash_in(self) -> Decimal:
        return sum((s.cash_in for s in self.sources), ZERO)

    @property
    def cash_out(self) -> Decimal:
        return sum((s.cash_out for s in self.sources), ZERO)

    @property
    def expected(self) -> Decimal:
        return self.opening_float + self.cash_in - self.cash_out


def cash_position(teller_id: uuid.UUID, on: date, opening_float: Decimal = ZERO) -> Position:
    flows = []
    for name in sorted(_SOURCES):
        label, provider = _SOURCES[name]
        flow = provider(teller_id, on)
        for amount in (flow.cash_in, flow.cash_out):
            if not isinstance(amount, Decimal):
                raise TypeError(f"cash source {name} returned a non-Decimal amount")
        flows.append(SourceFlow(name, label, flow.cash_in, flow.cash_out, flow.count))
    return Position(opening_float=opening_float, sources=tuple(flows))


def position_of(session: TellerSession) -> Position:
    return cash_position(session.teller_id, session.business_on, session.opening_float)


# ---- dates -----------------------------------------------------------------------------------------


def date_window(tenant: Tenant) -> tuple[date, date, int]:
    """(earliest, latest, backdate days) a teller may date a posting: `max_backdate_days` back
    from the business date, and forward only as far as the ledger allows (`max_future_days`)."""
    today = today_for(tenant)
    try:
        back = max(int(tenant_setting(tenant, "max_backdate_days")), 0)
    except (TypeError, ValueError):
        back = 7
    latest = today + timedelta(days=setting_days(tenant, "max_future_days"))
    return today - timedelta(days=back), latest, back


def check_entry_date(tenant: Tenant, on: date | None, field: str = "entry_on") -> None:
    """Refuse a date before the backdating limit or in the future. Raises: ValidationError."""
    if on is None:
        return
    earliest, latest, back = date_window(tenant)
    if on < earliest:
        message = _l(
            "The date %(day)s is too far back: postings may be dated at most %(days)s days before "
            "today, so from %(earliest)s.",
            day=on.isoformat(),
            days=back,
            earliest=earliest.isoformat(),
        )
        raise ValidationError(message, fields={field: [message]}, code="backdate_limit")
    if on > latest:
        message = _l(
            "The date %(day)s is in the future; the latest date allowed is %(latest)s.",
            day=on.isoformat(),
            latest=latest.isoformat(),
        )
        raise ValidationError(message, fields={field: [message]}, code="future_date")


# ---- sessions --------------------------------------------------------------------------------------


def session_for(teller_id: uuid.UUID, on: date) -> TellerSession | None:
    return db.session.scalars(
        select(TellerSession).where(TellerSession.teller_id == teller_id, TellerSession.business_on == on)
    ).one_or_none()


def _lock(session: TellerSession) -> TellerSession:
    return db.session.scalars(
        select(TellerSession)
        .where(TellerSession.id == session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def guard_cash(*, tenant: Tenant, actor: Any, on: date) -> None:
    """Called before any cash posting by `actor` dated `on`.

    Raises: Conflict (the day is closed; or the tenant requires an open day and there is none)."""
    teller_id = getattr(actor, "id", None)
    if teller_id is None:
        return
    # A share lock until the posting commits: a close (FOR UPDATE) waits for cash in flight and
    # counts it, and cash that comes after the close waits for it and sees the day closed.
    session = db.session.scalars(
        select(TellerSession)
        .where(TellerSession.teller_id == teller_id, TellerSession.business_on == on)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if session is not None and session.status == SESSION_CLOSED:
        raise Conflict(
            _l(
                "Your cash day of %(day)s is closed: no more cash can be posted for that date. "
                "Ask a manager to reopen it.",
                day=on.isoformat(),
            ),
            code="teller_day_closed",
        )
    if session is None and tenant_setting(tenant, "require_teller_session"):
        raise Conflict(
            _l("Open your cash day for %(day)s (opening float) before posting cash.", day=on.isoformat()),
            code="teller_day_not_open",
        )


def _money(value: object, field: str, *, allow_zero: bool = True) -> Decimal:
    try:
        amount = to_money(value)
    except MoneyError:
        message = _l("Enter an amount in rupiah with at most 2 decimals (sen).")
        raise ValidationError(message, fields={field: [message]}) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        message = _l("The amount cannot be negative.")
        raise ValidationError(message, fields={field: [message]})
    return amount


def open_day(*, tenant: Tenant, actor: Any, opening_float: object, on: date | None = None) -> TellerSession:
    """Open `actor`'s cash day with the float in the drawer (default date: today).

    Raises: ValidationError (amount, date outside the window), Conflict (already opened or closed).
    """
    require_scope(tenant)
    amount = _money(opening_float, "opening_float")
    on = on or today_for(tenant)
    check_entry_date(tenant, on, "business_on")
    existing = session_for(actor.id, on)
    if existing is not None:
        if existing.status == SESSION_CLOSED:
            raise Conflict(
                _l(
                    "Your cash day of %(day)s is already closed; a manager can reopen it.", day=on.isoformat()
                ),
                code="teller_day_closed",
            )
        raise Conflict(
            _l("Your cash day of %(day)s is already open.", day=on.isoformat()), code="already_open"
        )
    session = TellerSession(
        id=uuid7(),
        teller_id=actor.id,
        business_on=on,
        status=SESSION_OPEN,
        opening_float=amount,
        opened_at=now(),
        opened_by_id=actor.id,
        difference_posted=ZERO,
        denominations={},
        reason="",
        close_count=0,
        reopen_reason="",
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        "teller.day.open",
        actor=actor,
        target=session,
        summary={"business_on": on.isoformat(), "opening_float": str(amount)},
    )
    return session


def count_denominations(raw: Mapping[Any, Any] | None) -> tuple[dict[str, int], Decimal]:
    """Pieces per denomination, checked, and their total. Raises: ValidationError."""
    pieces: dict[str, int] = {}
    total = ZERO
    for key, value in (raw or {}).items():
        try:
            denomination = int(str(key))
        except ValueError:
            denomination = -1
        if denomination not in DENOMINATIONS:
            message = _l("%(value)s is not a rupiah note or coin.", value=str(key))
            raise ValidationError(message, fields={"denominations": [message]})
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if isinstance(value, bool) or not 0 <= number <= MAX_PIECES:
            message = _l(
                "The number of Rp %(value)s pieces must be a whole number from 0.",
                value=format_rupiah(Decimal(denomination)).removeprefix("Rp "),
            )
            raise ValidationError(message, fields={"denominations": [message]})
        if number:
            pieces[str(denomination)] = number
            total += Decimal(denomination) * number
    return pieces, total.quantize(Decimal("0.01"))


def close_day(
    *,
    tenant: Tenant,
    actor: Any,
    session: TellerSession,
    counted: object = None,
    denominations: Mapping[Any, Any] | None = None,
    reason: str | None = None,
) -> TellerSession:
    """Close a cash day: store the position, the count and the difference, and post the part of
    the difference not posted yet to the suspense account. The teller closes their own day; a
    manager may close any.

    Raises: PermissionDenied, Conflict (already closed), ValidationError (no count, count and
    denominations disagree, a difference without a reason, no suspense account), ClosedPeriodError.
    """
    require_scope(tenant)
    if session.teller_id != actor.id and not is_manager(actor, tenant):
        raise PermissionDenied(_l("Only the teller or a manager may close this cash day."))
    session = _lock(session)
    if session.status == SESSION_CLOSED:
        raise Conflict(_l("This cash day is already closed."), code="teller_day_closed")
    pieces, by_pieces = count_denominations(denominations)
    if counted in (None, ""):
        if not pieces:
            message = _l("Enter the cash counted, as a total or by notes and coins.")
            raise ValidationError(message, fields={"counted": [message]})
        total = by_pieces
    else:
        total = _money(counted, "counted")
        if pieces and total != by_pieces:
            message = _l(
                "The notes and coins add up to %(pieces)s, not %(total)s.",
                pieces=format_rupiah(by_pieces, sen=True),
                total=format_rupiah(total, sen=True),
            )
            raise ValidationError(message, fields={"counted": [message]})
    position = position_of(session)
    difference = total - position.expected
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        message = _l("The reason is longer than 300 characters.")
        raise ValidationError(message, fields={"reason": [message]})
    if difference != 0 and not reason:
        message = _l(
            "The count differs from the expected cash by %(diff)s: give the reason.",
            diff=format_rupiah(abs(difference), sen=difference != difference.to_integral_value()),
        )
        raise ValidationError(message, fields={"reason": [message]})
    delta = difference - session.difference_posted
    voucher = None
    if delta != 0:
        voucher = _post_difference(tenant, actor, session, delta, reason)
    session.status = SESSION_CLOSED
    session.cash_in = position.cash_in
    session.cash_out = position.cash_out
    session.expected = position.expected
    session.counted = total
    session.difference = difference
    session.difference_posted = difference
    session.denominations = pieces
    session.reason = reason
    session.close_count += 1
    session.closed_at = now()
    session.closed_by_id = actor.id
    db.session.flush()
    audit.record(
        "teller.day.close",
        actor=actor,
        target=session,
        summary={
            "business_on": session.business_on.isoformat(),
            "expected": str(position.expected),
            "counted": str(total),
            "difference": str(difference),
            "posted": str(delta),
            "voucher_no": voucher,
            "reason": reason,
        },
    )
    return session


def suspense_account() -> Account:
    accounts = list(
        db.session.scalars(select(Account).where(Account.is_active.is_(True)).order_by(Account.code))
    )
    account = next((a for a in accounts if SUSPENSE_TAG in (a.tags or [])), None) or next(
        (a for a in accounts if a.code == SUSPENSE_CODE), None
    )
    if account is None:
        raise ValidationError(
            _l(
                "The chart of accounts has no suspense account for cash differences (1190, tag "
                "selisih_kas); run the tenant sync or add it."
            )
        )
    return account


def _post_difference(tenant: Tenant, actor: Any, session: TellerSession, delta: Decimal, reason: str) -> str:
    from coopsaas.savings.services import channel_account

    cash = channel_account(CASH)
    suspense = suspense_account()
    amount = abs(delta)
    if delta < 0:  # shortage: the drawer holds less than the books say
        lines = [LineSpec(suspense.id, debit=amount), LineSpec(cash.id, credit=amount)]
        label, series = "Kekurangan kas", "KK"
    else:
        lines = [LineSpec(cash.id, debit=amount), LineSpec(suspense.id, credit=amount)]
        label, series = "Kelebihan kas", "KM"
    teller = getattr(actor, "full_name", "") if actor.id == session.teller_id else ""
    memo = f"{label} teller {teller} {session.business_on:%d-%m-%Y}: {reason}".replace("  ", " ")
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(
            entry_on=session.business_on,
            lines=lines,
            memo=memo[:500],
            series=series,
            source_type=SOURCE_TYPE,
            source_id=session.id,
        ),
        idempotency_key=f"teller:{session.id}:close:{session.close_count + 1}",
    )
    return entry.voucher_no


def reopen_day(*, tenant: Tenant, actor: Any, session: TellerSession, reason: str | None) -> TellerSession:
    """Reopen a closed cash day (a manager's action). Nothing posted is reversed: the next close
    posts only the change of the difference.

    Raises: PermissionDenied (not a manager), Conflict (not closed), ValidationError (no reason).
    """
    require_scope(tenant)
    if not is_manager(actor, tenant):
        raise PermissionDenied(_l("Only a manager may reopen a closed cash day."))
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        message = _l("Give the reason for reopening (at most 300 characters).")
        raise ValidationError(message, fields={"reason": [message]})
    session = _lock(session)
    if session.status != SESSION_CLOSED:
        raise Conflict(_l("This cash day is not closed."), code="teller_day_open")
    session.status = SESSION_OPEN
    session.reopened_at = now()
    session.reopened_by_id = actor.id
    session.reopen_reason = reason
    db.session.flush()
    audit.record(
        "teller.day.reopen",
        actor=actor,
        target=session,
        summary={
            "business_on": session.business_on.isoformat(),
            "teller_id": str(session.teller_id),
            "difference_posted": str(session.difference_posted),
            "reason": reason,
        },
    )
    return session


def sessions_query(
    *,
    start: date | None = None,
    end: date | None = None,
    teller_id: uuid.UUID | None = None,
    status: str | None = None,
    with_difference: bool = False,
) -> Select[Any]:
    """Cash days, newest first, filtered."""
    query = select(TellerSession).order_by(TellerSession.business_on.desc(), TellerSession.opened_at.desc())
    if start is not None:
        query = query.where(TellerSession.business_on >= start)
    if end is not None:
        query = query.where(TellerSession.business_on <= end)
    if teller_id is not None:
        query = query.where(TellerSession.teller_id == teller_id)
    if status in (SESSION_OPEN, SESSION_CLOSED):
        query = query.where(TellerSession.status == status)
    if with_difference:
        query = query.where(TellerSession.difference != 0)
    return query


def parse_pieces(form: Mapping[str, Any], prefix: str = "d") -> dict[str, str]:
    """Denomination counts from form fields named `d100000`, `d50000`, ... (empty ones skipped)."""
    out: dict[str, str] = {}
    for value in DENOMINATIONS:
        raw = (form.get(f"{prefix}{value}") or "").strip()
        if raw:
            out[str(value)] = raw
    return out


def as_decimal_or_text(raw: str) -> object:
    """A form amount as Decimal when it parses, else the raw text so the service reports it."""
    from coopsaas.core.money import parse_money

    try:
        return parse_money(raw)
    except (MoneyError, InvalidOperation):
        return raw
