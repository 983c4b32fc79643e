"""The settlement statement of an approved exit (*bukti pengembalian simpanan*), A4, in Bahasa
Indonesia, from the figures stored at approval (so a reprint shows exactly what was paid)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from coopsaas.members.models_exit import PAY_CASH, MemberExit
from coopsaas.pdf.base import CoopDocument, angka, tanggal
from coopsaas.savings.receipts import terbilang

PRINTED_KINDS = {
    "pokok": "Simpanan pokok",
    "wajib": "Simpanan wajib",
    "sukarela": "Simpanan sukarela",
    "berjangka": "Simpanan berjangka",
}


def _places(values: list[Decimal]) -> int:
    return 2 if any(v != v.to_integral_value() for v in values) else 0


def exit_pdf(exit_: MemberExit, *, coop_name: str, approver: str, requester: str) -> bytes:
    st: dict[str, Any] = exit_.settlement or {}
    member = exit_.member
    doc = CoopDocument(
        coop_name=coop_name,
        title="Bukti Pengembalian Simpanan Anggota Keluar",
        subtitle=f"No. {exit_.exit_no}",
    )
    doc.add_page()
    doc.field_rows(
        [
            ("No. bukti jurnal", st.get("voucher_no") or "-"),
            ("Tanggal keluar", tanggal(exit_.exit_on)),
            ("No. anggota", member.member_no),
            ("Nama", member.name),
            ("Alasan keluar", exit_.reason),
            ("Pembayaran", "Tunai" if exit_.payout == PAY_CASH else "Utang kepada anggota, dibayar kemudian"),
        ]
    )
    doc.ln(2)
    lines = st.get("lines") or []
    values = [
        Decimal(ln[k])
        for ln in lines
        for k in ("balance", "interest_gross", "interest_tax", "penalty", "amount")
    ]
    places = _places([*values, exit_.savings_total, exit_.obligations_total, exit_.refund])
    rows = []
    for ln in lines:
        net = Decimal(ln["interest_gross"]) - Decimal(ln["interest_tax"])
        rows.append(
            [
                f"{PRINTED_KINDS.get(ln['kind'], ln['kind'])} {ln['account_no']}",
                angka(Decimal(ln["balance"]), places),
                angka(net, places) if net else "",
                angka(Decimal(ln["penalty"]), places) if Decimal(ln["penalty"]) else "",
                angka(Decimal(ln["amount"]), places),
            ]
        )
    rows.append(["Jumlah simpanan", "", "", "", angka(exit_.savings_total, places)])
    doc.grid(
        ("Simpanan", "Saldo", "Jasa bersih", "Penalti", "Dikembalikan"),
        rows,
        col_widths=(64, 30, 28, 24, 34),
        align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )
    doc.ln(3)
    obligations = st.get("obligations") or []
    if obligations:
        doc.grid(
            ("Kewajiban anggota (dipotong)", "Referensi", "Jumlah"),
            [[o["label"], o["reference"], angka(Decimal(o["amount"]), places)] for o in obligations]
            + [["Jumlah kewajiban", "", angka(exit_.obligations_total, places)]],
            col_widths=(90, 50, 40),
            align=("LEFT", "LEFT", "RIGHT"),
        )
        doc.ln(3)
    doc.set_font("DejaVu", "B", 10)
    doc.cell(
        0, 7, f"Dikembalikan kepada anggota: Rp {angka(exit_.refund, places)}", new_x="LMARGIN", new_y="NEXT"
    )
    doc.set_font("DejaVu", "", 8.5)
    doc.multi_cell(0, 4.5, f"Terbilang: {terbilang(exit_.refund)}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.multi_cell(
        0,
        4.5,
        "Termasuk jasa simpanan sukarela bulan berjalan sampai sehari sebelum tanggal keluar menurut metode "
        "produk (metode saldo terendah dan saldo rata-rata tidak memberi jasa untuk bulan yang terputus), "
        "setelah pajak; simpanan berjangka dicairkan sebelum jatuh tempo dengan penalti menurut ketentuan "
        "produk. Tanpa biaya administrasi bulan keluar.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(8)
    width = 60
    for label in ("Anggota", "Diajukan oleh", "Disetujui oleh"):
        doc.cell(width, 5, label)
    doc.ln(16)
    for name in (member.name, requester, approver):
        doc.cell(width, 5, name[:30])
    return doc.render()
