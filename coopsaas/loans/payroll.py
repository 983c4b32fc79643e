"""Payroll deduction (*potong gaji*) for employee cooperatives.

For a month and an employer (the member's `employer` field) the deduction list gives, per member,
the loan instalments due by the end of the month (arrears included), the simpanan wajib due
(savings.wajib) and the shop credit owed (retail.credit.payroll_list). It is exported as XLSX with
an empty *confirmed amount* column; the employer fills it in and the file comes back.

Importing the confirmed file posts every row in one batch, dated the payroll date, through the
services (loans.repayments.repay, savings.services.deposit, retail.credit.pay_credit) with the bank
(1102) as the cash side, since the employer pays by transfer. A confirmed amount pays the loans
first (oldest loan number first), then simpanan wajib, then shop credit.

All or nothing: a row with an error (unknown member number, member of another employer, a
confirmed amount that is not a whole number of sen or is more than due, due columns that no longer
match what is owed, a member listed twice) refuses the whole file with a row/column report, and
nothing is posted. Rows confirmed below what is due are posted as partial payments and listed.
A `PayrollBatch` row per employer and month keeps the file's SHA-256: the same file again posts
nothing; a different file for a month already posted is refused.

Services flush and never commit; the page, API and CLI commit.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import format_rupiah
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import require_scope
from coopsaas.loans import repayments
from coopsaas.loans.disbursement import instalments_of
from coopsaas.loans.models import ACTIVE, Loan
from coopsaas.loans.payroll_models import PayrollBatch
from coopsaas.members.models import Member
from coopsaas.retail import credit
from coopsaas.savings import services as savings
from coopsaas.savings import teller
from coopsaas.savings.models import OPEN, TRANSFER, WAJIB
from coopsaas.tenancy.models import Tenant

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# The stable layout of the file: meta values in column B, the table from row 7.
META_ROWS = {"tenant": 2, "employer": 3, "month": 4, "payroll_on": 5}
HEADER_ROW = 7
FIRST_ROW = 8
COLUMNS = ("A", "B", "C", "D", "E", "F", "G", "H")
COL_MEMBER, COL_NAME, COL_LOANS, COL_LOAN, COL_WAJIB, COL_SHOP, COL_TOTAL, COL_CONFIRMED = range(8)


class PayrollFileRejected(ValidationError):
    """The confirmed file has errors; nothing was posted. `problems`: (row, column, message)."""

    code = "payroll_file_rejected"

    def __init__(self, problems: list[tuple[int | None, str | None, str]]):
        self.problems = problems
        lines = [_where(row, column) + text for row, column, text in problems]
        message = _l("The file was refused and nothing was posted:") + " " + "; ".join(lines)
        super().__init__(message, fields={"file": lines})


def _where(row: int | None, column: str | None) -> str:
    if row is None:
        return ""
    if column is None:
        return str(_l("row %(row)s: ", row=row))
    return str(_l("row %(row)s, column %(column)s: ", row=row, column=column))


# ---- the deduction list -----------------------------------------------------------------------------


@dataclass
class LoanDue:
    loan: Loan
    due: Decimal


@dataclass
class DeductionRow:
    member: Member
    loans: list[LoanDue] = field(default_factory=list)
    wajib_account: Any = None
    wajib: Decimal = ZERO
    shop: Decimal = ZERO

    @property
    def loan_due(self) -> Decimal:
        return sum((item.due for item in self.loans), ZERO)

    @property
    def loan_numbers(self) -> str:
        return ", ".join(item.loan.loan_no for item in self.loans)

    @property
    def total(self) -> Decimal:
        return self.loan_due + self.wajib + self.shop


def _norm(employer: str | None) -> str:
    return " ".join((employer or "").split()).casefold()


def employers() -> list[str]:
    """The employers named on active members, for the page's choice."""
    names = db.session.scalars(
        select(Member.employer).where(Member.status == "active", Member.employer.is_not(None)).distinct()
    ).all()
    seen: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if clean:
            seen.setdefault(clean.casefold(), clean)
    return sorted(seen.values(), key=str.casefold)


def default_payroll_on(month: str) -> date:
    return credit.month_bounds(month)[1]


def _check_employer(employer: str | None) -> str:
    clean = " ".join((employer or "").split())
    if not clean:
        message = _l("Name the employer.")
        raise ValidationError(message, fields={"employer": [message]})
    return clean


def deduction_list(
    tenant: Tenant, *, employer: str, month: str, payroll_on: date | None = None
) -> list[DeductionRow]:
    """What each active member working for `employer` owes by the end of `month`, by member number:
    the loan instalments due by then with their late penalty up to the payroll date (the last day
    of the month by default), so the list exported and the file imported on that date agree.
    Members owing nothing are left out. Raises: ValidationError (month, employer)."""
    require_scope(tenant)
    employer = _check_employer(employer)
    _first, last = credit.month_bounds(month)
    members = [
        m
        for m in db.session.scalars(
            select(Member)
            .where(Member.status == "active", Member.employer.is_not(None))
            .order_by(Member.member_no)
        )
        if _norm(m.employer) == _norm(employer)
    ]
    if not members:
        return []
    ids = [m.id for m in members]
    loans: dict[Any, list[Loan]] = {}
    for loan in db.session.scalars(
        select(Loan).where(Loan.member_id.in_(ids), Loan.status == ACTIVE).order_by(Loan.loan_no)
    ):
        loans.setdefault(loan.member_id, []).append(loan)
    shop: dict[Any, Decimal] = {}
    for group in credit.payroll_list(month):
        for prow in group.rows:
            shop[prow.member_id] = prow.credit
    rows = []
    for member in members:
        row = DeductionRow(member)
        for loan in loans.get(member.id, []):
            due = repayments.owed_on(loan, last, instalments_of(loan, payroll_on or last)).overdue
            if due > 0:
                row.loans.append(LoanDue(loan, due))
        wajib = next(
            (a for a in savings.accounts_of(member) if a.product.kind == WAJIB and a.status == OPEN), None
        )
        if wajib is not None:
            row.wajib_account = wajib
            row.wajib = max(savings.wajib_arrears(tenant, wajib, as_of=last).arrears_amount, ZERO)
        owed_now = credit.credit_row(member.id)
        row.shop = min(shop.get(member.id, ZERO), owed_now.outstanding if owed_now is not None else ZERO)
        row.shop = max(row.shop, ZERO)
        if row.total > 0:
            rows.append(row)
    return rows


# ---- export -----------------------------------------------------------------------------------------


def _number(amount: Decimal) -> int | Decimal:
    return int(amount) if amount == amount.to_integral_value() else amount


def export_xlsx(tenant: Tenant, *, employer: str, month: str, payroll_on: date | None = None) -> bytes:
    """The deduction list of `employer` for `month` as XLSX (layout above). Raises: ValidationError."""
    employer = _check_employer(employer)
    payroll_on = payroll_on or default_payroll_on(month)
    rows = deduction_list(tenant, employer=employer, month=month, payroll_on=payroll_on)
    book = Workbook()
    sheet = book.active
    sheet.title = "Potong gaji"
    sheet["A1"] = str(_l("Payroll deduction list"))
    sheet["A1"].font = Font(bold=True, size=13)
    labels = {
        "tenant": _l("Cooperative"),
        "employer": _l("Employer"),
        "month": _l("Month"),
        "payroll_on": _l("Payroll date"),
    }
    values = {
        "tenant": tenant.slug,
        "employer": employer,
        "month": month,
        "payroll_on": payroll_on.isoformat(),
    }
    for key, row in META_ROWS.items():
        sheet[f"A{row}"] = str(labels[key])
        sheet[f"B{row}"] = values[key]
    headers = (
        _l("Member no."),
        _l("Name"),
        _l("Loan no."),
        _l("Loan instalments"),
        _l("Simpanan wajib"),
        _l("Shop credit"),
        _l("Total due"),
        _l("Confirmed amount"),
    )
    for index, label in enumerate(headers):
        cell = sheet.cell(row=HEADER_ROW, column=index + 1, value=str(label))
        cell.font = Font(bold=True)
    number = 0
    for number, row in enumerate(rows):
        line = FIRST_ROW + number
        values_row = (
            row.member.member_no,
            row.member.name,
            row.loan_numbers,
            _number(row.loan_due),
            _number(row.wajib),
            _number(row.shop),
            _number(row.total),
            None,
        )
        for index, value in enumerate(values_row):
            sheet.cell(row=line, column=index + 1, value=value)
    total_line = FIRST_ROW + (number + 1 if rows else 0) + 1
    sheet.cell(row=total_line, column=2, value=str(_l("Total")))
    sheet.cell(row=total_line, column=7, value=_number(sum((r.total for r in rows), ZERO)))
    for letter, width in zip(COLUMNS, (14, 30, 24, 18, 16, 14, 16, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    for line in range(FIRST_ROW, total_line + 1):
        for column in range(4, 9):
            sheet.cell(row=line, column=column).number_format = "#,##0"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- import -----------------------------------------------------------------------------------------


@dataclass
class PostedRow:
    member_no: str
    name: str
    due: Decimal
    confirmed: Decimal
    loans: Decimal
    wajib: Decimal
    shop: Decimal

    @property
    def shortfall(self) -> Decimal:
        return self.due - self.confirmed


@dataclass
class ImportResult:
    batch: PayrollBatch
    already_imported: bool
    rows: list[PostedRow]
    missing: list[tuple[str, str, Decimal]]  # members due but not in the file: (no, name, due)

    @property
    def partial(self) -> list[PostedRow]:
        return [r for r in self.rows if r.confirmed < r.due]


def _amount_in(value: Any) -> Decimal | None:
    """A cell as money: None when empty; raises ValueError when not a non-negative amount in sen."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation:
        raise ValueError from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise ValueError
    return amount.quantize(CENT)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


@dataclass
class _FileRow:
    line: int
    member_no: str
    cells: tuple[Any, ...]


def _read(content: bytes) -> tuple[dict[str, str], list[_FileRow]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise PayrollFileRejected([(None, None, str(_l("The file is not an XLSX workbook.")))]) from None
    sheet = book.worksheets[0]
    meta: dict[str, str] = {}
    rows: list[_FileRow] = []
    for line, cells in enumerate(sheet.iter_rows(min_row=1, max_col=8, values_only=True), start=1):
        cells = tuple(cells) + (None,) * (8 - len(cells))
        for key, meta_row in META_ROWS.items():
            if line == meta_row:
                meta[key] = _text(cells[1])
        if line >= FIRST_ROW:
            member_no = _text(cells[COL_MEMBER])
            if not member_no:
                break
            rows.append(_FileRow(line, member_no, cells))
    book.close()
    return meta, rows


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def import_confirmed(tenant: Tenant, *, actor: Any, content: bytes) -> ImportResult:
    """Post the employer's confirmed file (see the module text). Raises: PayrollFileRejected (with
    every problem found), ValidationError (payroll date), Conflict (another file already posted for
    the employer and month), and the services' errors."""
    require_scope(tenant)
    if not content:
        raise PayrollFileRejected([(None, None, str(_l("The file is empty.")))])
    digest = hashlib.sha256(content).hexdigest()
    meta, file_rows = _read(content)
    problems: list[tuple[int | None, str | None, str]] = []
    if meta.get("tenant") != tenant.slug:
        problems.append(
            (
                META_ROWS["tenant"],
                "B",
                str(_l("the file is for cooperative %(slug)s.", slug=meta.get("tenant") or "-")),
            )
        )
    employer = meta.get("employer", "")
    if not employer:
        problems.append((META_ROWS["employer"], "B", str(_l("the employer is missing."))))
    month = meta.get("month", "")
    try:
        credit.month_bounds(month)
    except ValidationError:
        problems.append((META_ROWS["month"], "B", str(_l("give the month as YYYY-MM."))))
        month = ""
    payroll_on = _parse_day(meta.get("payroll_on", ""))
    if payroll_on is None:
        problems.append((META_ROWS["payroll_on"], "B", str(_l("give the payroll date as YYYY-MM-DD."))))
    if not file_rows and not problems:
        problems.append((FIRST_ROW, "A", str(_l("the file lists no member."))))
    if problems:
        raise PayrollFileRejected(problems)
    assert payroll_on is not None

    existing = db.session.scalars(
        select(PayrollBatch).where(
            func.lower(PayrollBatch.employer) == employer.lower(), PayrollBatch.month == month
        )
    ).first()
    if existing is not None:
        if existing.file_sha256 == digest:
            return ImportResult(existing, True, _rows_of(existing), _missing_of(existing))
        raise Conflict(
            _l(
                "The payroll deduction of %(employer)s for %(month)s was already posted on %(day)s "
                "from another file; nothing was posted.",
                employer=employer,
                month=month,
                day=existing.created_at.date().isoformat(),
            ),
            code="payroll_already_posted",
        )
    teller.check_entry_date(tenant, payroll_on, field="payroll_on")

    due_rows = {
        r.member.member_no: r
        for r in deduction_list(tenant, employer=employer, month=month, payroll_on=payroll_on)
    }
    members_by_no = {
        m.member_no: m
        for m in db.session.scalars(
            select(Member).where(Member.member_no.in_([r.member_no for r in file_rows]))
        )
    }
    seen: set[str] = set()
    plan: list[tuple[DeductionRow, Decimal]] = []
    for frow in file_rows:
        line, cells = frow.line, frow.cells
        member = members_by_no.get(frow.member_no)
        if member is None:
            problems.append((line, "A", str(_l("member number %(no)s is unknown.", no=frow.member_no))))
            continue
        if frow.member_no in seen:
            problems.append((line, "A", str(_l("member %(no)s is listed twice.", no=frow.member_no))))
            continue
        seen.add(frow.member_no)
        if _norm(member.employer) != _norm(employer):
            problems.append(
                (
                    line,
                    "A",
                    str(
                        _l(
                            "member %(no)s %(name)s does not work for %(employer)s.",
                            no=member.member_no,
                            name=member.name,
                            employer=employer,
                        )
                    ),
                )
            )
            continue
        due = due_rows.get(frow.member_no) or DeductionRow(member)
        try:
            confirmed = _amount_in(cells[COL_CONFIRMED])
        except ValueError:
            problems.append(
                (line, "H", str(_l("the confirmed amount must be a number of rupiah, 0 or more.")))
            )
            continue
        if confirmed is None:
            problems.append(
                (line, "H", str(_l("the confirmed amount is empty (write 0 if nothing was deducted).")))
            )
            continue
        mismatch = False
        for column, expected in ((COL_LOAN, due.loan_due), (COL_WAJIB, due.wajib), (COL_SHOP, due.shop)):
            try:
                stated = _amount_in(cells[column]) or ZERO
            except ValueError:
                stated = None
            if stated != expected:
                mismatch = True
                problems.append(
                    (
                        line,
                        COLUMNS[column],
                        str(
                            _l(
                                "the file says %(stated)s but %(due)s is due now; export the list again.",
                                stated=_text(cells[column]) or "0",
                                due=format_rupiah(expected, sen=expected != expected.to_integral_value()),
                            )
                        ),
                    )
                )
        if mismatch:
            continue
        if confirmed > due.total:
            problems.append(
                (
                    line,
                    "H",
                    str(
                        _l(
                            "the confirmed amount %(confirmed)s is more than the %(due)s due.",
                            confirmed=format_rupiah(
                                confirmed, sen=confirmed != confirmed.to_integral_value()
                            ),
                            due=format_rupiah(due.total, sen=due.total != due.total.to_integral_value()),
                        )
                    ),
                )
            )
            continue
        plan.append((due, confirmed))
    if problems:
        raise PayrollFileRejected(problems)

    batch = PayrollBatch(
        id=uuid7(),
        employer=employer,
        month=month,
        payroll_on=payroll_on,
        file_sha256=digest,
        row_count=len(plan),
        due_total=sum((d.total for d, _ in plan), ZERO),
        confirmed_total=sum((c for _, c in plan), ZERO),
        created_by_id=getattr(actor, "id", None),
        report={},
    )
    db.session.add(batch)
    db.session.flush()
    memo = f"Potong gaji {employer} {month}"[:200]
    posted = [_post_row(tenant, actor, batch, due, confirmed, payroll_on, memo) for due, confirmed in plan]
    missing = [(no, row.member.name, row.total) for no, row in due_rows.items() if no not in seen]
    batch.report = {
        "rows": [
            {
                "member_no": r.member_no,
                "name": r.name,
                "due": str(r.due),
                "confirmed": str(r.confirmed),
                "loans": str(r.loans),
                "wajib": str(r.wajib),
                "shop": str(r.shop),
            }
            for r in posted
        ],
        "missing": [{"member_no": no, "name": name, "due": str(due)} for no, name, due in missing],
    }
    db.session.flush()
    audit.record(
        "loans.payroll.import",
        actor=actor,
        target=batch,
        summary={
            "employer": employer,
            "month": month,
            "payroll_on": payroll_on.isoformat(),
            "rows": len(posted),
            "confirmed": str(batch.confirmed_total),
            "due": str(batch.due_total),
            "sha256": digest,
        },
    )
    return ImportResult(batch, False, posted, missing)


def _post_row(
    tenant: Tenant,
    actor: Any,
    batch: PayrollBatch,
    due: DeductionRow,
    confirmed: Decimal,
    on: date,
    memo: str,
) -> PostedRow:
    left = confirmed
    paid_loans = ZERO
    for item in due.loans:
        part = min(left, item.due)
        if part <= 0:
            break
        repayments.repay(
            tenant=tenant,
            actor=actor,
            loan=item.loan,
            amount=part,
            channel=TRANSFER,
            on=on,
            memo=memo,
            idempotency_key=f"payroll:{batch.id}:{item.loan.id}",
        )
        left -= part
        paid_loans += part
    wajib = min(left, due.wajib)
    if wajib > 0:
        savings.deposit(
            tenant=tenant,
            actor=actor,
            account=due.wajib_account,
            amount=wajib,
            channel=TRANSFER,
            on=on,
            memo=memo,
            idempotency_key=f"payroll:{batch.id}:wajib:{due.member.id}",
        )
        left -= wajib
    shop = min(left, due.shop)
    if shop > 0:
        credit.pay_credit(
            tenant=tenant,
            actor=actor,
            member=due.member,
            amount=shop,
            method="transfer",
            on=on,
            memo=memo,
            idempotency_key=f"payroll:{batch.id}:shop:{due.member.id}",
        )
    return PostedRow(
        member_no=due.member.member_no,
        name=due.member.name,
        due=due.total,
        confirmed=confirmed,
        loans=paid_loans,
        wajib=wajib if wajib > 0 else ZERO,
        shop=shop if shop > 0 else ZERO,
    )


def _rows_of(batch: PayrollBatch) -> list[PostedRow]:
    return [
        PostedRow(
            member_no=r["member_no"],
            name=r["name"],
            due=Decimal(r["due"]),
            confirmed=Decimal(r["confirmed"]),
            loans=Decimal(r["loans"]),
            wajib=Decimal(r["wajib"]),
            shop=Decimal(r["shop"]),
        )
        for r in (batch.report or {}).get("rows", [])
    ]


def _missing_of(batch: PayrollBatch) -> list[tuple[str, str, Decimal]]:
    return [(r["member_no"], r["name"], Decimal(r["due"])) for r in (batch.report or {}).get("missing", [])]


def batches() -> list[PayrollBatch]:
    return list(db.session.scalars(select(PayrollBatch).order_by(PayrollBatch.created_at.desc()).limit(50)))


def result_of(batch: PayrollBatch) -> ImportResult:
    return ImportResult(batch, True, _rows_of(batch), _missing_of(batch))
