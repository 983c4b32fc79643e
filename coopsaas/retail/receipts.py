"""The 80 mm till receipt (struk) of a sale, as PDF. Printed documents are in Bahasa Indonesia."""

from __future__ import annotations

from typing import Any

from coopsaas.pdf.base import CoopDocument, angka, tanggal
from coopsaas.retail.models import Sale
from coopsaas.retail.services import show_qty

WIDTH = 80.0


def receipt_pdf(sale: Sale, *, coop_name: str, cashier: str | None = None) -> bytes:
    """One slip, as long as the sale needs (a roll printer cuts where the page ends)."""
    height = 80.0 + 9.0 * len(sale.lines)
    doc = CoopDocument(
        coop_name=coop_name, title="Struk Penjualan", subtitle=sale.number, format=(WIDTH, height)
    )
    doc.set_margins(4, 4, 4)
    doc.set_auto_page_break(auto=False)
    doc.add_page()
    rows = [("Tanggal", tanggal(sale.sold_on)), ("Pembeli", "Anggota" if sale.is_member_sale else "Umum")]
    if cashier:
        rows.append(("Kasir", cashier))
    doc.field_rows(rows, label_width=18)
    if sale.status == "voided":
        doc.set_font("DejaVu", "B", 9)
        doc.cell(0, 6, "DIBATALKAN", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)
    for line in sale.lines:
        _line(doc, line)
    doc.ln(1)
    doc.line(doc.l_margin, doc.get_y(), WIDTH - doc.r_margin, doc.get_y())
    doc.ln(1)
    paid = [("Tunai", sale.cash_tendered, False), ("Kembali", sale.change, False)]
    for label, amount, bold in [("Total", sale.total, True), *(paid if sale.tender != "credit" else [])]:
        doc.set_font("DejaVu", "B" if bold else "", 9)
        doc.cell(40, 5, label)
        doc.cell(0, 5, f"Rp {angka(amount)}", align="R", new_x="LMARGIN", new_y="NEXT")
    if sale.tender == "credit":
        doc.set_font("DejaVu", "", 9)
        doc.cell(0, 5, "Dibayar dengan kredit anggota", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.set_font("DejaVu", "", 8)
    doc.cell(0, 5, "Terima kasih atas kunjungan Anda", align="C", new_x="LMARGIN", new_y="NEXT")
    return doc.render()


def _line(doc: Any, line: Any) -> None:
    doc.set_font("DejaVu", "", 8.5)
    doc.multi_cell(0, 4.2, line.item.name, new_x="LMARGIN", new_y="NEXT")
    doc.cell(40, 4.2, f"  {show_qty(line.qty)} x {angka(line.unit_price)}")
    doc.cell(0, 4.2, angka(line.amount), align="R", new_x="LMARGIN", new_y="NEXT")
