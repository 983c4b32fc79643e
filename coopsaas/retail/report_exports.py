"""The period reports, stock-outs, low stock and the expiry list as CSV and XLSX: exact figures
(quantities with their decimals, money with two places, ratios as computed) with headings in
Bahasa Indonesia, like exports.py."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from coopsaas.retail.lots import ExpiryList
from coopsaas.retail.reports import PeriodReport, StockOutRow

PERIOD_HEADINGS = (
    "SKU", "Nama barang", "Kategori", "Satuan",
    "Stok awal", "Nilai awal", "Masuk (pembelian)", "Nilai masuk", "Terjual", "HPP terjual",
    "Retur", "HPP retur", "Penyesuaian", "Nilai penyesuaian", "Stok akhir", "Nilai akhir",
    "Rata-rata stok", "Rata-rata nilai persediaan", "HPP bersih", "Perputaran (kali)", "Hari stok",
)  # fmt: skip
STOCK_OUT_HEADINGS = (
    "SKU", "Nama barang", "Satuan", "Hari stok habis", "Pertama habis", "Terakhir habis", "Stok sekarang",
    "Terjual dalam periode",
)  # fmt: skip
LOW_STOCK_HEADINGS = (
    "SKU", "Nama barang", "Satuan", "Stok", "Titik pesan ulang", "Terjual dalam periode", "Hari stok",
)  # fmt: skip
EXPIRY_HEADINGS = (
    "SKU", "Nama barang", "Nomor lot", "Tanggal kedaluwarsa", "Sisa hari", "Sisa jumlah", "Satuan",
    "Harga pokok rata-rata", "Nilai", "Status",
)  # fmt: skip


def _period_rows(report: PeriodReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for r in report.rows:
        rows.append(
            [
                r.sku, r.name, r.category or "", r.unit,
                r.opening_qty, r.opening_value, r.received_qty, r.received_value,
                r.sold_qty, r.sold_cost, r.returned_qty, r.returned_cost,
                r.adjusted_qty, r.adjusted_value, r.closing_qty, r.closing_value,
                r.average_qty, r.average_value, r.cogs, r.turnover, r.stock_days,
            ]
        )  # fmt: skip
    rows.append(
        [
            "", "Jumlah", "", "",
            "", report.total("opening_value"), "", report.total("received_value"),
            "", report.total("sold_cost"), "", report.total("returned_cost"),
            "", report.total("adjusted_value"), "", report.total("closing_value"),
            "", report.average_value, report.cogs, report.turnover, report.inventory_days,
        ]
    )  # fmt: skip
    return rows


def _stock_out_rows(rows: Sequence[StockOutRow]) -> list[list[Any]]:
    return [[r.sku, r.name, r.unit, r.days_out, r.first_out, r.last_out, r.on_hand, r.sold_qty] for r in rows]


def _low_rows(rows: Sequence[tuple[Any, Decimal, Decimal | None]]) -> list[list[Any]]:
    return [[i.sku, i.name, i.unit, i.on_hand, i.reorder_point, sold, days] for i, sold, days in rows]


def _expiry_rows(report: ExpiryList) -> list[list[Any]]:
    out: list[list[Any]] = [
        [
            r.sku, r.name, r.lot_no or "", r.expires_on, r.days_left, r.qty_left, r.unit, r.avg_cost, r.value,
            "Kedaluwarsa" if r.is_expired else "Segera kedaluwarsa",
        ]
        for r in report.rows
    ]  # fmt: skip
    out.append(["", "Sudah kedaluwarsa", "", "", "", "", "", "", report.expired_value, ""])
    within = f"Kedaluwarsa dalam {report.days} hari"
    out.append(["", within, "", "", "", "", "", "", report.expiring_value, ""])
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv(headings: Sequence[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    for row in rows:
        writer.writerow([_cell(c) for c in row])
    # A BOM so spreadsheet programs read the names as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(title: str, lines: Sequence[str], headings: Sequence[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for line in lines:
        ws.append([line])
    ws.append(list(headings))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([None if c is None else c for c in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                exponent = cell.value.as_tuple().exponent
                places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
                cell.number_format = "#,##0" + ("." + "0" * places if places else "")
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    ws.column_dimensions["B"].width = 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _span(start: date, end: date) -> str:
    return f"Periode {start.isoformat()} s.d. {end.isoformat()}"


def period_csv(report: PeriodReport) -> bytes:
    return _csv(PERIOD_HEADINGS, _period_rows(report))


def period_xlsx(report: PeriodReport, coop_name: str) -> bytes:
    lines = [coop_name, "Mutasi dan perputaran persediaan", _span(report.start, report.end)]
    return _xlsx("Mutasi persediaan", lines, PERIOD_HEADINGS, _period_rows(report))


def stock_outs_csv(rows: Sequence[StockOutRow]) -> bytes:
    return _csv(STOCK_OUT_HEADINGS, _stock_out_rows(rows))


def stock_outs_xlsx(rows: Sequence[StockOutRow], coop_name: str, start: date, end: date) -> bytes:
    lines = [coop_name, "Stok habis", _span(start, end)]
    return _xlsx("Stok habis", lines, STOCK_OUT_HEADINGS, _stock_out_rows(rows))


def low_stock_csv(rows: Sequence[tuple[Any, Decimal, Decimal | None]]) -> bytes:
    return _csv(LOW_STOCK_HEADINGS, _low_rows(rows))


def low_stock_xlsx(
    rows: Sequence[tuple[Any, Decimal, Decimal | None]], coop_name: str, start: date, end: date
) -> bytes:
    lines = [coop_name, "Stok menipis", _span(start, end)]
    return _xlsx("Stok menipis", lines, LOW_STOCK_HEADINGS, _low_rows(rows))


def expiry_csv(report: ExpiryList) -> bytes:
    return _csv(EXPIRY_HEADINGS, _expiry_rows(report))


def expiry_xlsx(report: ExpiryList, coop_name: str) -> bytes:
    lines = [coop_name, f"Barang kedaluwarsa per {report.as_of.isoformat()} ({report.days} hari)"]
    return _xlsx("Kedaluwarsa", lines, EXPIRY_HEADINGS, _expiry_rows(report))
