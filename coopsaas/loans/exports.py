"""The loan book as CSV and XLSX: exact figures (CSV `1250000.00`, XLSX numbers) a spreadsheet can add."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from coopsaas.core.money import money_str
from coopsaas.loans.models import Loan

HEADINGS = (
    "No. pinjaman",
    "No. anggota",
    "Nama anggota",
    "Produk",
    "Metode",
    "Bunga (%)",
    "Basis bunga",
    "Tanggal cair",
    "Jatuh tempo akhir",
    "Jangka (bulan)",
    "Pokok",
    "Biaya",
    "Diterima",
    "Sisa pokok",
    "Status",
)
MONEY_FORMAT = "#,##0.00"


def loan_rows(loans: Sequence[Loan]) -> list[list[Any]]:
    return [
        [
            loan.loan_no,
            loan.member.member_no,
            loan.member.name,
            loan.terms.get("product_code", ""),
            loan.method,
            loan.rate,
            "per bulan" if loan.rate_basis == "rate_pm" else "per tahun",
            loan.disbursed_on.isoformat(),
            loan.maturity_on.isoformat(),
            loan.term_months,
            loan.principal,
            loan.admin_fee + loan.provision_fee,
            loan.net_disbursed,
            loan.outstanding_principal,
            loan.status,
        ]
        for loan in loans
    ]


def to_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow([money_str(c) if isinstance(c, Decimal) else c for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheets read UTF-8 names


def to_xlsx(coop_name: str, rows: Sequence[Sequence[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Pinjaman"
    ws.append([coop_name])
    ws.append(list(HEADINGS))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
