"""The printed day close (*berita acara tutup kas harian*): position, count, difference, signatures."""

from __future__ import annotations

from decimal import Decimal

from coopsaas.pdf.base import CoopDocument, angka, tanggal
from coopsaas.savings.models_teller import SESSION_CLOSED, TellerSession
from coopsaas.savings.teller import DENOMINATIONS, Position


def _rp(amount: Decimal | None) -> str:
    if amount is None:
        return "-"
    places = 0 if amount == amount.to_integral_value() else 2
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {angka(abs(amount), places)}"


def day_close_pdf(
    *, coop_name: str, session: TellerSession, position: Position, teller_name: str, closed_by: str = ""
) -> bytes:
    """One A4 page; the figures of the latest close (or the running position of an open day)."""
    closed = session.status == SESSION_CLOSED
    doc = CoopDocument(
        coop_name=coop_name,
        title="TUTUP KAS HARIAN",
        subtitle=f"Tanggal usaha {tanggal(session.business_on)}",
    )
    doc.add_page()
    cash_in = session.cash_in if closed else position.cash_in
    cash_out = session.cash_out if closed else position.cash_out
    expected = session.expected if closed else position.expected
    difference = session.difference if closed else None
    if difference is None:
        verdict = "-"
    elif difference == 0:
        verdict = "Sesuai"
    elif difference < 0:
        verdict = f"Kurang {_rp(-difference)}"
    else:
        verdict = f"Lebih {_rp(difference)}"
    doc.field_rows(
        [
            ("Kasir", teller_name),
            ("Status", "Ditutup" if closed else "Masih dibuka"),
            ("Saldo awal kas", _rp(session.opening_float)),
            ("Kas masuk", _rp(cash_in)),
            ("Kas keluar", _rp(cash_out)),
            ("Saldo kas seharusnya", _rp(expected)),
            ("Uang dihitung", _rp(session.counted) if closed else "-"),
            ("Selisih", verdict),
            ("Alasan selisih", session.reason or "-"),
            ("Ditutup ke-", str(session.close_count)),
        ],
        label_width=45,
    )
    doc.ln(3)
    doc.grid(
        ["Sumber", "Transaksi", "Masuk", "Keluar"],
        [[str(s.label), str(s.count), _rp(s.cash_in), _rp(s.cash_out)] for s in position.sources],
        col_widths=(80, 25, 40, 40),
        align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )
    pieces = session.denominations or {}
    if closed and pieces:
        doc.ln(3)
        rows = []
        for value in DENOMINATIONS:
            number = int(pieces.get(str(value)) or 0)
            if number:
                rows.append([f"Rp {angka(Decimal(value))}", str(number), _rp(Decimal(value) * number)])
        doc.grid(
            ["Pecahan", "Lembar/keping", "Jumlah"],
            rows,
            col_widths=(60, 40, 50),
            align=("LEFT", "RIGHT", "RIGHT"),
        )
    doc.ln(12)
    doc.set_font("DejaVu", "", 9)
    width = (doc.w - doc.l_margin - doc.r_margin) / 2
    doc.cell(width, 5, "Kasir", align="C")
    doc.cell(width, 5, "Mengetahui", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(16)
    doc.cell(width, 5, f"( {teller_name} )", align="C")
    checker = closed_by if closed_by and closed_by != teller_name else "...................."
    doc.cell(width, 5, f"( {checker} )", align="C", new_x="LMARGIN", new_y="NEXT")
    return doc.render()
