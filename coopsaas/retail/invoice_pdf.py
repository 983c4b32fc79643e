"""The invoice (faktur) as an A4 PDF. Printed documents are in Bahasa Indonesia."""

from __future__ import annotations

from typing import Any

from coopsaas.pdf.base import CoopDocument, angka, tanggal
from coopsaas.retail.credit_models import Invoice
from coopsaas.retail.services import show_qty

STATUS = {"open": "Belum dibayar", "partial": "Dibayar sebagian", "paid": "Lunas", "voided": "DIBATALKAN"}


def _rp(amount: Any) -> str:
    return f"Rp {angka(amount, 2 if amount != amount.to_integral_value() else 0)}"


def invoice_pdf(invoice: Invoice, *, tenant: Any, buyer: dict[str, str]) -> bytes:
    from coopsaas.savings.receipts import terbilang

    doc = CoopDocument(coop_name=tenant.name, title="Faktur Penjualan", subtitle=invoice.number)
    doc.add_page()
    seller = [("Penjual", tenant.name)]
    if getattr(tenant, "address", None):
        seller.append(("Alamat", tenant.address))
    doc.field_rows(
        [
            *seller,
            ("Nomor faktur", invoice.number),
            ("Tanggal", tanggal(invoice.invoice_on)),
            ("Jatuh tempo", f"{tanggal(invoice.due_on)} ({invoice.terms_days} hari)"),
            ("Pembeli", buyer["name"]),
            *([("Alamat pembeli", buyer["address"])] if buyer.get("address") else []),
            *([("NPWP pembeli", buyer["npwp"])] if buyer.get("npwp") else []),
            *([("Telepon", buyer["phone"])] if buyer.get("phone") else []),
            ("Status", STATUS[invoice.status]),
        ],
        label_width=34,
    )
    doc.ln(3)
    rows = [
        [str(n), ln.item.name, f"{show_qty(ln.qty)} {ln.item.unit}", angka(ln.unit_price), angka(ln.amount)]
        for n, ln in enumerate(invoice.lines, start=1)
    ]
    doc.grid(
        ["No", "Barang", "Jumlah", "Harga satuan", "Nilai"],
        rows,
        col_widths=(10, 80, 28, 32, 40),
        align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )
    doc.ln(2)
    totals = []
    if invoice.is_taxable:
        rate = f"{invoice.tax_rate.normalize():f}".replace(".", ",")
        totals += [("Dasar pengenaan pajak (DPP)", invoice.subtotal), (f"PPN {rate}%", invoice.tax)]
    else:
        totals.append(("Subtotal", invoice.subtotal))
    totals += [("Total", invoice.total), ("Dibayar", invoice.paid), ("Sisa tagihan", invoice.balance)]
    for label, amount in totals:
        doc.set_font("DejaVu", "B" if label in ("Total", "Sisa tagihan") else "", 9.5)
        doc.cell(150, 6, label, align="R")
        doc.cell(0, 6, _rp(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.set_font("DejaVu", "", 9)
    doc.multi_cell(0, 5, f"Terbilang: {terbilang(invoice.total)}", new_x="LMARGIN", new_y="NEXT")
    if not invoice.is_taxable:
        doc.set_font("DejaVu", "", 8)
        doc.multi_cell(
            0,
            4.5,
            "Koperasi bukan Pengusaha Kena Pajak: faktur ini tidak memuat PPN.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if invoice.status == "voided" and invoice.void_reason:
        doc.set_font("DejaVu", "B", 9)
        doc.multi_cell(0, 5, f"Dibatalkan: {invoice.void_reason}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(10)
    doc.set_font("DejaVu", "", 9)
    doc.cell(95, 5, "Penerima,", align="C")
    doc.cell(0, 5, "Hormat kami,", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(16)
    doc.cell(95, 5, "(....................)", align="C")
    doc.cell(0, 5, "(....................)", align="C", new_x="LMARGIN", new_y="NEXT")
    return doc.render()
