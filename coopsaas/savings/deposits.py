"""Time deposits (*simpanan berjangka*): placement, interest due, maturity and early break.

The arithmetic is berjangka.py's; this module books it. A deposit is a `SavingsAccount` of a
berjangka product holding the principal (control 2102) plus a `BerjangkaPlacement` with the
terms fixed at placement. Journals (domain/savings.md sections 4 and 6):

- placement: `Dr kas/bank` (or `Dr 2101` from the member's sukarela account) `/ Cr 2102`;
- monthly payout on each anniversary: `Dr 5102 gross / Cr 2101 gross` (to the payout sukarela
  account) and `Dr 2101 tax / Cr 2122`; paid in cash: `Dr 5102 / Cr 2122 tax / Cr kas net`;
- `AT_MATURITY`: each anniversary accrues `Dr 5102 / Cr 2121`; at maturity `Dr 2121` pays it;
- maturity: `TRANSFER` `Dr 2102 / Cr 2101 or kas`; a rollover starts a new placement on the same
  account (`ROLLOVER_WITH_INTEREST` of an AT_MATURITY deposit adds the net interest: `Cr 2102`);
- early break (managers only): interest still owed per the product's penalty, the penalty to the
  fee income account, the rest paid out.

Tax here is withheld per payment (berjangka.py); the month-end job passes what was paid in the
month to the sukarela run, which tests the per-member threshold on the whole month.
Each step is once-only: the placement row is locked and counts the months done, and every
entry carries an idempotency key naming the placement and the step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import MoneyError, to_money
from coopsaas.errors import Conflict, InsufficientFunds, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry
from coopsaas.ledger.models import Account
from coopsaas.ledger.services import find_by_idempotency_key, is_manager, require_scope, today_for
from coopsaas.members.models import Member
from coopsaas.savings import services as savings
from coopsaas.savings.berjangka import (
    BerjangkaTerms,
    BreakPenalty,
    BreakSettlement,
    MaturityInstruction,
    Payout,
    break_deposit,
    deposit_schedule,
)
from coopsaas.savings.interest import DayCount
from coopsaas.savings.models import (
    BERJANGKA,
    CASH,
    CHANNELS,
    CLOSED,
    DEPOSIT,
    INTEREST,
    OUTGOING,
    SUKARELA,
    TAX,
    WITHDRAWAL,
    ZERO,
    SavingsAccount,
    SavingsProduct,
    SavingsTransaction,
)
from coopsaas.savings.models_berjangka import ACTIVE, BROKEN, MATURED, ROLLED, BerjangkaPlacement
from coopsaas.savings.month_end import FEE_INCOME_CODE, FEE_INCOME_TAGS, INTERNAL, _required_account
from coopsaas.tenancy.models import Tenant

SOURCE_SUKARELA = "sukarela"
SOURCE_TYPE = "savings_berjangka"


# ---- terms -----------------------------------------------------------------------------------------


def offered_terms(product: SavingsProduct) -> dict[int, Decimal]:
    """Term in months -> rate p.a. offered by the product (`terms = [{months, rate_pa}]`)."""
    out: dict[int, Decimal] = {}
    for item in (product.parameters or {}).get("terms") or []:
        out[int(item["months"])] = Decimal(str(item["rate_pa"]))
    return out


def terms_for(product: SavingsProduct, term_months: int) -> BerjangkaTerms:
    """The product's terms for a term length. Raises: ValidationError (term not offered)."""
    rates = offered_terms(product)
    if term_months not in rates:
        offered = ", ".join(str(m) for m in sorted(rates)) or "-"
        message = _l(
            "%(product)s is offered for %(offered)s months only.", product=product.name, offered=offered
        )
        raise ValidationError(message, fields={"term_months": [message]})
    p = product.parameters or {}
    return BerjangkaTerms(
        term_months=term_months,
        rate_pa=rates[term_months],
        payout=p.get("payout") or Payout.MONTHLY,
        day_count=DayCount(p.get("day_count") or DayCount.ACT_365),
        maturity_instruction=p.get("maturity_instruction") or MaturityInstruction.TRANSFER,
        break_penalty=BreakPenalty(p.get("break_penalty") or BreakPenalty.FORFEIT_CURRENT_INTEREST),
        break_penalty_percent=Decimal(str(p.get("break_penalty_percent") or 0)),
    )


def _terms_json(terms: BerjangkaTerms) -> dict[str, Any]:
    return {
        "term_months": terms.term_months,
        "rate_pa": str(terms.rate_pa),
        "payout": str(terms.payout),
        "day_count": str(terms.day_count),
        "year_days": terms.year_days,
        "maturity_instruction": str(terms.maturity_instruction),
        "month_end_rule": str(terms.month_end_rule),
        "break_penalty": str(terms.break_penalty),
        "break_penalty_percent": str(terms.break_penalty_percent),
    }


def placement_terms(placement: BerjangkaPlacement) -> BerjangkaTerms:
    t = dict(placement.terms)
    t["rate_pa"] = Decimal(t["rate_pa"])
    t["break_penalty_percent"] = Decimal(t["break_penalty_percent"])
    return BerjangkaTerms(**t)


def schedule_of(placement: BerjangkaPlacement) -> Any:
    return deposit_schedule(placement.principal, placement.placed_on, placement_terms(placement))


# ---- booking helpers ---------------------------------------------------------------------------------


def _lock_account(account_id: Any) -> SavingsAccount:
    return db.session.scalars(
        select(SavingsAccount)
        .where(SavingsAccount.id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _lock_placement(placement_id: Any) -> BerjangkaPlacement:
    return db.session.scalars(
        select(BerjangkaPlacement)
        .where(BerjangkaPlacement.id == placement_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _book(
    *,
    tenant: Tenant,
    actor: Any,
    on: date,
    memo: str,
    lines: list[LineSpec],
    key: str,
    moves: list[tuple[SavingsAccount, str, Decimal, str]],
) -> Any:
    """Post one entry and the savings transactions (account, kind, amount, channel) it mirrors."""
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(entry_on=on, lines=lines, memo=memo[:500], series="JM", source_type=SOURCE_TYPE),
        idempotency_key=key,
    )
    for account, kind, amount, channel in moves:
        account.balance = account.balance - amount if kind in OUTGOING else account.balance + amount
        db.session.add(
            SavingsTransaction(
                id=uuid7(),
                account_id=account.id,
                kind=kind,
                channel=channel,
                amount=amount,
                balance_after=account.balance,
                entry_on=on,
                memo=memo[:300],
                journal_entry_id=entry.id,
                idempotency_key=f"{key}:{kind}:{account.id}",
                created_by_id=getattr(actor, "id", None),
            )
        )
    db.session.flush()
    return entry


def _chart(tag: str, code: str) -> Account:
    return _required_account((tag,), code, code)


def _payout_side(
    placement: BerjangkaPlacement, amount: Decimal, member_id: Any, moves: list, kind: str = DEPOSIT
) -> list[LineSpec]:
    """Credit lines paying `amount` to the payout sukarela account, or to cash."""
    if amount <= 0:
        return []
    if placement.payout_account_id is not None:
        target = _lock_account(placement.payout_account_id)
        moves.append((target, kind, amount, INTERNAL))
        return [LineSpec(savings.control_account(SUKARELA).id, credit=amount, member_id=member_id)]
    return [LineSpec(savings.channel_account(CASH).id, credit=amount, member_id=member_id)]


# ---- placement ----------------------------------------------------------------------------------------


def place_deposit(
    *,
    tenant: Tenant,
    actor: Any,
    member: Member,
    product: SavingsProduct,
    amount: object,
    term_months: int,
    source: str = CASH,
    payout_account: SavingsAccount | None = None,
    on: date | None = None,
    idempotency_key: str | None = None,
) -> BerjangkaPlacement:
    """Place a time deposit for `member`, paid in cash/transfer or from their sukarela account
    (`source="sukarela"`, the payout account). Interest and the principal at maturity go to
    `payout_account` when given, else are paid in cash.

    Raises: ValidationError (amount, term, source, product), InsufficientFunds, Conflict.
    """
    require_scope(tenant)
    key = (idempotency_key or "").strip() or None
    if key is not None and (first := _placed_with(key)) is not None:
        return first
    if product.kind != BERJANGKA:
        raise ValidationError(
            _l("Choose a time deposit product."), fields={"product": [_l("Not a time deposit.")]}
        )
    try:
        principal = to_money(amount)
    except MoneyError:
        message = _l("Enter an amount in rupiah with at most 2 decimals (sen).")
        raise ValidationError(message, fields={"amount": [message]}) from None
    minimum = savings.product_param_money(product, "min_amount")
    if principal <= 0 or principal < minimum:
        message = _l("The deposit must be at least %(min)s.", min=f"Rp {minimum:,.0f}".replace(",", "."))
        raise ValidationError(message, fields={"amount": [message]})
    terms = terms_for(product, int(term_months))
    on = on or today_for(tenant)
    if payout_account is not None and (
        payout_account.member_id != member.id or payout_account.product.kind != SUKARELA
    ):
        message = _l("Interest is paid to one of the member's own sukarela accounts.")
        raise ValidationError(message, fields={"payout_account": [message]})
    if source not in (*CHANNELS, SOURCE_SUKARELA) or (source == SOURCE_SUKARELA and payout_account is None):
        message = _l("Choose cash, transfer or the member's sukarela account.")
        raise ValidationError(message, fields={"source": [message]})

    account = savings.open_account(tenant=tenant, actor=actor, member=member, product=product, on=on)
    placement = BerjangkaPlacement(
        id=uuid7(),
        account_id=account.id,
        payout_account_id=payout_account.id if payout_account else None,
        principal=principal,
        placed_on=on,
        maturity_on=on,
        terms=_terms_json(terms),
        periods_done=0,
        interest_paid=ZERO,
        interest_accrued=ZERO,
        status=ACTIVE,
    )
    placement.maturity_on = schedule_of(placement).maturity_on
    moves: list = [(account, DEPOSIT, principal, INTERNAL if source == SOURCE_SUKARELA else source)]
    berjangka = savings.control_account(BERJANGKA)
    if source == SOURCE_SUKARELA:
        funding = _lock_account(payout_account.id)  # type: ignore[union-attr]
        available = savings.available_balance(funding)
        if principal > available:
            message = _l(
                "Only %(available)s can be taken from the sukarela account.",
                available=f"Rp {available:,.0f}".replace(",", "."),
            )
            raise InsufficientFunds(message, fields={"amount": [message]})
        debit = LineSpec(savings.control_account(SUKARELA).id, debit=principal, member_id=member.id)
        moves.append((funding, WITHDRAWAL, principal, INTERNAL))
    else:
        debit = LineSpec(savings.channel_account(source).id, debit=principal, member_id=member.id)
    db.session.add(placement)
    _book(
        tenant=tenant,
        actor=actor,
        on=on,
        memo=f"Penempatan simpanan berjangka {account.account_no} a.n. {member.member_no} {member.name}",
        lines=[debit, LineSpec(berjangka.id, credit=principal, member_id=member.id)],
        key=key or f"berjangka:{placement.id}:place",
        moves=moves,
    )
    audit.record(
        "savings.berjangka.place",
        actor=actor,
        target=placement,
        summary={
            "account_no": account.account_no,
            "principal": str(principal),
            "term_months": terms.term_months,
            "maturity_on": placement.maturity_on.isoformat(),
        },
    )
    return placement


def _placed_with(key: str) -> BerjangkaPlacement | None:
    """The placement a repeated form submit already made (its entry carries the key)."""
    entry = find_by_idempotency_key(key)
    if entry is None:
        return None
    account_ids = select(SavingsTransaction.account_id).where(SavingsTransaction.journal_entry_id == entry.id)
    return db.session.scalars(
        select(BerjangkaPlacement)
        .where(BerjangkaPlacement.account_id.in_(account_ids))
        .order_by(BerjangkaPlacement.created_at.desc())
    ).first()


# ---- interest due and maturity --------------------------------------------------------------------------


@dataclass
class DuePaid:
    """What `post_due_interest` did; `by_member` is the month's interest paid (gross, tax)."""

    periods: int = 0
    matured: int = 0
    gross: Decimal = ZERO
    tax: Decimal = ZERO
    by_member: dict[Any, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.periods} interest periods, {self.matured} matured, interest {self.gross}, tax {self.tax}"
        )


def post_due_interest(
    *, tenant: Tenant, actor: Any, through: date, month: tuple[int, int] | None = None
) -> DuePaid:
    """Pay or accrue every month of every active deposit's term ending on or before `through`,
    and settle the deposits maturing by then. Interest paid within `month` is reported per member."""
    require_scope(tenant)
    result = DuePaid()
    per_member: dict[Any, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    ids = list(
        db.session.scalars(
            select(BerjangkaPlacement.id)
            .where(BerjangkaPlacement.status == ACTIVE)
            .order_by(BerjangkaPlacement.id)
        )
    )
    for placement_id in ids:
        placement = _lock_placement(placement_id)
        _advance(tenant, actor, placement, through, result, per_member, month)
    result.by_member = {k: (v[0], v[1]) for k, v in per_member.items()}
    return result


def _advance(
    tenant: Tenant,
    actor: Any,
    placement: BerjangkaPlacement,
    through: date,
    result: DuePaid,
    per_member: dict[Any, list[Decimal]],
    month: tuple[int, int] | None,
) -> None:
    schedule = schedule_of(placement)
    terms = schedule.terms
    account = _lock_account(placement.account_id)
    member_id = account.member_id
    for number, period in enumerate(schedule.periods, start=1):
        if number <= placement.periods_done or period.end > through:
            continue
        key = f"berjangka:{placement.id}:{number}"
        if terms.payout is Payout.MONTHLY:
            posting = next(p for p in schedule.postings if p.on == period.end)
            _pay_interest(
                tenant,
                actor,
                placement,
                posting.gross,
                posting.tax,
                period.end,
                key,
                accrued=ZERO,
                member_id=member_id,
            )
            if month is not None and (period.end.year, period.end.month) == month:
                per_member[member_id][0] += posting.gross
                per_member[member_id][1] += posting.tax
            result.gross += posting.gross
            result.tax += posting.tax
        else:
            _book(
                tenant=tenant,
                actor=actor,
                on=period.end,
                key=key,
                moves=[],
                memo=f"Akrual jasa simpanan berjangka {account.account_no} bulan ke-{number}",
                lines=[
                    LineSpec(
                        _chart("beban_jasa_berjangka", "5102").id, debit=period.gross, member_id=member_id
                    ),
                    LineSpec(
                        _chart("beban_ymh_dibayar", "2121").id, credit=period.gross, member_id=member_id
                    ),
                ],
            )
            placement.interest_accrued += period.gross
        placement.periods_done = number
        result.periods += 1
    if placement.periods_done == terms.term_months and schedule.maturity_on <= through:
        _mature(tenant, actor, placement, schedule, account, result, per_member, month)
    db.session.flush()


def _pay_interest(
    tenant: Tenant,
    actor: Any,
    placement: BerjangkaPlacement,
    gross: Decimal,
    tax: Decimal,
    on: date,
    key: str,
    *,
    accrued: Decimal,
    member_id: Any,
) -> None:
    """Pay interest: from expense (5102) or from what was accrued (2121), tax withheld."""
    if gross <= 0:
        return
    moves: list = []
    lines = []
    from_accrued = min(accrued, gross)
    if from_accrued > 0:
        lines.append(
            LineSpec(_chart("beban_ymh_dibayar", "2121").id, debit=from_accrued, member_id=member_id)
        )
    if gross - from_accrued > 0:
        lines.append(
            LineSpec(
                _chart("beban_jasa_berjangka", "5102").id, debit=gross - from_accrued, member_id=member_id
            )
        )
    if placement.payout_account_id is not None:
        lines += _payout_side(placement, gross, member_id, moves, kind=INTEREST)
        if tax > 0:
            target = moves[-1][0]
            moves.append((target, TAX, tax, INTERNAL))
            lines.append(LineSpec(savings.control_account(SUKARELA).id, debit=tax, member_id=member_id))
    else:
        lines += _payout_side(placement, gross - tax, member_id, moves)
    if tax > 0:
        lines.append(LineSpec(_chart("utang_pajak", "2122").id, credit=tax))
    _book(
        tenant=tenant,
        actor=actor,
        on=on,
        key=key,
        moves=moves,
        lines=lines,
        memo=f"Jasa simpanan berjangka {placement.placed_on:%d-%m-%Y} s.d. {on:%d-%m-%Y}",
    )
    placement.interest_paid += gross


def _mature(
    tenant: Tenant,
    actor: Any,
    placement: BerjangkaPlacement,
    schedule: Any,
    account: SavingsAccount,
    result: DuePaid,
    per_member: dict[Any, list[Decimal]],
    month: tuple[int, int] | None,
) -> None:
    terms = schedule.terms
    on = schedule.maturity_on
    member_id = account.member_id
    if terms.payout is Payout.AT_MATURITY:
        posting = schedule.postings[-1]
        rolls_interest = terms.maturity_instruction is MaturityInstruction.ROLLOVER_WITH_INTEREST
        if rolls_interest:
            # The net interest joins the principal: Dr 2121 / Cr 2102 net / Cr 2122 tax.
            moves = [(account, INTEREST, posting.net, INTERNAL)]
            lines = [
                LineSpec(_chart("beban_ymh_dibayar", "2121").id, debit=posting.gross, member_id=member_id),
                LineSpec(savings.control_account(BERJANGKA).id, credit=posting.net, member_id=member_id),
            ]
            if posting.tax > 0:
                lines.append(LineSpec(_chart("utang_pajak", "2122").id, credit=posting.tax))
            _book(
                tenant=tenant,
                actor=actor,
                on=on,
                key=f"berjangka:{placement.id}:interest",
                moves=moves,
                lines=lines,
                memo=f"Jasa simpanan berjangka {account.account_no} ditambahkan ke pokok",
            )
            placement.interest_paid += posting.gross
        else:
            _pay_interest(
                tenant,
                actor,
                placement,
                posting.gross,
                posting.tax,
                on,
                f"berjangka:{placement.id}:interest",
                accrued=placement.interest_accrued,
                member_id=member_id,
            )
        if month is not None and (on.year, on.month) == month:
            per_member[member_id][0] += posting.gross
            per_member[member_id][1] += posting.tax
        result.gross += posting.gross
        result.tax += posting.tax
    placement.ended_on = on
    result.matured += 1
    if terms.maturity_instruction is MaturityInstruction.TRANSFER:
        _pay_principal(tenant, actor, placement, account, account.balance, on, "maturity")
        placement.status = MATURED
        return
    placement.status = ROLLED
    new_principal = account.balance  # principal, plus net interest when it rolled with it
    renewal = BerjangkaPlacement(
        id=uuid7(),
        account_id=account.id,
        payout_account_id=placement.payout_account_id,
        principal=new_principal,
        placed_on=on,
        maturity_on=on,
        terms=dict(placement.terms),
        periods_done=0,
        interest_paid=ZERO,
        interest_accrued=ZERO,
        status=ACTIVE,
    )
    renewal.maturity_on = schedule_of(renewal).maturity_on
    db.session.add(renewal)
    db.session.flush()
    audit.record(
        "savings.berjangka.rollover",
        actor=actor,
        target=renewal,
        summary={"principal": str(new_principal), "maturity_on": renewal.maturity_on.isoformat()},
    )


def _pay_principal(
    tenant: Tenant,
    actor: Any,
    placement: BerjangkaPlacement,
    account: SavingsAccount,
    amount: Decimal,
    on: date,
    step: str,
    penalty: Decimal = ZERO,
) -> None:
    member_id = account.member_id
    moves: list = [(account, WITHDRAWAL, amount, INTERNAL)]
    lines = [LineSpec(savings.control_account(BERJANGKA).id, debit=amount, member_id=member_id)]
    if penalty > 0:
        lines.append(
            LineSpec(_required_account(FEE_INCOME_TAGS, FEE_INCOME_CODE, "penalty income").id, credit=penalty)
        )
    lines += _payout_side(placement, amount - penalty, member_id, moves)
    _book(
        tenant=tenant,
        actor=actor,
        on=on,
        key=f"berjangka:{placement.id}:{step}",
        moves=moves,
        lines=lines,
        memo=f"Pencairan simpanan berjangka {account.account_no}",
    )
    account.status = CLOSED
    account.closed_on = on


# ---- early break ---------------------------------------------------------------------------------------


def break_placement(
    *, tenant: Tenant, actor: Any, placement: BerjangkaPlacement, on: date | None = None
) -> BreakSettlement:
    """Break a deposit before maturity with the product's penalty (a manager's action).

    Raises: PermissionDenied (not a manager), Conflict (not active), ValidationError (date).
    """
    require_scope(tenant)
    if not is_manager(actor, tenant):
        raise PermissionDenied(_l("Only a manager may break a time deposit before maturity."))
    placement = _lock_placement(placement.id)
    if placement.status != ACTIVE:
        raise Conflict(_l("This time deposit has already ended."), code="placement_ended")
    on = on or today_for(tenant)
    schedule = schedule_of(placement)
    settlement = break_deposit(schedule, on)  # validates the date first
    result = DuePaid()
    _advance(tenant, actor, placement, on, result, defaultdict(lambda: [ZERO, ZERO]), None)
    account = _lock_account(placement.account_id)
    member_id = account.member_id
    key = f"berjangka:{placement.id}:break"
    accrued_now = placement.interest_accrued - (
        placement.interest_paid if schedule.terms.payout is Payout.AT_MATURITY else ZERO
    )
    if settlement.interest_gross > 0:
        _pay_interest(
            tenant,
            actor,
            placement,
            settlement.interest_gross,
            settlement.interest_tax,
            on,
            key + ":interest",
            accrued=max(accrued_now, ZERO),
            member_id=member_id,
        )
        accrued_now -= min(max(accrued_now, ZERO), settlement.interest_gross)
    if accrued_now > 0:  # accrued months the break forfeits go back to expense
        _book(
            tenant=tenant,
            actor=actor,
            on=on,
            key=key + ":unaccrue",
            moves=[],
            memo=f"Batal akrual jasa simpanan berjangka {account.account_no}",
            lines=[
                LineSpec(_chart("beban_ymh_dibayar", "2121").id, debit=accrued_now, member_id=member_id),
                LineSpec(_chart("beban_jasa_berjangka", "5102").id, credit=accrued_now, member_id=member_id),
            ],
        )
    _pay_principal(
        tenant, actor, placement, account, settlement.principal, on, "break", penalty=settlement.penalty
    )
    placement.status = BROKEN
    placement.ended_on = on
    db.session.flush()
    audit.record(
        "savings.berjangka.break",
        actor=actor,
        target=placement,
        summary={"penalty": str(settlement.penalty), "paid_out": str(settlement.paid_out)},
    )
    return settlement


def placements(status: str | None = None) -> list[tuple[BerjangkaPlacement, SavingsAccount]]:
    query = (
        select(BerjangkaPlacement, SavingsAccount)
        .join(
            SavingsAccount,
            (SavingsAccount.tenant_id == BerjangkaPlacement.tenant_id)
            & (SavingsAccount.id == BerjangkaPlacement.account_id),
        )
        .order_by(BerjangkaPlacement.maturity_on, SavingsAccount.account_no)
    )
    if status:
        query = query.where(BerjangkaPlacement.status == status)
    return [(p, a) for p, a in db.session.execute(query)]
