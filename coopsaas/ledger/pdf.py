"""Printed ledger documents: the journal voucher (bukti jurnal) and the trial balance.

Both come from `CoopDocument`, whose fixed metadata makes the same data print the same bytes.
Printed text is Bahasa Indonesia: these papers are signed and filed, not read on a screen.
"""

from __future__ import annotations

from typing import Any

from coopsaas.ledger.balances import TrialBalance
from coopsaas.ledger.models import JournalEntry
from coopsaas.pdf.base import CoopDocument, angka, tanggal

SIGNATURES = ("Dibuat oleh", "Diperiksa oleh", "Disetujui oleh")


def _amount(value: Any) -> str:
    # Sen only when there are some, so a whole-rupiah voucher reads `1.250.000`.
    return angka(value, 2 if value != value.to_integral_value() else 0)


def voucher_pdf(
    entry: JournalEntry,
    *,
    coop_name: str,
    created_by: str | None,
    reverses: JournalEntry | None = None,
    reversed_by: JournalEntry | None = None,
) -> bytes:
    doc = CoopDocument(coop_name=coop_name, title="BUKTI JURNAL", subtitle=f"No. {entry.voucher_no}")
    doc.add_page()
    fields = [
        ("Nomor bukti", entry.voucher_no),
        ("Tanggal", tanggal(entry.entry_on)),
        ("Keterangan", entry.memo or "-"),
    ]
    if reverses is not None:
        fields.append(("Membalik", reverses.voucher_no))
    if reversed_by is not None:
        fields.append(("Dibalik oleh", reversed_by.voucher_no))
    doc.field_rows(fields, label_width=32)
    doc.ln(3)
    rows = []
    total_d = total_c = None
    for line in entry.lines:
        rows.append(
            [
                line.account.code,
                line.account.name + (f" ({line.memo})" if line.memo else ""),
                _amount(line.debit) if line.debit else "",
                _amount(line.credit) if line.credit else "",
            ]
        )
        total_d = line.debit if total_d is None else total_d + line.debit
        total_c = line.credit if total_c is None else total_c + line.credit
    rows.append(["", "Jumlah", _amount(total_d or 0), _amount(total_c or 0)])
    doc.grid(
        ("Kode", "Akun", "Debit (Rp)", "Kredit (Rp)"),
        rows,
        col_widths=(20, 90, 40, 40),
        align=("LEFT", "LEFT", "RIGHT", "RIGHT"),
    )
    doc.ln(4)
    doc.set_font("DejaVu", "", 8)
    doc.cell(0, 5, f"Dicatat oleh: {created_by or '-'}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    _signature_boxes(doc, created_by)
    return doc.render()


def _signature_boxes(doc: CoopDocument, created_by: str | None) -> None:
    width = (doc.w - doc.l_margin - doc.r_margin) / len(SIGNATURES)
    top = doc.get_y()
    doc.set_font("DejaVu", "", 8)
    for i, label in enumerate(SIGNATURES):
        x = doc.l_margin + i * width
        doc.rect(x + 2, top, width - 4, 28)
        doc.set_xy(x + 2, top + 1)
        doc.cell(width - 4, 5, label, align="C")
        doc.set_xy(x + 2, top + 22)
        name = created_by if i == 0 and created_by else "(....................)"
        doc.cell(width - 4, 5, name, align="C")
    doc.set_y(top + 30)


def trial_balance_pdf(tb: TrialBalance, *, coop_name: str) -> bytes:
    doc = CoopDocument(coop_name=coop_name, title="NERACA SALDO", subtitle=f"Per {tanggal(tb.as_of)}")
    doc.add_page()
    rows = [
        [r.code, r.name, angka(r.debit, 2) if r.debit else "", angka(r.credit, 2) if r.credit else ""]
        for r in tb.rows
    ]
    rows.append(["", "Jumlah", angka(tb.total_debit, 2), angka(tb.total_credit, 2)])
    doc.grid(
        ("Kode", "Akun", "Debit (Rp)", "Kredit (Rp)"),
        rows,
        col_widths=(20, 90, 40, 40),
        align=("LEFT", "LEFT", "RIGHT", "RIGHT"),
    )
    if not tb.is_balanced:
        doc.ln(3)
        doc.set_font("DejaVu", "B", 9)
        doc.cell(0, 6, f"TIDAK SEIMBANG: selisih {angka(abs(tb.difference), 2)}")
    return doc.render()
