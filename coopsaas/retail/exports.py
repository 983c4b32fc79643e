"""The stock value report as CSV and XLSX: exact figures (quantities with their decimals, money
with two places) so a spreadsheet adds them up to the same total. Headings in Bahasa Indonesia,
like the printed documents."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from coopsaas.core.money import money_str
from coopsaas.retail.services import StockValue

HEADINGS = ("SKU", "Nama barang", "Satuan", "Jumlah", "Harga pokok rata-rata", "Nilai persediaan")


def _rows(report: StockValue) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [i.sku, i.name, i.unit, i.on_hand, i.avg_cost, i.stock_value] for i in report.rows
    ]
    rows.append(["", "Jumlah", "", "", "", report.total])
    rows.append(["", "Saldo akun persediaan", "", "", "", report.control_balance])
    return rows


def stock_value_csv(report: StockValue) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for row in _rows(report):
        writer.writerow(
            [*row[:3], *(f"{c:f}" if isinstance(c, Decimal) else c for c in row[3:5]), money_str(row[5])]
        )
    # A BOM so spreadsheet programs read the names as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def stock_value_xlsx(report: StockValue, coop_name: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Nilai persediaan"
    ws.append([coop_name])
    ws.append(list(HEADINGS))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        ws.append(row)
        ws.cell(ws.max_row, 4).number_format = "#,##0.###"
        ws.cell(ws.max_row, 5).number_format = "#,##0.0000"
        ws.cell(ws.max_row, 6).number_format = "#,##0.00"
    for col, width in zip("ABCDEF", (14, 40, 10, 12, 20, 20), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
