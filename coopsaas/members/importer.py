"""Onboarding import: members with their opening balances from a CSV or XLSX file.

All or nothing. Every row is checked before anything is written (NIK rules, duplicates inside the
file and against the register, dates, amounts parsed strictly); one problem anywhere rejects the
whole file with a report of row, column and problem. Then each member is registered (an anggota
pays simpanan pokok on the joining date, as at the counter) and the wajib and sukarela balances
brought from the old books are deposited on the opening date, `Dr kas / Cr <control account>`,
through the savings services, so the sub-ledger and the ledger agree. Anything refused while
writing (a joining date in a closed month) rolls the whole import back and is reported the same way.

A file is recognised by its SHA-256: the same bytes imported again are refused.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from coopsaas.core import audit
from coopsaas.core.audit import AuditEvent
from coopsaas.core.i18n import _l
from coopsaas.core.money import MoneyError, format_rupiah, parse_money, to_money
from coopsaas.errors import Conflict, DomainError, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import closed_through, require_scope, today_for
from coopsaas.members import services as members
from coopsaas.members.models import ANGGOTA, CALON, SEXES, Member
from coopsaas.members.nik import normalize_nik, validate_nik
from coopsaas.savings import services as savings
from coopsaas.savings.models import CASH, POKOK, SUKARELA, WAJIB
from coopsaas.tenancy.models import Tenant

COLUMNS = (
    "nik",
    "name",
    "sex",
    "birth_date",
    "address",
    "phone",
    "occupation",
    "joined_on",
    "type",
    "pokok",
    "wajib",
    "sukarela",
)
REQUIRED_COLUMNS = ("nik", "name")
# Headings staff write in Indonesian spreadsheets, read as the template's names.
ALIASES = {
    "nama": "name",
    "jenis_kelamin": "sex",
    "tanggal_lahir": "birth_date",
    "alamat": "address",
    "telepon": "phone",
    "no_hp": "phone",
    "pekerjaan": "occupation",
    "tanggal_masuk": "joined_on",
    "jenis": "type",
    "simpanan_pokok": "pokok",
    "simpanan_wajib": "wajib",
    "simpanan_sukarela": "sukarela",
}
TYPES = {"anggota": ANGGOTA, "calon_anggota": CALON, "calon anggota": CALON, "calon": CALON}
SEX_WORDS = {"l": "L", "p": "P", "laki-laki": "L", "perempuan": "P"}
LIMITS = {"name": 200, "address": 500, "phone": 30, "occupation": 100}
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
ZERO = Decimal("0.00")
ACTION = "members.import"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file: row as staff see it in a spreadsheet (the heading is row 1)."""

    row: int | None
    column: str | None
    message: str


class ImportRejected(ValidationError):
    """The file was refused; `problems` lists every problem found, nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        rows = {p.row for p in problems if p.row is not None}
        message = (
            _l("The file has problems in %(n)s row(s); nothing was imported.", n=len(rows))
            if rows
            else _l("The file cannot be imported; nothing was imported.")
        )
        fields: dict[str, list[Any]] = {}
        for p in problems:
            key = f"rows.{p.row}.{p.column or 'row'}" if p.row is not None else "file"
            fields.setdefault(key, []).append(p.message)
        super().__init__(message, fields=fields, code="import_rejected")
        self.problems = problems


@dataclass
class MemberRow:
    row: int
    nik: str
    name: str
    sex: str | None
    birth_date: date | None
    address: str | None
    phone: str | None
    occupation: str | None
    joined_on: date
    type: str
    pokok: Decimal
    wajib: Decimal
    sukarela: Decimal


@dataclass
class ImportResult:
    fingerprint: str
    opened_on: date
    members: list[Member] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=lambda: {POKOK: ZERO, WAJIB: ZERO, SUKARELA: ZERO})

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)


# ---- reading ---------------------------------------------------------------------------------------


def _file_problem(message: Any) -> ImportRejected:
    return ImportRejected([Problem(None, None, str(message))])


def read_table(filename: str, data: bytes) -> list[list[Any]]:
    """The cells of an uploaded CSV (comma or semicolon, UTF-8) or XLSX, row by row.

    Raises: ImportRejected (not a CSV or XLSX, unreadable, too big)."""
    if len(data) > MAX_BYTES:
        raise _file_problem(_l("The file is larger than 5 MB."))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file: all mean "not readable"
            raise _file_problem(_l("The XLSX file cannot be read.")) from None
        try:
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    if name.endswith(".csv") or not name:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _file_problem(_l("The CSV file is not UTF-8 text; save it as CSV UTF-8.")) from None
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;") if text.strip() else csv.excel
        except csv.Error:
            dialect = csv.excel
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    raise _file_problem(_l("Members are imported from a .csv or .xlsx file."))


# ---- checking --------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> date | None:
    """A date cell: a spreadsheet date, `2024-01-31`, `31/01/2024` or `31-01-2024`. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and len(parts[2]) == 4 and all(p.isdigit() for p in parts):
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    return date.fromisoformat(text)


def _amount(value: Any) -> Decimal:
    """A money cell: Indonesian text (`1.250.000`, `1250000,50`) or a number with at most 2 decimals.
    Raises MoneyError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    if isinstance(value, bool):
        raise MoneyError("not an amount")
    if isinstance(value, float):
        # Spreadsheet numbers are binary floats: their shortest decimal form, refused if not whole sen.
        return to_money(repr(value))
    if isinstance(value, int | Decimal):
        return to_money(value)
    return parse_money(str(value))


def _headings(first: list[Any]) -> tuple[dict[str, int], list[Problem]]:
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for i, cell in enumerate(first):
        name = _text(cell).lower().replace(" ", "_")
        if not name:
            continue
        name = ALIASES.get(name, name)
        if name not in COLUMNS:
            problems.append(Problem(1, _text(cell), str(_l("Unknown column %(name)s.", name=_text(cell)))))
        elif name in columns:
            problems.append(Problem(1, name, str(_l("Column %(name)s appears twice.", name=name))))
        else:
            columns[name] = i
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.append(Problem(1, name, str(_l("The column %(name)s is missing.", name=name))))
    return columns, problems


def check_rows(table: list[list[Any]], *, tenant: Tenant, opened_on: date) -> list[MemberRow]:
    """Every row checked; the rows ready to write, or ImportRejected listing every problem."""
    if not any(any(_text(c) for c in r) for r in table):
        raise _file_problem(_l("The file is empty."))
    columns, problems = _headings(table[0])
    if problems:
        raise ImportRejected(problems)
    if len(table) - 1 > MAX_ROWS:
        raise _file_problem(_l("At most %(n)s members per file.", n=MAX_ROWS))

    today = today_for(tenant)
    closed = closed_through(tenant)
    if closed is not None and opened_on <= closed:
        raise _file_problem(
            _l("The opening date falls in a closed month (closed up to %(day)s).", day=closed.isoformat())
        )
    pokok_due = savings.pokok_amount(tenant)
    registered = dict(db.session.execute(select(Member.nik, Member.member_no)).all())
    seen: dict[str, int] = {}
    out: list[MemberRow] = []
    for row_no, cells in enumerate(table[1:], start=2):
        if not any(_text(c) for c in cells):
            continue
        row_problems: list[Problem] = []

        def add(
            column: str, message: Any, row_no: int = row_no, bucket: list[Problem] = row_problems
        ) -> None:
            bucket.append(Problem(row_no, column, str(message)))

        def cell(name: str, cells: list[Any] = cells) -> Any:
            i = columns.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        name = _text(cell("name"))
        if not name:
            add("name", _l("The name is required."))
        texts = {"name": name}
        for key in ("address", "phone", "occupation"):
            texts[key] = _text(cell(key))
        for key, limit in LIMITS.items():
            if len(texts[key]) > limit:
                add(key, _l("At most %(n)s characters.", n=limit))

        sex_text = _text(cell("sex")).lower()
        sex = SEX_WORDS.get(sex_text) if sex_text else None
        if sex_text and sex not in SEXES:
            add("sex", _l("Write L (male) or P (female), not %(value)s.", value=_text(cell("sex"))))

        kind_text = _text(cell("type")).lower() or ANGGOTA
        kind = TYPES.get(kind_text)
        if kind is None:
            add("type", _l("Write anggota or calon_anggota, not %(value)s.", value=_text(cell("type"))))

        dates: dict[str, date | None] = {}
        for key in ("birth_date", "joined_on"):
            try:
                dates[key] = _date(cell(key))
            except ValueError:
                add(
                    key,
                    _l(
                        "%(value)s is not a date; write it as YYYY-MM-DD or DD/MM/YYYY.",
                        value=_text(cell(key)),
                    ),
                )
                dates[key] = None
        birth_date, joined_on = dates["birth_date"], dates["joined_on"] or opened_on
        if birth_date is not None and birth_date > today:
            add("birth_date", _l("The birth date cannot be in the future."))
        if closed is not None and kind == ANGGOTA and pokok_due > 0 and joined_on <= closed:
            add(
                "joined_on",
                _l(
                    "Simpanan pokok would be posted on the joining date, which falls in a "
                    "closed month (closed up to %(day)s).",
                    day=closed.isoformat(),
                ),
            )
        if joined_on > opened_on:
            add(
                "joined_on",
                _l("The joining date is after the opening date %(day)s.", day=opened_on.isoformat()),
            )

        amounts: dict[str, Decimal] = {}
        for key in (POKOK, WAJIB, SUKARELA):
            raw = cell(key)
            try:
                amounts[key] = _amount(raw)
            except MoneyError:
                add(key, _l("%(value)s is not an amount in rupiah (at most 2 decimals).", value=_text(raw)))
                amounts[key] = ZERO
                continue
            if amounts[key] < 0:
                add(key, _l("An opening balance cannot be negative."))
        if kind == ANGGOTA:
            if _text(cell(POKOK)) == "":
                amounts[POKOK] = pokok_due
            elif amounts[POKOK] >= 0 and amounts[POKOK] != pokok_due:
                add(
                    POKOK,
                    _l(
                        "Simpanan pokok is %(due)s for every member, not %(value)s.",
                        due=format_rupiah(pokok_due),
                        value=format_rupiah(amounts[POKOK], sen=True),
                    ),
                )
        elif kind == CALON:
            for key in (POKOK, WAJIB):
                if amounts[key] != 0:
                    add(key, _l("A calon anggota holds no simpanan pokok or wajib."))

        nik = normalize_nik(_text(cell("nik")))
        try:
            nik = validate_nik(nik, birth_date=birth_date, sex=sex, today=today)
        except ValidationError as exc:
            add("nik", exc.message)
        else:
            if nik in seen:
                add("nik", _l("The same NIK is on row %(row)s.", row=seen[nik]))
            elif nik in registered:
                add("nik", _l("This NIK is already registered as member %(no)s.", no=registered[nik]))
            seen.setdefault(nik, row_no)

        problems.extend(row_problems)
        if not row_problems and kind is not None:
            out.append(
                MemberRow(
                    row=row_no,
                    nik=nik,
                    name=name,
                    sex=sex,
                    birth_date=birth_date,
                    address=texts["address"] or None,
                    phone=texts["phone"] or None,
                    occupation=texts["occupation"] or None,
                    joined_on=joined_on,
                    type=kind,
                    pokok=amounts[POKOK],
                    wajib=amounts[WAJIB],
                    sukarela=amounts[SUKARELA],
                )
            )
    if problems:
        raise ImportRejected(problems)
    if not out:
        raise _file_problem(_l("The file has no members to import."))
    return out


# ---- writing ---------------------------------------------------------------------------------------


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def previous_import(digest: str) -> AuditEvent | None:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == ACTION, AuditEvent.target_id == digest).limit(1)
    ).first()


def _write_row(
    tenant: Tenant, actor: Any, r: MemberRow, digest: str, opened_on: date, result: ImportResult
) -> None:
    admission = members.register_member(
        tenant=tenant,
        actor=actor,
        nik=r.nik,
        name=r.name,
        sex=r.sex,
        birth_date=r.birth_date,
        address=r.address,
        phone=r.phone,
        occupation=r.occupation,
        joined_on=r.joined_on,
        type=r.type,
        channel=CASH,
    )
    if admission.pokok is not None:
        result.totals[POKOK] += admission.pokok.amount
    accounts = {a.product.kind: a for a in admission.accounts}
    for kind, amount in ((WAJIB, r.wajib), (SUKARELA, r.sukarela)):
        if amount <= 0:
            continue
        account = accounts.get(kind)
        if account is None:
            raise ValidationError(
                _l("The cooperative has no %(kind)s product to hold this balance.", kind=kind),
                fields={kind: [_l("No product for this balance.")]},
            )
        savings.deposit(
            tenant=tenant,
            actor=actor,
            account=account,
            amount=amount,
            channel=CASH,
            on=opened_on,
            memo="Saldo awal (impor anggota)",
            idempotency_key=f"import:{digest[:40]}:{r.row}:{kind}",
        )
        result.totals[kind] += amount
    result.members.append(admission.member)


def import_members(
    *, tenant: Tenant, actor: Any, filename: str, data: bytes, opened_on: date | None = None
) -> ImportResult:
    """Check the whole file, then register every member and post the opening balances.

    Raises: ImportRejected (any problem in the file, or a posting refused while writing; nothing is
    written), Conflict (this file was imported before).
    """
    require_scope(tenant)
    opened_on = opened_on or today_for(tenant)
    if opened_on > today_for(tenant):
        raise _file_problem(_l("The opening date cannot be in the future."))
    digest = fingerprint(data)
    earlier = previous_import(digest)
    if earlier is not None:
        raise Conflict(
            _l(
                "This file was already imported (%(n)s members); nothing was imported again.",
                n=(earlier.summary or {}).get("members", "?"),
            ),
            code="already_imported",
        )
    rows = check_rows(read_table(filename, data), tenant=tenant, opened_on=opened_on)
    result = ImportResult(fingerprint=digest, opened_on=opened_on)
    savepoint = db.session.begin_nested()
    current: MemberRow | None = None
    try:
        for current in rows:
            _write_row(tenant, actor, current, digest, opened_on, result)
    except DomainError as exc:
        savepoint.rollback()
        assert current is not None
        columns = [k for k in exc.fields if k in COLUMNS] or ["row"]
        raise ImportRejected([Problem(current.row, columns[0], str(exc.message))]) from exc
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    audit.record(
        ACTION,
        actor=actor,
        target_type="member_import",
        target_id=digest,
        summary={
            "filename": (filename or "")[:200],
            "members": len(result.members),
            "opened_on": opened_on.isoformat(),
            **{k: str(v) for k, v in result.totals.items()},
        },
    )
    return result


# ---- the template ----------------------------------------------------------------------------------

EXAMPLE_HINTS = (
    "16 digits",
    "full name",
    "L or P",
    "YYYY-MM-DD",
    "",
    "",
    "",
    "YYYY-MM-DD (empty: opening date)",
    "anggota or calon_anggota",
    "empty: the tenant's pokok",
    "1.250.000 or 1250000",
    "1250000,50",
)


def template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(COLUMNS)
    return out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "anggota"
    ws.append(list(COLUMNS))
    for i, _name in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=i).number_format = "@"
    for col in ("A", "F"):  # NIK and phone as text, or a spreadsheet turns them into numbers
        for r in range(2, 1001):
            ws[f"{col}{r}"].number_format = "@"
    help_sheet = wb.create_sheet("petunjuk")
    help_sheet.append(["column", "how to fill it"])
    for name, hint in zip(COLUMNS, EXAMPLE_HINTS, strict=True):
        help_sheet.append([name, hint])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
