"""The hub's invoice (faktur) of a network order, as PDF. Printed documents are in Bahasa Indonesia."""

from __future__ import annotations

from coopsaas.network.models import SalesOrder
from coopsaas.pdf.base import CoopDocument, angka, tanggal
from coopsaas.retail.services import show_qty


def invoice_pdf(order: SalesOrder, *, hub_name: str, hub_address: str | None = None) -> bytes:
    """Raises ValueError for an order that has no invoice yet."""
    if not order.invoice_number or order.invoice_on is None or order.due_on is None:
        raise ValueError("the order has no invoice yet")
    doc = CoopDocument(coop_name=hub_name, title="Faktur Penjualan Jaringan", subtitle=hub_address or None)
    doc.add_page()
    doc.field_rows(
        [
            ("Nomor faktur", order.invoice_number),
            ("Tanggal", tanggal(order.invoice_on)),
            ("Jatuh tempo", tanggal(order.due_on)),
            ("Nomor pesanan", order.number),
            ("Kepada", order.buyer_name),
        ]
    )
    doc.ln(3)
    rows = [
        [str(ln.line_no), ln.name, f"{show_qty(ln.qty)} {ln.unit}", angka(ln.unit_price), angka(ln.amount)]
        for ln in order.lines
    ]
    doc.grid(
        ["No", "Barang", "Jumlah", "Harga (Rp)", "Total (Rp)"],
        rows,
        col_widths=(10, 80, 30, 32, 38),
        align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )
    doc.ln(2)
    for label, amount in (
        ("Total", order.total),
        ("Sudah dibayar", order.paid),
        ("Sisa tagihan", order.balance),
    ):
        doc.set_font("DejaVu", "B" if label == "Sisa tagihan" else "", 9.5)
        doc.cell(150, 6, label, align="R")
        doc.cell(0, 6, f"Rp {angka(amount)}", align="R", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font("DejaVu", "", 8.5)
    doc.multi_cell(
        0,
        5,
        "Pembayaran dicatat oleh koperasi pembeli di CoopSaaS dan otomatis tercatat sebagai "
        "penerimaan pada koperasi hub.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return doc.render()
