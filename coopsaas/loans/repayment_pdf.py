"""Printed loan documents of the repayment side: the instalment receipt (*kuitansi angsuran*) and
the loan statement (*rekening koran pinjaman*: every transaction and the balance after it)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from coopsaas.loans.models import DISBURSEMENT, Loan, LoanInstalment, LoanTransaction
from coopsaas.loans.pdf import words_for
from coopsaas.pdf.base import CoopDocument, angka, tanggal

CHANNEL_NAMES = {
    "cash": "Tunai",
    "transfer": "Transfer bank",
    "savings": "Debet simpanan sukarela",
    "exit": "Pengembalian simpanan (anggota keluar)",
}
KIND_NAMES = {
    DISBURSEMENT: "Pencairan",
    "repayment": "Angsuran",
    "write_off": "Hapus buku",
    "reversal": "Koreksi",
}


def _rp(amount: Decimal) -> str:
    return f"Rp {angka(amount)}"


def receipt_pdf(
    *, coop_name: str, loan: Loan, txn: LoanTransaction, voucher_no: str, rows: Sequence[LoanInstalment]
) -> bytes:
    """Kuitansi angsuran pinjaman (pembiayaan): what was paid, how it was split, what is left."""
    words = words_for(loan.method)
    pdf = CoopDocument(
        coop_name=coop_name, title=f"KUITANSI ANGSURAN {words.noun}", subtitle=f"No. bukti {voucher_no}"
    )
    pdf.add_page()
    allocation = txn.allocation or {}
    early = bool(allocation.get("early_settlement"))
    paid_nos = sorted({int(line["no"]) for line in allocation.get("lines", [])})
    facts = [
        ("Tanggal", tanggal(txn.entry_on)),
        (f"Nomor {words.noun.lower()}", loan.loan_no),
        ("Anggota", f"{loan.member.member_no} {loan.member.name}"),
        ("Cara bayar", CHANNEL_NAMES.get(txn.channel or "", txn.channel or "-")),
        ("Jumlah dibayar", _rp(txn.amount)),
        (words.penalty, _rp(txn.penalty)),
        (words.interest, _rp(txn.interest)),
        ("Pokok", _rp(txn.principal)),
    ]
    if txn.fee > 0:
        facts.append(("Biaya pelunasan", _rp(txn.fee)))
    excess = Decimal(allocation.get("excess_to_savings") or "0")
    if excess > 0:
        facts.append(("Kelebihan ke simpanan", _rp(excess)))
    if paid_nos:
        facts.append(("Angsuran ke", ", ".join(str(n) for n in paid_nos)))
    facts.append((words.remaining, _rp(txn.outstanding_after)))
    if loan.method in ("MURABAHAH", "QARDH") and txn.penalty > 0:
        facts.append(("Keterangan ta'widh", "untuk dana kebajikan, bukan pendapatan koperasi"))
    if early:
        facts.append(("Keterangan", "Pelunasan dipercepat"))
    if loan.status == "closed" and txn.outstanding_after == 0:
        facts.append(("Status", "LUNAS"))
    else:
        unpaid = [r for r in rows if r.unpaid > 0]
        if unpaid:
            facts.append(
                ("Angsuran berikut", f"{_rp(unpaid[0].unpaid)} jatuh tempo {tanggal(unpaid[0].due_on)}")
            )
    pdf.field_rows(facts, label_width=45)
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(90, 5, "Penyetor,")
    pdf.cell(0, 5, "Kasir,", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.cell(90, 5, loan.member.name)
    pdf.cell(0, 5, "(...........................)", new_x="LMARGIN", new_y="NEXT")
    return pdf.render()


def statement_pdf(
    *, coop_name: str, loan: Loan, txns: Sequence[LoanTransaction], vouchers: dict[Any, str]
) -> bytes:
    """Rekening koran pinjaman (pembiayaan): disbursement and every repayment with the principal
    (for a murabahah the cost) left after it."""
    words = words_for(loan.method)
    pdf = CoopDocument(coop_name=coop_name, title=f"REKENING KORAN {words.noun}", subtitle=loan.loan_no)
    pdf.add_page()
    status = {"active": "Aktif", "closed": "Lunas", "written_off": "Dihapusbukukan"}.get(
        loan.status, loan.status
    )
    pdf.field_rows(
        [
            ("Anggota", f"{loan.member.member_no} {loan.member.name}"),
            ("Produk", str(loan.terms.get("product_name", ""))),
            (words.principal, _rp(loan.principal)),
            ("Tanggal pencairan", tanggal(loan.disbursed_on)),
            ("Jatuh tempo akhir", tanggal(loan.maturity_on)),
            (words.remaining, _rp(loan.outstanding_principal)),
            ("Status", status),
        ]
    )
    pdf.ln(3)
    body = []
    totals = [Decimal(0)] * 4
    for t in txns:
        repaid = t.kind != DISBURSEMENT
        body.append(
            (
                tanggal(t.entry_on),
                vouchers.get(t.journal_entry_id, ""),
                KIND_NAMES.get(t.kind, t.kind),
                angka(t.amount),
                angka(t.principal) if repaid else "",
                angka(t.interest) if repaid else "",
                angka(t.penalty) if repaid else "",
                angka(t.outstanding_after),
            )
        )
        if repaid:
            for i, value in enumerate((t.amount, t.principal, t.interest, t.penalty)):
                totals[i] += value
    body.append(("", "", "Jumlah dibayar", *(angka(v) for v in totals), angka(loan.outstanding_principal)))
    pdf.grid(
        (
            "Tanggal",
            "No. bukti",
            "Transaksi",
            "Jumlah",
            "Pokok",
            words.interest,
            words.penalty.split("/")[0],
            words.remaining,
        ),
        body,
        col_widths=(28, 28, 24, 24, 22, 20, 18, 26),
        align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        font_size=7.5,
    )
    return pdf.render()
