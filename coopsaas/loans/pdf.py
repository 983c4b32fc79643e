"""The loan schedule (*jadwal angsuran*) as a PDF: for a quote before anything is saved, and for a loan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coopsaas.pdf.base import CoopDocument, angka, tanggal

METHOD_NAMES = {
    "FLAT": "Flat (bunga tetap)",
    "EFEKTIF": "Efektif (bunga menurun)",
    "ANUITAS": "Anuitas",
    "BULLET": "Bunga per periode, pokok di akhir",
    "MURABAHAH": "Murabahah",
    "QARDH": "Qardh",
}


@dataclass(frozen=True)
class ScheduleRow:
    no: int
    due_on: date
    principal: Decimal
    interest: Decimal
    balance_after: Decimal


@dataclass(frozen=True)
class ScheduleDoc:
    coop_name: str
    title: str  # "SIMULASI JADWAL ANGSURAN" for a quote, "JADWAL ANGSURAN PINJAMAN" for a loan
    reference: str  # loan or application number, or "-" for a preview
    member_no: str
    member_name: str
    product_name: str
    method: str
    rate_text: str
    principal: Decimal
    term_months: int
    start_on: date
    admin_fee: Decimal
    provision_fee: Decimal
    net_disbursed: Decimal
    rows: Sequence[ScheduleRow]
    note: str = ""
    equivalent_rate_pa: Decimal | None = None  # FLAT loans: the declining-balance rate disclosed


def rate_text(rate: str, basis: str) -> str:
    figure = str(Decimal(rate)).replace(".", ",")
    return f"{figure} % per {'bulan' if basis == 'rate_pm' else 'tahun'}"


def schedule_pdf(doc: ScheduleDoc) -> bytes:
    pdf = CoopDocument(coop_name=doc.coop_name, title=doc.title, subtitle=doc.note or None)
    pdf.add_page()
    facts = [
        ("Nomor", doc.reference),
        ("Anggota", f"{doc.member_no} {doc.member_name}"),
        ("Produk", doc.product_name),
        ("Metode bunga", f"{METHOD_NAMES.get(doc.method, doc.method)}, {doc.rate_text}"),
        ("Pokok pinjaman", f"Rp {angka(doc.principal)}"),
        ("Jangka waktu", f"{doc.term_months} bulan"),
        ("Tanggal pencairan", tanggal(doc.start_on)),
        ("Biaya administrasi", f"Rp {angka(doc.admin_fee)}"),
        ("Provisi", f"Rp {angka(doc.provision_fee)}"),
        ("Diterima anggota", f"Rp {angka(doc.net_disbursed)}"),
    ]
    if doc.equivalent_rate_pa is not None:
        rate = str(doc.equivalent_rate_pa).replace(".", ",")
        facts.insert(4, ("Setara bunga menurun", f"{rate} % per tahun"))
    pdf.field_rows(facts)
    pdf.ln(3)
    total_p = sum((r.principal for r in doc.rows), Decimal(0))
    total_i = sum((r.interest for r in doc.rows), Decimal(0))
    body = [
        (
            str(r.no),
            tanggal(r.due_on),
            angka(r.principal),
            angka(r.interest),
            angka(r.principal + r.interest),
            angka(r.balance_after),
        )
        for r in doc.rows
    ]
    body.append(("", "Jumlah", angka(total_p), angka(total_i), angka(total_p + total_i), ""))
    pdf.grid(
        ("Ke", "Jatuh tempo", "Pokok", "Bunga", "Angsuran", "Sisa pokok"),
        body,
        col_widths=(10, 38, 32, 30, 32, 34),
        align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )
    return pdf.render()
