"""Member statement (*laporan simpanan anggota*): every savings account of one member over a date
range, with opening balance, each transaction and closing balance, as a page and a PDF.

Balances are recomputed from the transactions by business date (`entry_on`), not read from the
running `balance_after`: a backdated deposit then lands on its own day and the statement still
adds up line by line. The PDF has fixed metadata, so the same data gives the same bytes.

A passbook print (buku tabungan) that continues from the last printed line needs a stored
pointer per account and is not done here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from coopsaas.core.i18n import _l
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.members.models import Member
from coopsaas.pdf.base import CoopDocument, angka, tanggal
from coopsaas.savings.models import (
    ADMISSION,
    DEPOSIT,
    FEE,
    INTEREST,
    TAX,
    WITHDRAWAL,
    ZERO,
    SavingsAccount,
    SavingsTransaction,
)
from coopsaas.savings.services import accounts_of

# Printed documents are in Bahasa Indonesia whatever the reader's page language.
PRINTED_KINDS = {
    DEPOSIT: "Setoran",
    ADMISSION: "Setoran simpanan pokok",
    WITHDRAWAL: "Penarikan",
    INTEREST: "Jasa simpanan",
    TAX: "Pajak jasa simpanan",
    FEE: "Biaya administrasi",
}
KIND_LABELS = {
    DEPOSIT: _l("Deposit"),
    ADMISSION: _l("Simpanan pokok on joining"),
    WITHDRAWAL: _l("Withdrawal"),
    INTEREST: _l("Interest"),
    TAX: _l("Tax on interest"),
    FEE: _l("Admin fee"),
}
MAX_DAYS = 3700  # ten years: beyond that a statement is an archive job, not a page


@dataclass(frozen=True)
class StatementLine:
    entry_on: date
    kind: str
    memo: str
    money_in: Decimal
    money_out: Decimal
    balance: Decimal
    voucher_no: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


@dataclass
class AccountStatement:
    account: SavingsAccount
    opening: Decimal
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def total_in(self) -> Decimal:
        return sum((ln.money_in for ln in self.lines), ZERO)

    @property
    def total_out(self) -> Decimal:
        return sum((ln.money_out for ln in self.lines), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.total_in - self.total_out


@dataclass
class MemberStatement:
    member: Member
    start: date
    end: date
    accounts: list[AccountStatement]

    @property
    def opening(self) -> Decimal:
        return sum((a.opening for a in self.accounts), ZERO)

    @property
    def closing(self) -> Decimal:
        return sum((a.closing for a in self.accounts), ZERO)


def check_range(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The statement's period: default from 1 January of this year to today.

    Raises: ValidationError (start after end, end in the future, more than ten years)."""
    end = end or today
    start = start or date(end.year, 1, 1)
    if start > end:
        message = _l("The start date is after the end date.")
        raise ValidationError(message, fields={"start": [message]})
    if end > today:
        message = _l("The end date cannot be in the future.")
        raise ValidationError(message, fields={"end": [message]})
    if (end - start).days > MAX_DAYS:
        message = _l("A statement covers at most ten years.")
        raise ValidationError(message, fields={"start": [message]})
    return start, end


def account_statement(account: SavingsAccount, start: date, end: date) -> AccountStatement:
    rows = db.session.execute(
        select(SavingsTransaction, JournalEntry.voucher_no)
        .join(
            JournalEntry,
            (JournalEntry.tenant_id == SavingsTransaction.tenant_id)
            & (JournalEntry.id == SavingsTransaction.journal_entry_id),
        )
        .where(SavingsTransaction.account_id == account.id, SavingsTransaction.entry_on <= end)
        .order_by(SavingsTransaction.entry_on, SavingsTransaction.created_at, SavingsTransaction.id)
    ).all()
    opening = sum((t.signed_amount for t, _v in rows if t.entry_on < start), ZERO)
    statement = AccountStatement(account=account, opening=opening)
    balance = opening
    for t, voucher_no in rows:
        if t.entry_on < start:
            continue
        balance += t.signed_amount
        incoming = t.signed_amount > 0
        statement.lines.append(
            StatementLine(
                entry_on=t.entry_on,
                kind=t.kind,
                memo=t.memo or "",
                money_in=t.amount if incoming else ZERO,
                money_out=ZERO if incoming else t.amount,
                balance=balance,
                voucher_no=voucher_no,
            )
        )
    return statement


def member_statement(member: Member, start: date, end: date) -> MemberStatement:
    """Every account of `member` (those opened after `end` left out) from `start` to `end` inclusive."""
    accounts = [a for a in accounts_of(member) if a.opened_on <= end]
    return MemberStatement(
        member=member, start=start, end=end, accounts=[account_statement(a, start, end) for a in accounts]
    )


def statement_pdf(st: MemberStatement, *, coop_name: str) -> bytes:
    """The statement as an A4 PDF in Bahasa Indonesia: one table per account, figures to the rupiah
    (sen shown when an account has any)."""
    pdf = CoopDocument(
        coop_name=coop_name,
        title="Laporan Simpanan Anggota",
        subtitle=f"Periode {tanggal(st.start)} s.d. {tanggal(st.end)}",
    )
    pdf.add_page()
    m = st.member
    pdf.field_rows(
        [
            ("Nomor anggota", m.member_no),
            ("Nama", m.name),
            ("Status", "Anggota" if m.type == "anggota" else "Calon anggota"),
        ]
    )
    pdf.ln(2)
    for a in st.accounts:
        figures = [a.opening, *(v for ln in a.lines for v in (ln.money_in, ln.money_out, ln.balance))]
        places = 2 if any(v != v.to_integral_value() for v in figures) else 0
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.cell(0, 7, f"{a.account.product.name} - {a.account.account_no}", new_x="LMARGIN", new_y="NEXT")
        rows = [[tanggal(st.start), "Saldo awal", "", "", angka(a.opening, places)]]
        for ln in a.lines:
            text = f"{PRINTED_KINDS.get(ln.kind, ln.kind)} {ln.voucher_no}" + (
                f" ({ln.memo})" if ln.memo else ""
            )
            rows.append(
                [
                    tanggal(ln.entry_on),
                    text,
                    angka(ln.money_in, places) if ln.money_in else "",
                    angka(ln.money_out, places) if ln.money_out else "",
                    angka(ln.balance, places),
                ]
            )
        rows.append(
            [
                tanggal(st.end),
                "Saldo akhir",
                angka(a.total_in, places),
                angka(a.total_out, places),
                angka(a.closing, places),
            ]
        )
        pdf.grid(
            ("Tanggal", "Keterangan", "Setoran", "Penarikan", "Saldo"),
            rows,
            col_widths=(30, 70, 28, 28, 34),
            align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        )
        pdf.ln(3)
    if not st.accounts:
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(0, 6, "Tidak ada rekening simpanan.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 9.5)
    places = 2 if st.closing != st.closing.to_integral_value() else 0
    pdf.cell(
        0,
        7,
        f"Jumlah seluruh simpanan per {tanggal(st.end)}: Rp {angka(st.closing, places)}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return pdf.render()
