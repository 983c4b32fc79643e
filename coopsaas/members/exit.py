"""Member exit (*keluar anggota*) with manager approval (domain/savings.md sections 1 and 6).

Staff request the exit with a date, a reason and how the refund is paid (cash now, or a payable
paid later). The settlement is shown then and recomputed at approval:

    pokok + wajib + sukarela balances
    + the exit month's sukarela interest up to the day before the exit, net of tax (the product's
      method; lowest- and average-balance methods pay nothing for a broken month)
    + every time deposit broken on the exit date by its product's early-break rule (interest still
      owed, net of tax, less the penalty, shown)
    - the member's obligations (coopsaas/members/obligations.py: loans, shop credit, ...)
    = the refund.

Approval is maker-checker: a manager other than the requester. In one transaction it breaks the
time deposits and credits the month's interest through the savings services, then posts ONE
refund entry

    Dr 3101 pokok, 3102 wajib, 2101 sukarela (2102 berjangka if it still holds money)
    Cr each obligation's receivable account
    Cr kas (paid now) or Cr the exit payable (paid later)

calls each obligation's `settle(obligation, entry)`, empties and closes the savings accounts and
marks the member `exited`. Any error leaves nothing changed (the work runs in a savepoint and the
request boundary rolls back). The payable is the account tagged `utang_anggota_keluar` (a tenant
may add e.g. 2123 "Utang pengembalian simpanan anggota keluar" to its chart), else 2121 Beban yang
masih harus dibayar, which every chart pack has.

Refused: obligations above the savings (the message names what the member must pay first), an
obligation that cannot be settled from savings, a member already exited or with an exit pending.
Warned, not refused: modal sendiri (accounts tagged `MS`) would fall below its amount at the start
of the financial year (Permenkop 8/2023 Pasal 63(5) via savings.md), and last month's savings
month-end has not run (that month's interest would be missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

from coopsaas.core import audit
from coopsaas.core.counters import next_number
from coopsaas.core.db import utcnow
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import format_rupiah
from coopsaas.errors import Conflict, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, balance_of, post_entry
from coopsaas.ledger.models import Account
from coopsaas.ledger.services import closed_through, is_manager, require_scope, today_for
from coopsaas.members.models import ACTIVE, EXITED, Member
from coopsaas.members.models_exit import (
    APPROVED,
    PAY_CASH,
    PAY_LATER,
    PAYOUTS,
    REJECTED,
    REQUESTED,
    MemberExit,
)
from coopsaas.members.obligations import Obligation, obligations_of
from coopsaas.savings import closing
from coopsaas.savings import services as savings
from coopsaas.savings.models import BERJANGKA, CASH, POKOK, SUKARELA, WAJIB, ZERO
from coopsaas.tenancy.models import Tenant

SOURCE_TYPE = "member_exit"
PAYABLE_TAG, PAYABLE_CODE = "utang_anggota_keluar", "2121"
PAYABLE_FALLBACK_TAG = "beban_ymh_dibayar"
REASON_MAX = 500

KIND_LABELS = {
    POKOK: _l("Simpanan pokok"),
    WAJIB: _l("Simpanan wajib"),
    SUKARELA: _l("Simpanan sukarela"),
    BERJANGKA: _l("Simpanan berjangka"),
}


@dataclass(frozen=True)
class SettlementLine:
    """One savings account in the settlement: its balance now and what it adds to the refund."""

    account_no: str
    kind: str
    product: str
    balance: Decimal
    interest_gross: Decimal = ZERO
    interest_tax: Decimal = ZERO
    penalty: Decimal = ZERO
    forfeited: Decimal = ZERO
    amount: Decimal = ZERO  # balance + net interest - penalty

    @property
    def label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


@dataclass
class Settlement:
    member: Member
    exit_on: date
    lines: list[SettlementLine]
    obligations: list[Obligation]
    warnings: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    interest_note: str = ""

    @property
    def savings_total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    @property
    def obligations_total(self) -> Decimal:
        return sum((o.amount for o in self.obligations), ZERO)

    @property
    def refund(self) -> Decimal:
        return self.savings_total - self.obligations_total

    @property
    def equity_refund(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind in (POKOK, WAJIB)), ZERO)

    def to_json(self) -> dict[str, Any]:
        return {
            "exit_on": self.exit_on.isoformat(),
            "lines": [
                {
                    "account_no": ln.account_no,
                    "kind": ln.kind,
                    "product": ln.product,
                    "balance": str(ln.balance),
                    "interest_gross": str(ln.interest_gross),
                    "interest_tax": str(ln.interest_tax),
                    "penalty": str(ln.penalty),
                    "forfeited": str(ln.forfeited),
                    "amount": str(ln.amount),
                }
                for ln in self.lines
            ],
            "obligations": [
                {"kind": o.kind, "label": str(o.label), "reference": o.reference, "amount": str(o.amount)}
                for o in self.obligations
            ],
            "savings_total": str(self.savings_total),
            "obligations_total": str(self.obligations_total),
            "refund": str(self.refund),
            "warnings": [str(w) for w in self.warnings],
            "interest_note": self.interest_note,
        }


def _name(o: Obligation) -> str:
    """The obligation's label, with its reference when the label does not already say it."""
    label = str(o.label)
    return label if not o.reference or o.reference in label else f"{label} {o.reference}"


def _rp(amount: Decimal) -> str:
    return format_rupiah(amount, sen=amount != amount.to_integral_value())


# ---- the settlement ----------------------------------------------------------------------------------


def compute_settlement(tenant: Tenant, member: Member, exit_on: date) -> Settlement:
    """The settlement if `member` left on `exit_on` (no writes).

    Raises: Conflict (a time deposit matured and is not settled yet), ValidationError (exit date
    before a deposit's placement)."""
    require_scope(tenant)
    interest = {i.account.id: i for i in closing.closing_interest(member, exit_on)}
    breaks = {b.account.id: b for b in closing.deposit_breaks(member, exit_on)}
    lines: list[SettlementLine] = []
    for account in closing.open_accounts(member):
        kind = account.product.kind
        common: dict[str, Any] = {
            "account_no": account.account_no,
            "kind": kind,
            "product": account.product.name,
        }
        if account.id in breaks:
            b = breaks[account.id]
            s = b.settlement
            # The break's tax plus the tax on unpaid monthly payouts: gross minus net overall.
            gross = s.interest_gross + b.due_net
            lines.append(
                SettlementLine(
                    **common,
                    balance=account.balance,
                    interest_gross=gross,
                    interest_tax=s.interest_tax,
                    penalty=s.penalty,
                    forfeited=s.forfeited_interest,
                    amount=account.balance - s.principal + b.paid_out,
                )
            )
        elif account.id in interest:
            i = interest[account.id]
            lines.append(
                SettlementLine(
                    **common,
                    balance=account.balance,
                    interest_gross=i.gross,
                    interest_tax=i.tax,
                    amount=account.balance + i.net,
                )
            )
        else:
            lines.append(SettlementLine(**common, balance=account.balance, amount=account.balance))
    settlement = Settlement(member=member, exit_on=exit_on, lines=lines, obligations=obligations_of(member))
    settlement.interest_note = _interest_note(exit_on, list(interest.values()))
    _check(tenant, settlement)
    return settlement


def _interest_note(exit_on: date, items: list[Any]) -> str:
    if not items:
        return ""
    last_counted = exit_on - timedelta(days=1)
    if last_counted.month != exit_on.month:
        return str(_l("The exit is on the 1st: no sukarela interest for the exit month."))
    methods = sorted({str(i.method) for i in items})
    return str(
        _l(
            "Sukarela interest of %(month)s from the 1st to %(day)s by the product's method (%(methods)s; "
            "lowest and average balance pay nothing for a broken month), tax withheld; no admin fee.",
            month=f"{exit_on:%m/%Y}",
            day=last_counted.strftime("%d/%m/%Y"),
            methods=", ".join(methods),
        )
    )


def _check(tenant: Tenant, st: Settlement) -> None:
    for o in st.obligations:
        if o.settle is None or o.account_id is None:
            st.blockers.append(
                str(
                    _l(
                        "%(what)s (%(amount)s) cannot be settled from savings; it must be paid first.",
                        what=_name(o),
                        amount=_rp(o.amount),
                    )
                )
            )
    if st.refund < 0:
        st.blockers.append(str(_shortfall_message(st.obligations_total, st.savings_total)))
    missing = closing.month_end_missing(st.member, st.exit_on)
    if missing is not None:
        st.warnings.append(
            str(
                _l(
                    "The savings month-end of %(month)s has not run: that month's sukarela interest is not "
                    "included.",
                    month=f"{missing:%m/%Y}",
                )
            )
        )
    warning = _modal_sendiri_warning(tenant, st)
    if warning:
        st.warnings.append(warning)


def _shortfall_message(owed: Decimal, saved: Decimal) -> Any:
    return _l(
        "The member's obligations (%(owed)s) exceed their savings (%(saved)s): the member must first pay "
        "%(short)s.",
        owed=_rp(owed),
        saved=_rp(saved),
        short=_rp(owed - saved),
    )


def _modal_sendiri_warning(tenant: Tenant, st: Settlement) -> str:
    """Modal sendiri after refunding pokok and wajib, against its amount at the start of the year."""
    if st.equity_refund <= 0:
        return ""
    accounts = list(db.session.scalars(select(Account).where(Account.is_active.is_(True))))
    ms = [a for a in accounts if "MS" in (a.tags or [])]
    if not ms:
        return ""
    year_start = date(st.exit_on.year, 1, 1) - timedelta(days=1)
    original = sum((balance_of(a, year_start) for a in ms), ZERO)
    now = sum((balance_of(a, st.exit_on) for a in ms), ZERO)
    after = now - st.equity_refund
    if after >= original:
        return ""
    return str(
        _l(
            "Modal sendiri would fall to %(after)s, below its %(original)s at the start of %(year)s "
            "(Permenkop 8/2023 Pasal 63(5)). The exit is allowed; the board should take note.",
            after=_rp(after),
            original=_rp(original),
            year=st.exit_on.year,
        )
    )


# ---- request, approve, reject ----------------------------------------------------------------------


def _lock_member(member: Member) -> Member:
    return db.session.scalars(
        select(Member)
        .where(Member.id == member.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _lock_exit(exit_: MemberExit) -> MemberExit:
    return db.session.scalars(
        select(MemberExit)
        .where(MemberExit.id == exit_.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def pending_exit(member: Member) -> MemberExit | None:
    return db.session.scalars(
        select(MemberExit).where(MemberExit.member_id == member.id, MemberExit.status == REQUESTED)
    ).first()


def exits_query(status: str | None = None) -> Select[Any]:
    stmt = select(MemberExit).order_by(MemberExit.requested_at.desc(), MemberExit.id.desc())
    if status:
        stmt = stmt.where(MemberExit.status == status)
    return stmt


def exits_of(member: Member) -> list[MemberExit]:
    return list(
        db.session.scalars(
            select(MemberExit)
            .where(MemberExit.member_id == member.id)
            .order_by(MemberExit.requested_at.desc())
        )
    )


def _check_date(tenant: Tenant, member: Member, exit_on: date | None) -> date:
    today = today_for(tenant)
    exit_on = exit_on or today
    if exit_on > today:
        message = _l("The exit date cannot be in the future.")
        raise ValidationError(message, fields={"exit_on": [message]})
    if exit_on < member.joined_on:
        message = _l("The exit date is before the member joined.")
        raise ValidationError(message, fields={"exit_on": [message]})
    closed = closed_through(tenant)
    if closed is not None and exit_on <= closed:
        message = _l(
            "The books are closed through %(day)s; choose a later exit date.", day=closed.isoformat()
        )
        raise ValidationError(message, fields={"exit_on": [message]})
    return exit_on


def _refuse_if_blocked(st: Settlement) -> None:
    if st.refund < 0:
        message = _shortfall_message(st.obligations_total, st.savings_total)
        raise Conflict(message, code="obligations_exceed_savings")
    if st.blockers:
        raise Conflict(st.blockers[0], code="obligation_not_settleable")


def request_exit(
    *,
    tenant: Tenant,
    actor: Any,
    member: Member,
    exit_on: date | None,
    reason: str | None,
    payout: str = PAY_CASH,
) -> MemberExit:
    """Record an exit request with its settlement as of `exit_on` (default today).

    Raises: ValidationError (reason missing or too long, payout, date in the future, before joining
    or in a closed month), Conflict (member already exited or with an exit pending, obligations above
    savings, an obligation that cannot be settled, a matured deposit not yet settled)."""
    require_scope(tenant)
    text = (reason or "").strip()
    if not text:
        message = _l("Give the reason for leaving.")
        raise ValidationError(message, fields={"reason": [message]})
    if len(text) > REASON_MAX:
        message = _l("At most %(n)s characters.", n=REASON_MAX)
        raise ValidationError(message, fields={"reason": [message]})
    if payout not in PAYOUTS:
        message = _l("Choose cash now or a payable paid later.")
        raise ValidationError(message, fields={"payout": [message]})
    member = _lock_member(member)
    if member.status == EXITED:
        raise Conflict(
            _l("Member %(no)s has already left the cooperative.", no=member.member_no), code="exited"
        )
    if pending_exit(member) is not None:
        raise Conflict(
            _l("An exit request for member %(no)s is already waiting for approval.", no=member.member_no),
            code="exit_pending",
        )
    exit_on = _check_date(tenant, member, exit_on)
    st = compute_settlement(tenant, member, exit_on)
    _refuse_if_blocked(st)
    if any(ln.kind == BERJANGKA for ln in st.lines) and closing.sukarela_account(member) is None:
        raise Conflict(
            _l(
                "Member %(no)s has a time deposit but no open sukarela account to receive it; open one "
                "first.",
                no=member.member_no,
            ),
            code="no_sukarela_account",
        )
    number = next_number("member_exit")
    exit_ = MemberExit(
        id=uuid7(),
        exit_no=f"KA-{number:06d}",
        member_id=member.id,
        status=REQUESTED,
        exit_on=exit_on,
        reason=text,
        payout=payout,
        settlement=st.to_json(),
        savings_total=st.savings_total,
        obligations_total=st.obligations_total,
        refund=st.refund,
        requested_by_id=getattr(actor, "id", None),
        requested_at=utcnow(),
        decision_note="",
    )
    db.session.add(exit_)
    db.session.flush()
    audit.record(
        "member.exit.request",
        actor=actor,
        target=exit_,
        summary={
            "exit_no": exit_.exit_no,
            "member_no": member.member_no,
            "exit_on": exit_on.isoformat(),
            "refund": str(st.refund),
            "payout": payout,
        },
    )
    return exit_


def _check_checker(tenant: Tenant, actor: Any, exit_: MemberExit) -> None:
    if not is_manager(actor, tenant):
        raise PermissionDenied(_l("Only a manager may approve or reject a member's exit."))
    if exit_.requested_by_id is not None and getattr(actor, "id", None) == exit_.requested_by_id:
        raise PermissionDenied(
            _l("The exit must be decided by another user than the one who requested it."),
            code="same_user",
        )
    if exit_.status != REQUESTED:
        raise Conflict(_l("Exit %(no)s has already been decided.", no=exit_.exit_no), code="exit_decided")


def _payable_account() -> Account:
    accounts = list(
        db.session.scalars(select(Account).where(Account.is_active.is_(True)).order_by(Account.code))
    )
    for tag in (PAYABLE_TAG, PAYABLE_FALLBACK_TAG):
        tagged = [a for a in accounts if tag in (a.tags or [])]
        if tagged:
            return tagged[0]
    found = next((a for a in accounts if a.code == PAYABLE_CODE), None)
    if found is None:
        raise ValidationError(
            _l("The chart of accounts has no payable for exit refunds (tag %(tag)s).", tag=PAYABLE_TAG)
        )
    return found


def approve_exit(*, tenant: Tenant, actor: Any, exit_: MemberExit, note: str | None = None) -> MemberExit:
    """Approve the exit and settle it (see the module docstring), all or nothing.

    Raises: PermissionDenied (not a manager, or the requester), Conflict (decided already, member
    exited, obligations above savings, an obligation not settleable), ValidationError (date now in a
    closed month, chart incomplete), ClosedPeriodError."""
    require_scope(tenant)
    exit_ = _lock_exit(exit_)
    _check_checker(tenant, actor, exit_)
    with db.session.begin_nested():
        _settle(tenant, actor, exit_, (note or "").strip()[:REASON_MAX])
    return exit_


def _settle(tenant: Tenant, actor: Any, exit_: MemberExit, note: str) -> None:
    member = _lock_member(exit_.member)
    if member.status != ACTIVE:
        raise Conflict(
            _l("Member %(no)s has already left the cooperative.", no=member.member_no), code="exited"
        )
    exit_on = _check_date(tenant, member, exit_.exit_on)
    # What the request showed, recomputed now; refused before anything is posted.
    preview = compute_settlement(tenant, member, exit_on)
    _refuse_if_blocked(preview)

    closing.break_deposits_for_exit(tenant=tenant, actor=actor, member=member, exit_on=exit_on)
    closing.post_closing_interest(tenant=tenant, actor=actor, member=member, exit_on=exit_on)

    obligations = obligations_of(member)
    accounts, lines = closing.refund_lines(member)
    saved = sum((a.balance for a in accounts), ZERO)
    owed = sum((o.amount for o in obligations), ZERO)
    if owed > saved:
        raise Conflict(_shortfall_message(owed, saved), code="obligations_exceed_savings")
    for o in obligations:
        if o.settle is None or o.account_id is None:
            raise Conflict(
                _l(
                    "%(what)s cannot be settled from savings; it must be paid first.",
                    what=_name(o),
                ),
                code="obligation_not_settleable",
            )
    refund = saved - owed
    for o in obligations:
        lines.append(LineSpec(o.account_id, credit=o.amount, member_id=member.id, memo=_name(o)[:200]))
        # balanced lines an obligation adds (a murabahah's margin recognised and waived)
        lines.extend(getattr(o, "ledger_lines", ()))
    if refund > 0:
        counter = savings.channel_account(CASH) if exit_.payout == PAY_CASH else _payable_account()
        lines.append(LineSpec(counter.id, credit=refund, member_id=member.id))
    entry = None
    if lines:
        entry = post_entry(
            tenant=tenant,
            actor=actor,
            spec=EntrySpec(
                entry_on=exit_on,
                lines=lines,
                memo=f"Pengembalian simpanan anggota keluar {exit_.exit_no} a.n. "
                f"{member.member_no} {member.name}",
                series="KK" if exit_.payout == PAY_CASH and refund > 0 else "JM",
                source_type=SOURCE_TYPE,
                source_id=exit_.id,
            ),
            idempotency_key=f"member-exit:{exit_.id}",
        )
    closing.close_for_exit(
        actor=actor, accounts=accounts, entry=entry, exit_on=exit_on, key_prefix=f"member-exit:{exit_.id}"
    )
    for o in obligations:
        assert o.settle is not None  # checked above
        o.settle(o, entry)
    db.session.flush()

    member.status = EXITED
    stored = preview.to_json()
    stored.update(
        {
            "savings_total": str(saved),
            "obligations": [
                {"kind": o.kind, "label": str(o.label), "reference": o.reference, "amount": str(o.amount)}
                for o in obligations
            ],
            "obligations_total": str(owed),
            "refund": str(refund),
            "voucher_no": entry.voucher_no if entry is not None else "",
        }
    )
    exit_.settlement = stored
    exit_.savings_total, exit_.obligations_total, exit_.refund = saved, owed, refund
    exit_.status = APPROVED
    exit_.decided_by_id = getattr(actor, "id", None)
    exit_.decided_at = utcnow()
    exit_.decision_note = note
    exit_.journal_entry_id = entry.id if entry is not None else None
    db.session.flush()
    audit.record(
        "member.exit.approve",
        actor=actor,
        target=exit_,
        summary={
            "exit_no": exit_.exit_no,
            "member_no": member.member_no,
            "refund": str(refund),
            "obligations": str(owed),
            "payout": exit_.payout,
            "voucher_no": stored["voucher_no"],
        },
    )


def reject_exit(*, tenant: Tenant, actor: Any, exit_: MemberExit, reason: str | None) -> MemberExit:
    """Reject the exit request with a reason; nothing else changes.

    Raises: ValidationError (no reason), PermissionDenied (not a manager, or the requester),
    Conflict (decided already)."""
    require_scope(tenant)
    text = (reason or "").strip()
    if not text:
        message = _l("Give the reason for rejecting.")
        raise ValidationError(message, fields={"reason": [message]})
    if len(text) > REASON_MAX:
        message = _l("At most %(n)s characters.", n=REASON_MAX)
        raise ValidationError(message, fields={"reason": [message]})
    exit_ = _lock_exit(exit_)
    _check_checker(tenant, actor, exit_)
    exit_.status = REJECTED
    exit_.decided_by_id = getattr(actor, "id", None)
    exit_.decided_at = utcnow()
    exit_.decision_note = text
    db.session.flush()
    audit.record(
        "member.exit.reject",
        actor=actor,
        target=exit_,
        summary={"exit_no": exit_.exit_no, "member_no": exit_.member.member_no, "reason": text},
    )
    return exit_


__all__ = [
    "PAY_CASH",
    "PAY_LATER",
    "Settlement",
    "SettlementLine",
    "approve_exit",
    "compute_settlement",
    "exits_query",
    "pending_exit",
    "reject_exit",
    "request_exit",
]
