"""Teller receipts: *bukti setoran* / *bukti penarikan* on an 80 mm slip, with the amount in words.

`terbilang` is pure (no database, no Flask): receipts in Indonesia state the amount in words so a
figure altered by hand shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from coopsaas.core.money import CENT, format_rupiah
from coopsaas.pdf.base import CoopDocument, tanggal

_UNITS = (
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))


def _words(n: int) -> str:
    """Words for 0 < n; an empty string for 0."""
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_UNITS[tens]} puluh {_words(rest)}".strip()
    if n < 200:
        return f"seratus {_words(n - 100)}".strip()
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_UNITS[hundreds]} ratus {_words(rest)}".strip()
    if n < 2000:
        return f"seribu {_words(n - 1000)}".strip()
    if n < 10**6:
        thousands, rest = divmod(n, 1000)
        return f"{_words(thousands)} ribu {_words(rest)}".strip()
    for scale, name in _SCALES:
        if n >= scale:
            big, rest = divmod(n, scale)
            return f"{_words(big)} {name} {_words(rest)}".strip()
    raise AssertionError("unreachable")


def terbilang(amount: Decimal) -> str:
    """The amount in Indonesian words: 1250000 -> `satu juta dua ratus lima puluh ribu rupiah`;
    sen follow the rupiah (`... rupiah lima puluh sen`). Raises ValueError for a float or a
    negative amount (a receipt never shows one)."""
    if isinstance(amount, float) or not isinstance(amount, Decimal | int):
        raise ValueError("terbilang takes a Decimal")
    d = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if d < 0:
        raise ValueError("terbilang of a negative amount")
    rupiah, sen = int(d), int((d - int(d)) * 100)
    text = f"{_words(rupiah) or 'nol'} rupiah"
    if sen:
        text += f" {_words(sen)} sen"
    return text


@dataclass(frozen=True)
class ReceiptData:
    coop_name: str
    coop_address: str
    title: str  # BUKTI SETORAN / BUKTI PENARIKAN
    voucher_no: str
    entry_on: date
    member_no: str
    member_name: str
    account_no: str
    product_name: str
    channel: str
    amount: Decimal
    balance_after: Decimal
    teller: str


SLIP = (80.0, 150.0)  # an 80 mm roll printer slip, in mm


def receipt_pdf(data: ReceiptData) -> bytes:
    """The slip as PDF bytes (same data, same bytes)."""
    doc = CoopDocument(
        coop_name=data.coop_name, title=data.title, subtitle=data.coop_address or None, format=SLIP
    )
    doc.set_margins(5, 5, 5)
    doc.set_auto_page_break(auto=True, margin=12)
    doc.add_page()
    doc.field_rows(
        [
            ("No. bukti", data.voucher_no),
            ("Tanggal", tanggal(data.entry_on)),
            ("No. anggota", data.member_no),
            ("Nama", data.member_name),
            ("No. rekening", data.account_no),
            ("Produk", data.product_name),
            ("Cara bayar", data.channel),
        ],
        label_width=22,
    )
    doc.ln(2)
    doc.set_font("DejaVu", "B", 11)
    doc.cell(
        0,
        7,
        f"Jumlah: {format_rupiah(data.amount, sen=data.amount != data.amount.to_integral_value())}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("DejaVu", "", 8.5)
    doc.multi_cell(0, 4.5, f"Terbilang: {terbilang(data.amount)}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)
    doc.field_rows([("Saldo akhir", format_rupiah(data.balance_after, sen=True))], label_width=22)
    doc.ln(6)
    doc.set_font("DejaVu", "", 8.5)
    doc.cell(35, 5, "Penyetor/Penerima")
    doc.cell(0, 5, "Kasir", new_x="LMARGIN", new_y="NEXT")
    doc.ln(10)
    doc.cell(35, 5, data.member_name[:24])
    doc.cell(0, 5, data.teller[:24], new_x="LMARGIN", new_y="NEXT")
    return doc.render()
