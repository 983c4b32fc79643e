"""Passbook printing (*cetak buku tabungan*): the not-yet-printed transactions of a savings account,
placed where printing continues on the member's physical book.

The book: pages of `lines_per_page` lines (tenant setting `passbook_lines_per_page`, default 24,
from 6 to 60) below a header area the book's publisher prints (title, column headings) and we
never print on, except the page number on a fresh page. Page geometry, in millimetres:

    width PAGE_WIDTH_MM (150); header area HEADER_MM (32) from the top edge; then one line every
    LINE_MM (6); a bottom margin BOTTOM_MM (10). Page height = 32 + 6 x lines_per_page + 10
    (176 mm for 24 lines). Line n of a page has its top edge at HEADER_MM + (n - 1) x LINE_MM.

Each line: date (dd/mm/yy), code (SETOR deposit, TARIK withdrawal, BUNGA interest, PAJAK tax on
interest, ADMIN admin fee; SALDO the balance brought forward into a new book), debit (money out),
credit (money in), balance after the line, and the initials of the user who recorded it (SYS for
the month-end and other system postings).

Order: posting order, i.e. the order transactions were recorded (`created_at`, then the
time-ordered id), not their business date; the running balance is recomputed along that order
from the printed part, so the last line's balance is the account balance.

Position (`Passbook`, one row per account): the last transaction printed and the page and line it
landed on. A print makes the PDF from the stored position and changes nothing; staff then confirm
"printed OK" naming the last transaction printed and the position the PDF started from, and only
then the position advances (a jammed print is printed again; a confirmation made stale by another
confirmation is refused). A manager may reset the position: to reprint from a chosen transaction at
a chosen page and line, or to start a new book (page 1, with the balance brought forward). Both are
audited.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from coopsaas.auth.models import User
from coopsaas.core import audit
from coopsaas.core.db import utcnow
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.errors import Conflict, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import is_manager, require_scope
from coopsaas.pdf.base import CoopDocument, angka
from coopsaas.savings.models import (
    ADMISSION,
    DEPOSIT,
    FEE,
    INTEREST,
    TAX,
    WITHDRAWAL,
    ZERO,
    SavingsAccount,
    SavingsTransaction,
)
from coopsaas.savings.models_passbook import Passbook
from coopsaas.tenancy.models import Tenant

SETTING_KEY = "passbook_lines_per_page"
DEFAULT_LINES_PER_PAGE = 24
MIN_LINES, MAX_LINES = 6, 60
PAGE_WIDTH_MM = 150.0
HEADER_MM = 32.0
LINE_MM = 6.0
BOTTOM_MM = 10.0
LEFT_MM = 8.0
# date, code, debit, credit, balance, initials
COLUMNS_MM = (17.0, 15.0, 30.0, 30.0, 32.0, 12.0)
FONT_PT = 8.5

CODES = {
    DEPOSIT: "SETOR",
    ADMISSION: "SETOR",
    WITHDRAWAL: "TARIK",
    INTEREST: "BUNGA",
    TAX: "PAJAK",
    FEE: "ADMIN",
}
CARRY_CODE = "SALDO"
SYSTEM_INITIALS = "SYS"


@dataclass(frozen=True)
class Position:
    """Where the book stands: the last printed line is `line_no` of `page_no` (0: page untouched)."""

    book_no: int = 1
    page_no: int = 1
    line_no: int = 0
    last_transaction_id: uuid.UUID | None = None
    carry_forward: bool = False


@dataclass(frozen=True)
class PassbookLine:
    page_no: int
    line_no: int
    entry_on: date
    code: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    initials: str
    transaction_id: uuid.UUID | None  # None for the brought-forward line


@dataclass(frozen=True)
class PrintRun:
    """A print from `start`: the lines it places and the position after them."""

    account: SavingsAccount
    start: Position
    end: Position
    lines: list[PassbookLine]
    lines_per_page: int

    @property
    def through_transaction_id(self) -> uuid.UUID | None:
        return next((ln.transaction_id for ln in reversed(self.lines) if ln.transaction_id), None)

    @property
    def pages(self) -> list[int]:
        return sorted({ln.page_no for ln in self.lines})


def lines_per_page(tenant: Tenant) -> int:
    raw = (tenant.settings or {}).get(SETTING_KEY)
    try:
        value = int(raw) if raw is not None else DEFAULT_LINES_PER_PAGE
    except (TypeError, ValueError):
        return DEFAULT_LINES_PER_PAGE
    return value if MIN_LINES <= value <= MAX_LINES else DEFAULT_LINES_PER_PAGE


def next_slot(position: Position, per_page: int) -> tuple[int, int]:
    """The page and line the next printed line lands on."""
    if position.line_no >= per_page:
        return position.page_no + 1, 1
    return position.page_no, position.line_no + 1


def page_height_mm(lines: int) -> float:
    return HEADER_MM + LINE_MM * lines + BOTTOM_MM


def line_top_mm(line_no: int) -> float:
    return HEADER_MM + (line_no - 1) * LINE_MM


def initials(full_name: str | None) -> str:
    words = re.findall(r"[^\W\d_]+", full_name or "")
    return "".join(w[0] for w in words[:3]).upper() or SYSTEM_INITIALS


# ---- pure layout ----------------------------------------------------------------------------------


def layout(
    start: Position,
    opening: Decimal,
    transactions: Sequence[SavingsTransaction],
    per_page: int,
    initials_of: Callable[[SavingsTransaction], str],
    carry_on: date | None = None,
) -> tuple[list[PassbookLine], Position]:
    """Place the transactions after `start`: the next free line, then a new page at line 1 when a
    page is full. `opening` is the balance after the last printed line."""
    page, line = start.page_no, start.line_no
    balance = opening
    out: list[PassbookLine] = []

    def advance() -> tuple[int, int]:
        nonlocal page, line
        if line >= per_page:
            page, line = page + 1, 1
        else:
            line += 1
        return page, line

    if start.carry_forward and transactions:
        p, n = advance()
        on = carry_on or transactions[0].entry_on
        out.append(PassbookLine(p, n, on, CARRY_CODE, ZERO, ZERO, balance, "", None))
    last = start.last_transaction_id
    for t in transactions:
        p, n = advance()
        signed = t.signed_amount
        balance += signed
        out.append(
            PassbookLine(
                page_no=p,
                line_no=n,
                entry_on=t.entry_on,
                code=CODES.get(t.kind, t.kind.upper()[:6]),
                debit=-signed if signed < 0 else ZERO,
                credit=signed if signed > 0 else ZERO,
                balance=balance,
                initials=initials_of(t),
                transaction_id=t.id,
            )
        )
        last = t.id
    end = replace(
        start,
        page_no=page,
        line_no=line,
        last_transaction_id=last,
        carry_forward=start.carry_forward and not transactions,
    )
    return out, end


# ---- reading the account ---------------------------------------------------------------------------


def _row(account: SavingsAccount, *, lock: bool = False) -> Passbook | None:
    stmt = select(Passbook).where(Passbook.account_id == account.id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(stmt).one_or_none()


def position_of(account: SavingsAccount) -> Position:
    row = _row(account)
    if row is None:
        return Position()
    return Position(row.book_no, row.page_no, row.line_no, row.last_transaction_id, row.carry_forward)


def transactions_in_posting_order(account: SavingsAccount) -> list[SavingsTransaction]:
    return list(
        db.session.scalars(
            select(SavingsTransaction)
            .where(SavingsTransaction.account_id == account.id)
            .order_by(SavingsTransaction.created_at, SavingsTransaction.id)
        )
    )


def _split(
    account: SavingsAccount, position: Position
) -> tuple[Decimal, list[SavingsTransaction], list[SavingsTransaction]]:
    """(balance after the printed part, printed, not yet printed)."""
    rows = transactions_in_posting_order(account)
    cut = 0
    if position.last_transaction_id is not None:
        ids = [t.id for t in rows]
        if position.last_transaction_id in ids:
            cut = ids.index(position.last_transaction_id) + 1
    printed, pending = rows[:cut], rows[cut:]
    return sum((t.signed_amount for t in printed), ZERO), printed, pending


def _initials_lookup(rows: Sequence[SavingsTransaction]) -> Callable[[SavingsTransaction], str]:
    user_ids = {t.created_by_id for t in rows if t.created_by_id is not None}
    names: dict[Any, str] = {}
    if user_ids:
        names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())

    def lookup(t: SavingsTransaction) -> str:
        if t.created_by_id is None:
            return SYSTEM_INITIALS
        return initials(names.get(t.created_by_id))

    return lookup


def print_run(
    tenant: Tenant, account: SavingsAccount, start: Position | None = None, through: uuid.UUID | None = None
) -> PrintRun:
    """What printing now puts on the book (no writes); with `through`, only up to that transaction
    (the one the page showing the print named, so a later deposit waits for the next print).

    Raises: Conflict (`through` is no longer waiting to be printed)."""
    require_scope(tenant)
    start = start or position_of(account)
    opening, _printed, pending = _split(account, start)
    if through is not None:
        ids = [t.id for t in pending]
        if through not in ids:
            raise Conflict(
                _l("The passbook position changed since this page was shown; open it again."),
                code="position_changed",
            )
        pending = pending[: ids.index(through) + 1]
    per_page = lines_per_page(tenant)
    lines, end = layout(start, opening, pending, per_page, _initials_lookup(pending))
    return PrintRun(account=account, start=start, end=end, lines=lines, lines_per_page=per_page)


# ---- the PDF ---------------------------------------------------------------------------------------


class _PassbookPage(CoopDocument):
    """A bare page the size of the book: no letterhead, no footer, nothing outside the lines."""

    def header(self) -> None:
        pass

    def footer(self) -> None:
        pass


def passbook_pdf(run: PrintRun, *, coop_name: str) -> bytes:
    """The run as a PDF the size of a passbook page, one PDF page per book page touched. Lines sit
    at their place on the page (blank above for lines already printed). Same data, same bytes."""
    if not run.lines:
        raise Conflict(_l("Everything in this passbook is printed already."), code="nothing_to_print")
    height = page_height_mm(run.lines_per_page)
    doc = _PassbookPage(
        coop_name=coop_name,
        title=f"Buku tabungan {run.account.account_no}",
        format=(PAGE_WIDTH_MM, height),
    )
    doc.set_auto_page_break(auto=False)
    doc.set_margins(LEFT_MM, 0, 0)
    places = (
        2
        if any(v != v.to_integral_value() for ln in run.lines for v in (ln.debit, ln.credit, ln.balance))
        else 0
    )
    current_page = None
    for ln in run.lines:
        if ln.page_no != current_page:
            doc.add_page()
            current_page = ln.page_no
            if ln.line_no == 1:
                doc.set_font("DejaVu", "", 7)
                doc.set_xy(LEFT_MM, HEADER_MM - 7)
                doc.cell(sum(COLUMNS_MM), 5, f"Buku {run.start.book_no} - Halaman {ln.page_no}", align="R")
        doc.set_font("DejaVu", "", FONT_PT)
        doc.set_xy(LEFT_MM, line_top_mm(ln.line_no))
        cells = (
            (ln.entry_on.strftime("%d/%m/%y"), "L"),
            (ln.code, "L"),
            (angka(ln.debit, places) if ln.debit else "", "R"),
            (angka(ln.credit, places) if ln.credit else "", "R"),
            (angka(ln.balance, places), "R"),
            (ln.initials, "C"),
        )
        for (text, align), width in zip(cells, COLUMNS_MM, strict=True):
            doc.cell(width, LINE_MM, text, align=align)
    return doc.render()


# ---- confirming and resetting ------------------------------------------------------------------------


def _store(
    tenant: Tenant, actor: Any, account: SavingsAccount, row: Passbook | None, pos: Position
) -> Passbook:
    if row is None:
        row = Passbook(id=uuid7(), account_id=account.id)
        db.session.add(row)
    row.book_no, row.page_no, row.line_no = pos.book_no, pos.page_no, pos.line_no
    row.last_transaction_id = pos.last_transaction_id
    row.carry_forward = pos.carry_forward
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = utcnow()
    db.session.flush()
    return row


def _summary(pos: Position) -> dict[str, Any]:
    return {
        "book": pos.book_no,
        "page": pos.page_no,
        "line": pos.line_no,
        "last_transaction_id": str(pos.last_transaction_id) if pos.last_transaction_id else None,
    }


def confirm_print(
    *,
    tenant: Tenant,
    actor: Any,
    account: SavingsAccount,
    started_from: Position,
    through_transaction_id: uuid.UUID,
) -> Position:
    """Staff saw the print come out right: advance the position past `through_transaction_id`.

    `started_from` is the position the confirmed PDF was made from. Confirming the same print twice
    changes nothing. Raises: Conflict (the position moved since that print), ValidationError (the
    transaction was not in that print)."""
    require_scope(tenant)
    row = _row(account, lock=True)
    current = (
        Position()
        if row is None
        else Position(row.book_no, row.page_no, row.line_no, row.last_transaction_id, row.carry_forward)
    )
    if current != started_from:
        if current.last_transaction_id == through_transaction_id:
            return current  # this print was confirmed already
        raise Conflict(
            _l("The passbook position changed since this print was made; print again."),
            code="position_changed",
        )
    run = print_run(tenant, account, current)
    ids = [ln.transaction_id for ln in run.lines]
    if through_transaction_id not in ids:
        message = _l("That transaction is not in this print.")
        raise ValidationError(message, fields={"through_transaction_id": [message]})
    upto = run.lines[: ids.index(through_transaction_id) + 1]
    last = upto[-1]
    end = replace(
        current,
        page_no=last.page_no,
        line_no=last.line_no,
        last_transaction_id=through_transaction_id,
        carry_forward=False,
    )
    _store(tenant, actor, account, row, end)
    audit.record(
        "savings.passbook.print",
        actor=actor,
        target=account,
        summary={
            "account_no": account.account_no,
            "lines": len(upto),
            "from": _summary(current),
            "to": _summary(end),
        },
    )
    return end


def reset_position(
    *,
    tenant: Tenant,
    actor: Any,
    account: SavingsAccount,
    new_book: bool = False,
    from_transaction_id: uuid.UUID | None = None,
    page_no: int | None = None,
    line_no: int | None = None,
) -> Position:
    """A manager moves the position: `new_book` starts the next book at page 1 (the balance brought
    forward prints first); otherwise printing restarts at `from_transaction_id`, which will land on
    `page_no`, `line_no`.

    Raises: PermissionDenied (not a manager), ValidationError (transaction not of this account,
    page or line out of range)."""
    require_scope(tenant)
    if not is_manager(actor, tenant):
        raise PermissionDenied(_l("Only a manager may reset a passbook's print position."))
    row = _row(account, lock=True)
    current = (
        Position()
        if row is None
        else Position(row.book_no, row.page_no, row.line_no, row.last_transaction_id, row.carry_forward)
    )
    per_page = lines_per_page(tenant)
    if new_book:
        after = Position(
            book_no=current.book_no + 1,
            page_no=1,
            line_no=0,
            last_transaction_id=current.last_transaction_id,
            carry_forward=current.last_transaction_id is not None,
        )
    else:
        rows = transactions_in_posting_order(account)
        ids = [t.id for t in rows]
        if from_transaction_id not in ids:
            message = _l("Choose a transaction of this account.")
            raise ValidationError(message, fields={"from_transaction_id": [message]})
        if page_no is None or page_no < 1 or page_no > 999:
            message = _l("The page is a number from 1 to 999.")
            raise ValidationError(message, fields={"page_no": [message]})
        if line_no is None or not 1 <= line_no <= per_page:
            message = _l("The line is a number from 1 to %(n)s.", n=per_page)
            raise ValidationError(message, fields={"line_no": [message]})
        index = ids.index(from_transaction_id)  # type: ignore[arg-type]
        after = Position(
            book_no=current.book_no,
            page_no=page_no,
            line_no=line_no - 1,
            last_transaction_id=ids[index - 1] if index > 0 else None,
            carry_forward=False,
        )
    _store(tenant, actor, account, row, after)
    audit.record(
        "savings.passbook.reset",
        actor=actor,
        target=account,
        summary={
            "account_no": account.account_no,
            "new_book": new_book,
            "from": _summary(current),
            "to": _summary(after),
        },
    )
    return after
