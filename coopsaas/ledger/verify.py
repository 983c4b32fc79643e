"""`verify_ledger`: checks that return findings instead of raising (the nightly job and
`flask ledger verify` show them to the manager and the agency). Sub-ledgers add their own checks
with `register_verify_hook`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from coopsaas.core.i18n import _l
from coopsaas.extensions import db
from coopsaas.ledger.balances import line_sums, stored_balances
from coopsaas.ledger.models import PERIOD_CLOSED, Account, FiscalPeriod, JournalEntry, JournalLine
from coopsaas.ledger.posting import ZERO, month_end, rupiah
from coopsaas.ledger.services import require_scope
from coopsaas.tenancy.models import Tenant


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    entry_id: uuid.UUID | None = None
    details: dict[str, Any] = field(default_factory=dict)


VerifyHook = Callable[[Tenant], Iterable[Finding]]
VERIFY_HOOKS: list[VerifyHook] = []


def register_verify_hook(hook: VerifyHook) -> VerifyHook:
    """Sub-ledgers add their checks (e.g. savings total equals its control account)."""
    if hook not in VERIFY_HOOKS:
        VERIFY_HOOKS.append(hook)
    return hook


def subledger_findings(tenant: Tenant) -> list[Finding]:
    """What the registered sub-ledger checks find (savings, loans, shop stock, receivables...)."""
    return [finding for hook in VERIFY_HOOKS for finding in hook(tenant)]


def unbalanced_entries(
    start: date | None = None, end: date | None = None
) -> list[tuple[uuid.UUID, str, Decimal, Decimal]]:
    stmt = (
        select(
            JournalEntry.id,
            JournalEntry.voucher_no,
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
            func.count(JournalLine.id),
        )
        .outerjoin(
            JournalLine,
            (JournalLine.tenant_id == JournalEntry.tenant_id) & (JournalLine.entry_id == JournalEntry.id),
        )
        .group_by(JournalEntry.id, JournalEntry.voucher_no)
        .order_by(JournalEntry.voucher_no)
    )
    if start is not None:
        stmt = stmt.where(JournalEntry.entry_on >= start)
    if end is not None:
        stmt = stmt.where(JournalEntry.entry_on <= end)
    out = []
    for eid, voucher, d, c, n in db.session.execute(stmt):
        d, c = d or ZERO, c or ZERO
        if d != c or n < 2:
            out.append((eid, voucher, d, c))
    return out


def verify_ledger(tenant: Tenant) -> list[Finding]:
    """Check the books: every entry balances, nothing was posted into a closed month after its
    close, stored balances match the lines, reversals mirror what they reverse, voucher numbers
    run without gaps; then each registered sub-ledger hook. Returns findings; an empty list
    means the books are sound."""
    require_scope(tenant)
    findings: list[Finding] = []
    for eid, voucher, d, c in unbalanced_entries():
        findings.append(
            Finding(
                "unbalanced_entry",
                str(
                    _l(
                        "%(voucher)s does not balance: debits %(debit)s, credits %(credit)s.",
                        voucher=voucher,
                        debit=rupiah(d),
                        credit=rupiah(c),
                    )
                ),
                eid,
                {"voucher_no": voucher},
            )
        )

    for period in db.session.scalars(
        select(FiscalPeriod)
        .where(FiscalPeriod.status == PERIOD_CLOSED)
        .order_by(FiscalPeriod.year, FiscalPeriod.month)
    ):
        findings.extend(_check_closed_period(period))

    findings.extend(_check_reversals())
    findings.extend(_check_voucher_numbers())
    for hook in VERIFY_HOOKS:
        findings.extend(hook(tenant))
    return findings


def _check_closed_period(period: FiscalPeriod) -> list[Finding]:
    label = f"{period.year}-{period.month:02d}"
    start, end = date(period.year, period.month, 1), month_end(period.year, period.month)
    out = []
    late = db.session.execute(
        select(JournalEntry.id, JournalEntry.voucher_no)
        .where(
            JournalEntry.entry_on >= start,
            JournalEntry.entry_on <= end,
            JournalEntry.created_at > period.closed_at,
        )
        .order_by(JournalEntry.voucher_no)
    ).all()
    for eid, voucher in late:
        out.append(
            Finding(
                "posted_after_close",
                str(
                    _l(
                        "%(voucher)s is dated in %(period)s but was posted after the period closed.",
                        voucher=voucher,
                        period=label,
                    )
                ),
                eid,
                {"voucher_no": voucher, "period": label},
            )
        )
    stored = stored_balances(period)
    actual = line_sums(start, end)
    codes = {a.id: a.code for a in db.session.scalars(select(Account))}
    for aid in sorted(set(stored) | set(actual), key=lambda i: codes.get(i, "")):
        d, c = actual.get(aid, (ZERO, ZERO))
        row = stored.get(aid)
        sd, sc = (row.debit_total, row.credit_total) if row else (ZERO, ZERO)
        if (d, c) != (sd, sc):
            message = _l(
                "Stored totals of %(period)s for account %(code)s differ from its lines: stored debit "
                "%(sd)s and credit %(sc)s, lines debit %(d)s and credit %(c)s.",
                period=label,
                code=codes.get(aid, str(aid)),
                sd=rupiah(sd),
                sc=rupiah(sc),
                d=rupiah(d),
                c=rupiah(c),
            )
            out.append(
                Finding(
                    "stored_balance_mismatch", str(message), None, {"account_id": str(aid), "period": label}
                )
            )
    return out


def _check_reversals() -> list[Finding]:
    out = []
    reversals = db.session.scalars(select(JournalEntry).where(JournalEntry.reverses_entry_id.is_not(None)))
    for rev in reversals:
        original = db.session.scalars(
            select(JournalEntry).where(JournalEntry.id == rev.reverses_entry_id)
        ).one_or_none()
        problem = None
        if original is None:
            problem = _l("%(voucher)s reverses an entry that cannot be found.", voucher=rev.voucher_no)
        elif original.reverses_entry_id is not None:
            problem = _l(
                "%(voucher)s reverses %(orig)s, which is itself a reversal.",
                voucher=rev.voucher_no,
                orig=original.voucher_no,
            )
        else:
            net: dict[uuid.UUID, Decimal] = {}
            for ln in [*original.lines, *rev.lines]:
                net[ln.account_id] = net.get(ln.account_id, ZERO) + ln.debit - ln.credit
            if any(v != 0 for v in net.values()) or rev.entry_on < original.entry_on:
                problem = _l(
                    "%(voucher)s does not mirror the entry it reverses (%(orig)s).",
                    voucher=rev.voucher_no,
                    orig=original.voucher_no,
                )
        if problem is not None:
            out.append(Finding("broken_reversal", str(problem), rev.id, {"voucher_no": rev.voucher_no}))
    return out


def _check_voucher_numbers() -> list[Finding]:
    """Each series and year numbers 1..n with nothing missing. Numbers are zero-padded to six
    digits, so the greatest voucher string carries the greatest number."""
    prefix = func.substr(JournalEntry.voucher_no, 1, func.length(JournalEntry.voucher_no) - 7)
    stmt = select(prefix, func.count(), func.max(JournalEntry.voucher_no)).group_by(prefix).order_by(prefix)
    out = []
    for series_year, count, last in db.session.execute(stmt):
        highest = int(str(last).rsplit("-", 1)[-1])
        if highest != count:
            out.append(
                Finding(
                    "voucher_gap",
                    str(
                        _l(
                            "Voucher numbers of %(series)s have gaps: %(count)s entries up to %(last)s.",
                            series=series_year,
                            count=count,
                            last=last,
                        )
                    ),
                    None,
                    {"series": series_year},
                )
            )
    return out
