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
class Words:
    """The printed wording of a loan (Indonesian): conventional loans speak of *pinjaman* and
    *bunga*, sharia financing of *pembiayaan*, *margin* and *ta'widh* (sharia.md section 1)."""

    noun: str  # "PINJAMAN" / "PEMBIAYAAN", in titles
    interest: str
    penalty: str
    principal: str
    remaining: str
    method_label: str


CONVENTIONAL_WORDS = Words("PINJAMAN", "Bunga", "Denda", "Pokok pinjaman", "Sisa pokok", "Metode bunga")
MURABAHAH_WORDS = Words("PEMBIAYAAN", "Margin", "Ta'widh/denda", "Harga pokok", "Sisa harga pokok", "Akad")
QARDH_WORDS = Words("PEMBIAYAAN", "Margin", "Ta'widh/denda", "Pokok pembiayaan", "Sisa pokok", "Akad")


def words_for(method: str) -> Words:
    return {"MURABAHAH": MURABAHAH_WORDS, "QARDH": QARDH_WORDS}.get(method, CONVENTIONAL_WORDS)


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
    words = words_for(doc.method)
    title = doc.title.replace("PINJAMAN", words.noun)
    pdf = CoopDocument(coop_name=doc.coop_name, title=title, subtitle=doc.note or None)
    pdf.add_page()
    total_p = sum((r.principal for r in doc.rows), Decimal(0))
    total_i = sum((r.interest for r in doc.rows), Decimal(0))
    method = METHOD_NAMES.get(doc.method, doc.method)
    if doc.method == "MURABAHAH":
        method = f"{method}, margin {doc.rate_text} (tetap sejak akad)"
    elif doc.method == "QARDH":
        method = f"{method}, tanpa margin (hanya ujrah/biaya administrasi)"
    else:
        method = f"{method}, {doc.rate_text}"
    facts = [
        ("Nomor", doc.reference),
        ("Anggota", f"{doc.member_no} {doc.member_name}"),
        ("Produk", doc.product_name),
        (words.method_label, method),
        (words.principal, f"Rp {angka(doc.principal)}"),
        ("Jangka waktu", f"{doc.term_months} bulan"),
        ("Tanggal pencairan", tanggal(doc.start_on)),
        ("Biaya administrasi", f"Rp {angka(doc.admin_fee)}"),
        ("Provisi", f"Rp {angka(doc.provision_fee)}"),
        ("Diterima anggota", f"Rp {angka(doc.net_disbursed)}"),
    ]
    if doc.equivalent_rate_pa is not None:
        rate = str(doc.equivalent_rate_pa).replace(".", ",")
        facts.insert(4, ("Setara bunga menurun", f"{rate} % per tahun"))
    if doc.method == "MURABAHAH":
        facts.insert(5, ("Margin", f"Rp {angka(total_i)}"))
        facts.insert(6, ("Harga jual", f"Rp {angka(total_p + total_i)}"))
    if doc.method in ("MURABAHAH", "QARDH"):
        facts = [("Ujrah (biaya administrasi)", v) if k == "Biaya administrasi" else (k, v) for k, v in facts]
    pdf.field_rows(facts)
    pdf.ln(3)
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
        ("Ke", "Jatuh tempo", "Pokok", words.interest, "Angsuran", words.remaining),
        body,
        col_widths=(10, 38, 32, 30, 32, 34),
        align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )
    return pdf.render()
