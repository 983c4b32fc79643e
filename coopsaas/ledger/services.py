"""General ledger services: posting and reversal, and the helpers the other ledger modules share.

Only this package writes journal lines (DESIGN.md section 6). Services take the tenant and actor
explicitly, expect that tenant to be in scope on `db.session`, flush and never commit: the
request, job or CLI boundary commits once or rolls everything back.

Closed periods always form an unbroken run of months from the first month with activity:
closing needs the previous month closed (or no activity before), reopening takes only the latest
closed month, and nothing posts on or before the end of the latest closed month.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from coopsaas.core import audit
from coopsaas.core.clock import business_date
from coopsaas.core.counters import give_back, next_number
from coopsaas.core.db import TenantMissing, current_tenant_id, utcnow
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import MoneyError, to_money
from coopsaas.errors import Conflict, DomainError, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import store
from coopsaas.ledger.models import PERIOD_CLOSED, Account, FiscalPeriod, JournalEntry
from coopsaas.ledger.posting import (
    CheckedEntry,
    EntrySpec,
    LineSpec,
    month_end,
    refuse_closed,
    reversal_lines,
    rupiah,
    validate_entry,
    voucher_number,
)
from coopsaas.tenancy.models import Membership, Tenant

log = logging.getLogger(__name__)

DEFAULT_REVERSAL_THRESHOLD = Decimal("10000000.00")


def require_scope(tenant: Tenant) -> None:
    if current_tenant_id(db.session) != tenant.id:
        raise TenantMissing(f"ledger service for {tenant.slug} called outside its tenant scope")


def lock_books(tenant: Tenant, *, exclusive: bool) -> None:
    """Postings share a per-tenant lock that closing takes exclusively (PostgreSQL): a posting in
    flight finishes before a month closes, and one that starts later sees the close (postings
    take the shared side inside their statement, ledger/store.py). SQLite serialises writers
    already."""
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        return
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    conn.execute(text(f"SELECT {fn}(hashtext(:k))"), {"k": store.book_lock_key(tenant.id)})


def ym(year: int, month: int) -> int:
    return year * 100 + month


def prev_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def today_for(tenant: Tenant) -> date:
    return business_date(tenant.timezone)


def latest_closed_period() -> FiscalPeriod | None:
    return db.session.scalars(
        select(FiscalPeriod)
        .where(FiscalPeriod.status == PERIOD_CLOSED)
        .order_by(FiscalPeriod.year.desc(), FiscalPeriod.month.desc())
        .limit(1)
    ).first()


def closed_through(tenant: Tenant) -> date | None:
    """The last day of the latest closed month: nothing posts on or before it."""
    require_scope(tenant)
    period = latest_closed_period()
    return month_end(period.year, period.month) if period else None


def find_period(year: int, month: int) -> FiscalPeriod | None:
    return db.session.scalars(
        select(FiscalPeriod).where(FiscalPeriod.year == year, FiscalPeriod.month == month)
    ).one_or_none()


def is_manager(user: Any, tenant: Tenant) -> bool:
    if user is None:
        return False
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.tenant_id == tenant.id,
                Membership.user_id == user.id,
                Membership.role == "manager",
                Membership.is_active.is_(True),
            )
        )
        or 0
    ) > 0


def account_by_code(code: str) -> Account | None:
    return db.session.scalars(select(Account).where(Account.code == code)).one_or_none()


def accounts_by_code() -> dict[str, Account]:
    return {a.code: a for a in db.session.scalars(select(Account))}


def find_by_idempotency_key(key: str) -> JournalEntry | None:
    return db.session.scalars(select(JournalEntry).where(JournalEntry.idempotency_key == key)).one_or_none()


def reversal_of(entry: JournalEntry) -> JournalEntry | None:
    """The entry that reversed `entry`, if any (the link is stored on the reversal only, since
    posted rows are never updated)."""
    return db.session.scalars(
        select(JournalEntry).where(JournalEntry.reverses_entry_id == entry.id)
    ).one_or_none()


def setting_money(tenant: Tenant, key: str, default: Decimal) -> Decimal:
    raw = (tenant.settings or {}).get(key)
    if raw is None:
        return default
    try:
        return to_money(str(raw) if isinstance(raw, int | float) else raw)
    except MoneyError:
        log.warning("tenant %s: setting %s is not an amount; using the default", tenant.slug, key)
        return default


def setting_days(tenant: Tenant, key: str) -> int:
    """A whole number of days from the tenant's settings; 0 when unset or not a number."""
    try:
        return max(int((tenant.settings or {}).get(key) or 0), 0)
    except (TypeError, ValueError):
        log.warning("tenant %s: setting %s is not a number of days; using 0", tenant.slug, key)
        return 0


def checked_month(year: int, month: int) -> tuple[int, int]:
    if not (1 <= int(month) <= 12) or not (1900 <= int(year) <= 9999):
        message = _l("A period is a year and a month from 1 to 12.")
        raise ValidationError(message, fields={"period": [message]})
    return int(year), int(month)


def post_entry(
    *,
    tenant: Tenant,
    actor: Any,
    spec: EntrySpec,
    idempotency_key: str | None = None,
    allow_inactive: bool = False,
    _reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry and return it. A repeated `idempotency_key` returns the entry
    first posted with it and posts nothing.

    Raises: ValidationError (unbalanced, bad lines, unknown or inactive account, future date),
    ClosedPeriodError.
    """
    require_scope(tenant)
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 128:
        raise ValidationError(
            _l("The idempotency key is longer than 128 characters."),
            fields={"idempotency_key": [_l("At most 128 characters.")]},
        )
    session = db.session
    # Rows go in through Core (ledger/store.py): objects the caller added first are written
    # first, as the queries of a posting always flushed them.
    session.flush()
    conn = session.connection()
    counter = f"voucher:{spec.series}:{spec.entry_on.year}"
    ids = list({ln.account_id for ln in spec.lines if isinstance(ln.account_id, uuid.UUID)})
    today = today_for(tenant)
    max_future_days = setting_days(tenant, "max_future_days")

    def check(found: store.Found | None) -> CheckedEntry:
        closed = None
        if found is not None and found.closed_ym:
            closed = month_end(found.closed_ym // 100, found.closed_ym % 100)
        return validate_entry(
            spec,
            found.accounts if found is not None else _ANY_ACCOUNT,
            today=today,
            closed_through=closed,
            max_future_days=max_future_days,
            allow_inactive=allow_inactive,
        )

    if conn.dialect.name == "postgresql":
        # The rules that need no database first; the statement checks the rest.
        try:
            checked: CheckedEntry | None = check(None)
        except DomainError:
            checked = None
        if checked is not None:
            entry_row, lines, event = _rows(tenant, actor, spec, checked, key, _reverses, None)
            try:
                posted = store.post_pg(
                    conn,
                    entry_row,
                    lines,
                    event,
                    counter=counter,
                    account_ids=ids,
                    allow_inactive=allow_inactive,
                )
            except IntegrityError as exc:
                if getattr(exc.orig, "sqlstate", None) == "23001" and "closed period" in str(exc.orig):
                    # A close committed while the posting waited for the book lock.
                    refuse_closed(spec.entry_on, month_end(spec.entry_on.year, spec.entry_on.month))
                raise
            if posted.voucher_no is not None:
                entry_row["voucher_no"] = posted.voucher_no
                return store.attach(session, entry_row, lines)
            if posted.number is not None:
                give_back(counter)
        # Nothing was written: the first entry under the key, or the reason.
        found = store.lookup(conn, tenant.id, key, ids)
        if found.existing_id is not None and (first := find_by_idempotency_key(key or "")) is not None:
            return first
        check(found)
        return _refused(_reverses, voucher=None)

    found = store.lookup(conn, tenant.id, key, ids)
    if found.existing_id is not None and (first := find_by_idempotency_key(key or "")) is not None:
        return first
    checked = check(found)
    number = next_number(counter)
    entry_row, lines, event = _rows(tenant, actor, spec, checked, key, _reverses, number)
    if not store.write(conn, entry_row, lines, event):
        give_back(counter)
        return _refused(_reverses, voucher=entry_row["voucher_no"])
    return store.attach(session, entry_row, lines)


class _AssumeKnown:
    """Every account id counts as known and active: for checking the lines before the database
    has said which accounts exist."""

    def get(self, account_id: object) -> Any:
        return _KNOWN if isinstance(account_id, uuid.UUID) else None


_KNOWN = store.AccountRow(uuid.UUID(int=0), "", "", True)
_ANY_ACCOUNT: Any = _AssumeKnown()


def _rows(
    tenant: Tenant,
    actor: Any,
    spec: EntrySpec,
    checked: CheckedEntry,
    key: str | None,
    reverses: JournalEntry | None,
    number: int | None,
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """The entry, line and audit rows of a posting (`number` None: the database numbers it)."""
    now = utcnow()
    entry_id = uuid7()
    year = spec.entry_on.year
    voucher_no = voucher_number(spec.series, year, number) if number is not None else None
    entry_row = {
        "tenant_id": tenant.id,
        "id": entry_id,
        "voucher_no": voucher_no,
        "series": spec.series,
        "entry_on": spec.entry_on,
        "memo": (spec.memo or "")[:500],
        "source_type": spec.source_type,
        "source_id": spec.source_id,
        "reverses_entry_id": reverses.id if reverses is not None else None,
        "idempotency_key": key,
        "created_by_id": getattr(actor, "id", None),
        "created_at": now,
    }
    line_ids = [uuid7() for _ in checked.lines]
    lines = store.line_rows(tenant.id, entry_id, spec.entry_on, checked.lines, line_ids)
    summary = {
        "voucher_no": voucher_no,
        "entry_on": spec.entry_on.isoformat(),
        "total": str(checked.total),
        "source_type": spec.source_type,
    }
    event = store.audit_row(tenant.id, uuid7(), actor, entry_id, summary, now)
    return entry_row, lines, event


def _refused(reverses: JournalEntry | None, *, voucher: str | None) -> JournalEntry:
    """Every check passed but a unique key of the entry was taken."""
    if reverses is not None and reversal_of(reverses) is not None:
        raise Conflict(
            _l("%(voucher)s was already reversed.", voucher=reverses.voucher_no), code="already_reversed"
        )
    raise Conflict(
        _l("The entry could not be numbered (voucher %(voucher)s); try again.", voucher=voucher or "-"),
        code="voucher_taken",
    )


def reverse_entry(
    *, tenant: Tenant, actor: Any, entry: JournalEntry, reason: str, on: date | None = None
) -> JournalEntry:
    """Post the mirror of `entry` (debits and credits swapped), linked to it, once.

    Above the tenant's `reversal_threshold` (default Rp 10.000.000) only a manager may reverse.
    Raises: ValidationError (no reason, date before the original), Conflict (already reversed,
    or a reversal itself), PermissionDenied, ClosedPeriodError.
    """
    require_scope(tenant)
    if entry.tenant_id != tenant.id:
        raise TenantMissing("entry of another tenant")
    reason = (reason or "").strip()
    if not reason:
        message = _l("Give the reason for the reversal.")
        raise ValidationError(message, fields={"reason": [message]})
    if entry.reverses_entry_id is not None:
        raise Conflict(
            _l(
                "%(voucher)s is itself a reversal and cannot be reversed; post a new entry instead.",
                voucher=entry.voucher_no,
            ),
            code="reversal_of_reversal",
        )
    done = reversal_of(entry)
    if done is not None:
        raise Conflict(
            _l("%(voucher)s was already reversed by %(by)s.", voucher=entry.voucher_no, by=done.voucher_no),
            code="already_reversed",
        )
    threshold = setting_money(tenant, "reversal_threshold", DEFAULT_REVERSAL_THRESHOLD)
    total = entry.total
    if total > threshold and not is_manager(actor, tenant):
        raise PermissionDenied(
            _l(
                "Reversing an entry of %(total)s (above %(limit)s) needs a manager.",
                total=rupiah(total),
                limit=rupiah(threshold),
            )
        )
    on = on or today_for(tenant)
    if on < entry.entry_on:
        message = _l(
            "A reversal cannot be dated before the entry it reverses (%(day)s).",
            day=entry.entry_on.isoformat(),
        )
        raise ValidationError(message, fields={"on": [message]})
    original = [
        LineSpec(ln.account_id, ln.debit, ln.credit, ln.memo, ln.member_id, ln.loan_id, ln.item_id)
        for ln in entry.lines
    ]
    spec = EntrySpec(
        entry_on=on,
        lines=reversal_lines(original),
        memo=f"Reversal of {entry.voucher_no}: {reason}"[:500],
        series=entry.series,
        source_type=entry.source_type,
        source_id=entry.source_id,
    )
    try:
        reversal = post_entry(tenant=tenant, actor=actor, spec=spec, allow_inactive=True, _reverses=entry)
    except IntegrityError as exc:
        raise Conflict(
            _l("%(voucher)s was already reversed.", voucher=entry.voucher_no), code="already_reversed"
        ) from exc
    audit.record(
        "ledger.entry.reverse",
        actor=actor,
        target=entry,
        summary={
            "voucher_no": entry.voucher_no,
            "reversal": reversal.voucher_no,
            "reason": reason,
            "total": str(total),
        },
    )
    return reversal
