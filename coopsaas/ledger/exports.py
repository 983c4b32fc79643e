"""Trial balance and account ledger as CSV and XLSX files.

Amounts are written as exact figures (CSV: `1250000.00`, XLSX: numbers with a two-decimal format)
so a spreadsheet adds them up again; nothing is formatted for display here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from coopsaas.core.money import money_str
from coopsaas.ledger.balances import TrialBalance

TB_HEADINGS = ("Kode akun", "Nama akun", "Debit", "Kredit")
MONEY_FORMAT = "#,##0.00"


def trial_balance_rows(tb: TrialBalance) -> list[list[Any]]:
    rows: list[list[Any]] = [[r.code, r.name, r.debit, r.credit] for r in tb.rows]
    rows.append(["", "Jumlah", tb.total_debit, tb.total_credit])
    return rows


def to_csv(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    for row in rows:
        writer.writerow([money_str(c) if isinstance(c, Decimal) else c for c in row])
    # A BOM so spreadsheet programs read the names as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(
    title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]], *, preamble: Sequence[str] = ()
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for line in preamble:
        ws.append([line])
    ws.append(list(headings))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 42
    for col in ("C", "D", "E", "F"):
        ws.column_dimensions[col].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def trial_balance_csv(tb: TrialBalance) -> bytes:
    return to_csv(TB_HEADINGS, trial_balance_rows(tb))


def trial_balance_xlsx(tb: TrialBalance, coop_name: str) -> bytes:
    preamble = [coop_name, f"Neraca saldo per {tb.as_of.isoformat()}"]
    return to_xlsx("Neraca saldo", TB_HEADINGS, trial_balance_rows(tb), preamble=preamble)


STATEMENT_HEADINGS = ("Tanggal", "No. bukti", "Keterangan", "Debit", "Kredit", "Saldo")


def statement_rows(st: Any) -> list[list[Any]]:
    """An `AccountStatement` as rows: opening balance, the lines, then movement and closing."""
    rows: list[list[Any]] = [[st.start.isoformat(), "", "Saldo awal", "", "", st.opening]]
    rows += [
        [ln.entry_on.isoformat(), ln.voucher_no, ln.memo, ln.debit, ln.credit, ln.balance] for ln in st.lines
    ]
    rows.append(
        [st.end.isoformat(), "", "Mutasi dan saldo akhir", st.total_debit, st.total_credit, st.closing]
    )
    return rows


def statement_csv(st: Any) -> bytes:
    return to_csv(STATEMENT_HEADINGS, statement_rows(st))


def statement_xlsx(st: Any, coop_name: str) -> bytes:
    preamble = [
        coop_name,
        f"Buku besar {st.account.code} {st.account.name}",
        f"{st.start.isoformat()} s.d. {st.end.isoformat()}",
    ]
    return to_xlsx("Buku besar", STATEMENT_HEADINGS, statement_rows(st), preamble=preamble)
