"""Opening balances from a spreadsheet: one row per account (code, name, debit, credit).

Every row is checked before anything posts; the whole file becomes ONE opening entry. Row
numbers are the spreadsheet's own (the heading is row 1) so staff can find them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coopsaas.core.i18n import _l
from coopsaas.core.money import MoneyError, parse_money, to_money
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import services
from coopsaas.ledger.models import JournalEntry
from coopsaas.ledger.posting import ZERO, EntrySpec, LineSpec, rupiah
from coopsaas.tenancy.models import Tenant

OPENING_SOURCE = "opening"
HEADINGS = {
    "code": {"code", "account code", "kode", "kode akun", "account"},
    "name": {"name", "account name", "nama", "nama akun"},
    "debit": {"debit", "debet"},
    "credit": {"credit", "kredit"},
}


@dataclass(frozen=True)
class OpeningRow:
    row_no: int
    code: str
    name: str
    debit: Decimal
    credit: Decimal


def read_table(path: Path) -> list[list[Any]]:
    """The cells of a CSV (comma or semicolon separated, UTF-8) or XLSX file, row by row."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;") if text.strip() else csv.excel
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    raise ValidationError(
        _l("Opening balances come as a .csv or .xlsx file."),
        fields={"file": [_l("Use a .csv or .xlsx file.")]},
    )


def _cell_amount(value: Any) -> Decimal:
    """A spreadsheet cell as money: text the Indonesian way, or a number with at most 2 decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    if isinstance(value, bool):
        raise MoneyError("not an amount")
    if isinstance(value, float):
        # Spreadsheet numbers are binary floats: take their shortest decimal form, and refuse
        # anything that is not whole sen rather than round it.
        return to_money(repr(value))
    if isinstance(value, int | Decimal):
        return to_money(value)
    return parse_money(str(value))


def parse_rows(table: list[list[Any]]) -> list[OpeningRow]:
    """Rows of the file with amounts parsed; every problem in the file is reported at once.

    Raises: ValidationError with one field per problem row (`row 7`).
    """
    rows = [r for r in table if any(c not in (None, "") for c in r)]
    if not rows:
        raise ValidationError(_l("The file is empty."), fields={"file": [_l("The file is empty.")]})
    heading = [str(c or "").strip().lower() for c in table[0]]
    columns: dict[str, int] = {}
    for key, names in HEADINGS.items():
        for i, h in enumerate(heading):
            if h in names:
                columns[key] = i
                break
    missing = [k for k in ("code", "debit", "credit") if k not in columns]
    if missing:
        message = _l(
            "The first row must name the columns: account code, name, debit, credit (missing: %(missing)s).",
            missing=", ".join(missing),
        )
        raise ValidationError(message, fields={"file": [message]})

    problems: dict[str, list[Any]] = {}
    out: list[OpeningRow] = []
    for row_no, row in enumerate(table[1:], start=2):
        if not any(c not in (None, "") for c in row):
            continue

        def cell(key: str, row: list[Any] = row) -> Any:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else None

        code = str(cell("code") or "").strip()
        if code.endswith(".0") and isinstance(cell("code"), float):
            code = code[:-2]  # a code typed as a number in a spreadsheet
        name = str(cell("name") or "").strip()
        key = f"row {row_no}"
        amounts = {}
        for side in ("debit", "credit"):
            try:
                amounts[side] = _cell_amount(cell(side))
            except MoneyError:
                problems.setdefault(key, []).append(
                    _l(
                        "Row %(row)s: %(side)s %(value)s is not an amount.",
                        row=row_no,
                        side=side,
                        value=repr(cell(side)),
                    )
                )
        if not code:
            problems.setdefault(key, []).append(_l("Row %(row)s: the account code is empty.", row=row_no))
        if len(amounts) < 2:
            continue
        debit, credit = amounts["debit"], amounts["credit"]
        if debit < 0 or credit < 0:
            problems.setdefault(key, []).append(_l("Row %(row)s: amounts cannot be negative.", row=row_no))
        elif debit > 0 and credit > 0:
            problems.setdefault(key, []).append(
                _l("Row %(row)s: give either a debit or a credit, not both.", row=row_no)
            )
        elif code and (debit > 0 or credit > 0):
            out.append(OpeningRow(row_no, code, name, debit, credit))
    if problems:
        raise ValidationError(
            _l("The file has problems in %(n)s rows; nothing was imported.", n=len(problems)), fields=problems
        )
    return out


def opening_spec(rows: list[OpeningRow], accounts: dict[str, Any], on: date) -> EntrySpec:
    """One entry from checked rows. Raises ValidationError listing unknown or inactive codes,
    repeated codes and an unbalanced total."""
    problems: dict[str, list[Any]] = {}
    seen: dict[str, int] = {}
    lines = []
    for r in rows:
        key = f"row {r.row_no}"
        account = accounts.get(r.code)
        if account is None:
            problems.setdefault(key, []).append(
                _l("Row %(row)s: unknown account code %(code)s.", row=r.row_no, code=r.code)
            )
            continue
        if not account.is_active:
            problems.setdefault(key, []).append(
                _l("Row %(row)s: account %(code)s is inactive.", row=r.row_no, code=r.code)
            )
        if r.code in seen:
            problems.setdefault(key, []).append(
                _l(
                    "Row %(row)s: account %(code)s is already on row %(first)s.",
                    row=r.row_no,
                    code=r.code,
                    first=seen[r.code],
                )
            )
        seen.setdefault(r.code, r.row_no)
        lines.append(LineSpec(account.id, debit=r.debit, credit=r.credit, memo=f"Opening balance {r.code}"))
    if problems:
        raise ValidationError(
            _l("The file has problems in %(n)s rows; nothing was imported.", n=len(problems)), fields=problems
        )
    debit = sum((r.debit for r in rows), ZERO)
    credit = sum((r.credit for r in rows), ZERO)
    if debit != credit:
        message = _l(
            "Opening balances do not balance: debits %(debit)s, credits %(credit)s, difference %(diff)s.",
            debit=rupiah(debit),
            credit=rupiah(credit),
            diff=rupiah(abs(debit - credit)),
        )
        raise ValidationError(message, fields={"file": [message]}, code="unbalanced")
    return EntrySpec(
        entry_on=on, lines=lines, memo="Opening balances", series="JU", source_type=OPENING_SOURCE
    )


def import_opening(*, tenant: Tenant, actor: Any, path: Path, on: date) -> JournalEntry:
    """Read, check and post the opening balances in `path` as one entry.

    Raises: ValidationError (file problems), Conflict (opening balances already posted),
    ClosedPeriodError.
    """
    rows = parse_rows(read_table(path))
    if not rows:
        raise ValidationError(
            _l("The file has no balances to import."),
            fields={"file": [_l("The file has no balances to import.")]},
        )
    posted = db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.source_type == OPENING_SOURCE, JournalEntry.reverses_entry_id.is_(None)
        )
    )
    for existing in posted:
        if services.reversal_of(existing) is None:
            raise Conflict(
                _l(
                    "Opening balances were already posted as %(voucher)s; reverse it first.",
                    voucher=existing.voucher_no,
                ),
                code="opening_exists",
            )
    spec = opening_spec(rows, services.accounts_by_code(), on)
    return services.post_entry(tenant=tenant, actor=actor, spec=spec)
