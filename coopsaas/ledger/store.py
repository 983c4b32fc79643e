"""The statements behind `post_entry`: one round trip per posting on PostgreSQL, every rule kept.

`post_pg` is a single statement: it takes the shared book lock (closing takes it exclusively, so
a close waits for postings in flight), checks what needs the database (the accounts are the
tenant's and active, the month is open, the idempotency key is unused), takes the next voucher
number (`INSERT ... ON CONFLICT DO UPDATE` on the counter row, whose row lock keeps numbers
gapless and which creates a new series' row in the same step), and writes the entry, its lines
and the audit event. `ON CONFLICT DO NOTHING` on the entry answers a concurrent request with the
same key (or a second reversal of one entry): nothing is written and the caller gives the
number back (`counters.give_back`) while the counter row is still locked, so the series stays
gapless. Only when nothing was written does the caller look up why (`lookup`) to answer with
the first entry or a precise error. The database keeps its own checks besides: the
closed-period trigger on every line (it also catches a close that committed while the
statement waited for the book lock), the deferred balance trigger at commit, append-only
triggers, row-level security.

SQLite serialises writers at BEGIN: there `lookup`, the counter and `write` are plain
statements, in-process and cheap.

Rows go in through Core, never the unit of work; the entry and its lines are then attached to
the session as persistent objects (they are exactly what was stored), so callers use them as
before and nothing is written twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from coopsaas.core.audit import AuditEvent, event_values
from coopsaas.core.ids import uuid7
from coopsaas.ledger.models import PERIOD_CLOSED, Account, FiscalPeriod, JournalEntry, JournalLine
from coopsaas.ledger.posting import LineSpec


@dataclass(frozen=True)
class AccountRow:
    id: uuid.UUID
    code: str
    name: str
    is_active: bool


@dataclass
class Found:
    """The entry already posted under the key, the latest closed month (year * 100 + month) and
    the accounts the lines name."""

    existing_id: uuid.UUID | None
    closed_ym: int | None
    accounts: dict[uuid.UUID, AccountRow] = field(default_factory=dict)


def book_lock_key(tenant_id: uuid.UUID) -> str:
    return f"ledger:{tenant_id}"


def lookup(conn: Connection, tenant_id: uuid.UUID, key: str | None, account_ids: list[uuid.UUID]) -> Found:
    existing_id = None
    if key is not None:
        existing_id = conn.execute(
            select(JournalEntry.id).where(
                JournalEntry.tenant_id == tenant_id, JournalEntry.idempotency_key == key
            )
        ).scalar_one_or_none()
    accounts = {
        r.id: AccountRow(r.id, r.code, r.name, r.is_active)
        for r in conn.execute(
            select(Account.id, Account.code, Account.name, Account.is_active).where(
                Account.tenant_id == tenant_id, Account.id.in_(account_ids)
            )
        )
    }
    return Found(existing_id=existing_id, closed_ym=closed_month(conn, tenant_id), accounts=accounts)


def closed_month(conn: Connection, tenant_id: uuid.UUID) -> int | None:
    """The latest closed month as year * 100 + month (closed months run unbroken)."""
    fp = FiscalPeriod.__table__.c
    return conn.execute(
        select(fp.year * 100 + fp.month)
        .where(fp.tenant_id == tenant_id, fp.status == PERIOD_CLOSED)
        .order_by(fp.year.desc(), fp.month.desc())
        .limit(1)
    ).scalar_one_or_none()


# One statement: the checks that need the database, the voucher number, the entry, its lines and
# the audit event. Data-modifying CTEs run once each; `c` only when `ok` holds, `e` only with
# the number `c` took, `l` and `a` only for the entry `e` wrote.
_PG_POST = """
WITH ok AS (
    SELECT pg_advisory_xact_lock_shared(hashtext(%(lock)s))::text IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM journal_entry
                        WHERE tenant_id = %(t)s AND idempotency_key = %(idempotency_key)s)
       AND NOT EXISTS (SELECT 1 FROM fiscal_period
                        WHERE tenant_id = %(t)s AND status = 'closed'
                          AND year * 100 + month >= %(ym)s)
       AND (SELECT count(*) FROM account
             WHERE tenant_id = %(t)s AND id = ANY(%(ids)s::uuid[])
               AND (is_active OR %(allow_inactive)s)) = %(n_ids)s AS go),
c AS (
    INSERT INTO counter (tenant_id, id, name, value)
    SELECT %(t)s, %(counter_id)s, %(counter)s, 1 FROM ok WHERE go
    ON CONFLICT (tenant_id, name) DO UPDATE SET value = counter.value + 1
    RETURNING value),
e AS (
    INSERT INTO journal_entry (tenant_id, id, voucher_no, series, entry_on, memo, source_type,
                               source_id, reverses_entry_id, idempotency_key, created_by_id,
                               created_at)
    SELECT %(t)s, %(id)s,
           %(series)s || '-' || %(year)s || '-'
               || lpad(c.value::text, greatest(6, length(c.value::text)), '0'),
           %(series)s, %(entry_on)s, %(memo)s, %(source_type)s, %(source_id)s, %(reverses_entry_id)s,
           %(idempotency_key)s, %(created_by_id)s, %(created_at)s
      FROM c
    ON CONFLICT DO NOTHING
    RETURNING id, voucher_no),
l AS (
    INSERT INTO journal_line (tenant_id, id, entry_id, entry_on, line_no, account_id, debit, credit,
                              member_id, loan_id, item_id, memo)
    SELECT %(t)s, u.id, e.id, %(entry_on)s, u.line_no, u.account_id, u.debit, u.credit,
           u.member_id, u.loan_id, u.item_id, u.memo
      FROM e, unnest(%(l_id)s::uuid[], %(l_no)s::int[], %(l_account)s::uuid[],
                     %(l_debit)s::numeric[], %(l_credit)s::numeric[], %(l_member)s::uuid[],
                     %(l_loan)s::uuid[], %(l_item)s::uuid[], %(l_memo)s::varchar[])
           AS u(id, line_no, account_id, debit, credit, member_id, loan_id, item_id, memo)),
a AS (
    INSERT INTO audit_event (tenant_id, id, actor_id, action, target_type, target_id, summary,
                             request_id, ip, created_at)
    SELECT %(t)s, %(a_id)s, %(a_actor)s, %(a_action)s, %(a_target_type)s, %(a_target_id)s,
           json_build_object('voucher_no', e.voucher_no, 'entry_on', %(a_entry_on)s::text,
                             'total', %(a_total)s::text, 'source_type', %(a_source_type)s::text),
           %(a_request_id)s, %(a_ip)s, %(created_at)s
      FROM e)
SELECT (SELECT value FROM c), (SELECT voucher_no FROM e)
"""


@dataclass
class Posted:
    number: int | None  # the voucher number taken, if the checks passed
    voucher_no: str | None  # set when the entry was written


def post_pg(
    conn: Connection,
    entry: dict[str, Any],
    lines: list[dict[str, Any]],
    audit: dict[str, Any],
    *,
    counter: str,
    account_ids: list[uuid.UUID],
    allow_inactive: bool,
) -> Posted:
    """Post an entry whose lines already passed `validate_entry` in one statement, on
    PostgreSQL. Writes nothing unless every account is the tenant's (and active), the month is
    open and the idempotency key unused; takes no number unless it writes, except when a unique
    key is taken at the insert itself (a concurrent request): the caller then gives it back."""
    day: date = entry["entry_on"]
    summary = audit["summary"]
    params = {
        "t": entry["tenant_id"],
        "lock": book_lock_key(entry["tenant_id"]),
        "ym": day.year * 100 + day.month,
        "ids": account_ids,
        "n_ids": len(account_ids),
        "allow_inactive": allow_inactive,
        "counter_id": uuid7(),
        "counter": counter,
        "year": str(day.year),
        **{k: v for k, v in entry.items() if k not in ("tenant_id", "voucher_no")},
        "l_id": [ln["id"] for ln in lines],
        "l_no": [ln["line_no"] for ln in lines],
        "l_account": [ln["account_id"] for ln in lines],
        "l_debit": [ln["debit"] for ln in lines],
        "l_credit": [ln["credit"] for ln in lines],
        "l_member": [ln["member_id"] for ln in lines],
        "l_loan": [ln["loan_id"] for ln in lines],
        "l_item": [ln["item_id"] for ln in lines],
        "l_memo": [ln["memo"] for ln in lines],
        "a_id": audit["id"],
        "a_actor": audit["actor_id"],
        "a_action": audit["action"],
        "a_target_type": audit["target_type"],
        "a_target_id": audit["target_id"],
        "a_entry_on": summary["entry_on"],
        "a_total": summary["total"],
        "a_source_type": summary["source_type"],
        "a_request_id": audit["request_id"],
        "a_ip": audit["ip"],
    }
    number, voucher_no = conn.exec_driver_sql(_PG_POST, params).one()
    return Posted(number=number, voucher_no=voucher_no)


def write(
    conn: Connection, entry: dict[str, Any], lines: list[dict[str, Any]], audit: dict[str, Any]
) -> bool:
    """Write the entry, its lines and the audit event (SQLite, where writers are serialised);
    False, with nothing written, when a unique key of the entry is taken."""
    new_id = conn.execute(
        sqlite_insert(JournalEntry.__table__)
        .values(**entry)
        .on_conflict_do_nothing()
        .returning(JournalEntry.__table__.c.id)
    ).scalar_one_or_none()
    if new_id is None:
        return False
    conn.execute(insert(JournalLine.__table__), lines)
    conn.execute(insert(AuditEvent.__table__).values(**audit))
    return True


def line_rows(
    tenant_id: uuid.UUID,
    entry_id: uuid.UUID,
    entry_on: date,
    lines: tuple[LineSpec, ...],
    ids: list[uuid.UUID],
) -> list[dict[str, Any]]:
    return [
        {
            "tenant_id": tenant_id,
            "id": line_id,
            "entry_id": entry_id,
            "entry_on": entry_on,
            "line_no": n,
            "account_id": ln.account_id,
            "debit": ln.debit,
            "credit": ln.credit,
            "member_id": ln.member_id,
            "loan_id": ln.loan_id,
            "item_id": ln.item_id,
            "memo": ln.memo,
        }
        for n, (ln, line_id) in enumerate(zip(lines, ids, strict=True), start=1)
    ]


def attach(session: Session, entry_row: dict[str, Any], line_rows_: list[dict[str, Any]]) -> JournalEntry:
    """The stored entry and lines as persistent ORM objects, without a query or a second write:
    built the way the ORM builds loaded rows (values straight into the instance dict, so they
    carry no pending change), then added to the session by their identity."""
    entry = JournalEntry.__mapper__.class_manager.new_instance()
    entry.__dict__.update(entry_row)
    lines = []
    for row in line_rows_:
        line = JournalLine.__mapper__.class_manager.new_instance()
        line.__dict__.update(row)
        lines.append(line)
    set_committed_value(entry, "lines", lines)
    for line in lines:
        set_committed_value(line, "entry", entry)
    for obj in (entry, *lines):
        make_transient_to_detached(obj)
    session.add(entry)
    return entry


def audit_row(
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
    actor: Any,
    entry_id: uuid.UUID,
    summary: dict[str, Any],
    created_at: datetime,
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": event_id,
        "created_at": created_at,
        **event_values(
            "ledger.entry.post",
            actor=actor,
            target_type=JournalEntry.__tablename__,
            target_id=entry_id,
            summary=summary,
        ),
    }
