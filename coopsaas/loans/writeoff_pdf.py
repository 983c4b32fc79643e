"""The recovery receipt (*kuitansi penerimaan pinjaman hapus buku*): money received on a written-off
loan or sharia financing (*pembiayaan*), and what is still to be collected."""

from __future__ import annotations

from decimal import Decimal

from coopsaas.loans.models import Loan, LoanRecovery
from coopsaas.loans.repayment_pdf import CHANNEL_NAMES
from coopsaas.pdf.base import CoopDocument, angka, tanggal


def _rp(amount: Decimal) -> str:
    return f"Rp {angka(amount)}"


def recovery_receipt_pdf(*, coop_name: str, loan: Loan, recovery: LoanRecovery, voucher_no: str) -> bytes:
    pdf = CoopDocument(
        coop_name=coop_name,
        title=f"KUITANSI PENERIMAAN {loan.noun.upper()} HAPUS BUKU",
        subtitle=f"No. bukti {voucher_no}",
    )
    pdf.add_page()
    pdf.field_rows(
        [
            ("Tanggal", tanggal(recovery.received_on)),
            (f"Nomor {loan.noun}", loan.loan_no),
            ("Anggota", f"{loan.member.member_no} {loan.member.name}"),
            ("Cara bayar", CHANNEL_NAMES.get(recovery.channel, recovery.channel)),
            ("Jumlah diterima", _rp(recovery.amount)),
            ("Sisa tagihan hapus buku", _rp(recovery.claim_after)),
            ("Keterangan", f"Pemulihan {loan.noun} yang telah dihapusbukukan"),
        ],
        label_width=50,
    )
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(90, 5, "Penyetor,")
    pdf.cell(0, 5, "Kasir,", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.cell(90, 5, loan.member.name)
    pdf.cell(0, 5, "(...........................)", new_x="LMARGIN", new_y="NEXT")
    return pdf.render()
