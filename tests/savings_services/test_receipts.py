"""Receipts: the amount in words (terbilang) and the printed slip's text."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from coopsaas.savings.receipts import ReceiptData, receipt_pdf, terbilang


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "nol rupiah"),
        ("1", "satu rupiah"),
        ("10", "sepuluh rupiah"),
        ("11", "sebelas rupiah"),
        ("12", "dua belas rupiah"),
        ("19", "sembilan belas rupiah"),
        ("20", "dua puluh rupiah"),
        ("99", "sembilan puluh sembilan rupiah"),
        ("100", "seratus rupiah"),
        ("111", "seratus sebelas rupiah"),
        ("250", "dua ratus lima puluh rupiah"),
        ("1000", "seribu rupiah"),
        ("1500", "seribu lima ratus rupiah"),
        ("25000", "dua puluh lima ribu rupiah"),
        ("100000", "seratus ribu rupiah"),
        ("111111", "seratus sebelas ribu seratus sebelas rupiah"),
        ("1000000", "satu juta rupiah"),
        ("1250000", "satu juta dua ratus lima puluh ribu rupiah"),
        ("1001000", "satu juta seribu rupiah"),
        ("2000000000", "dua miliar rupiah"),
        ("3000000000000", "tiga triliun rupiah"),
        ("1250000.50", "satu juta dua ratus lima puluh ribu rupiah lima puluh sen"),
        ("0.05", "nol rupiah lima sen"),
    ],
)
def test_terbilang(amount, words):
    assert terbilang(Decimal(amount)) == words


def test_terbilang_refuses_floats_and_negatives():
    with pytest.raises(ValueError):
        terbilang(1250000.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        terbilang(Decimal("-1"))


def slip(**kw):
    data = dict(
        coop_name="KSP Sejahtera Bersama",
        coop_address="Jl. Pahlawan No. 27",
        title="BUKTI SETORAN",
        voucher_no="KM-2026-000001",
        entry_on=date(2026, 11, 19),
        member_no="A-000001",
        member_name="Siti Aminah",
        account_no="SIRELA-000001",
        product_name="Simpanan Sukarela",
        channel="Tunai",
        amount=Decimal("1250000.00"),
        balance_after=Decimal("1250000.00"),
        teller="Kasir Satu",
    )
    data.update(kw)
    return ReceiptData(**data)


def test_receipt_shows_member_amount_and_words():
    pdf = receipt_pdf(slip())
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    flat = " ".join(text.split())
    assert "BUKTI SETORAN" in flat
    assert "Siti Aminah" in flat
    assert "Rp 1.250.000" in flat
    assert "satu juta dua ratus lima puluh ribu rupiah" in flat
    assert "19 November 2026" in flat
    assert "KM-2026-000001" in flat


def test_receipt_bytes_are_the_same_for_the_same_data():
    assert receipt_pdf(slip(title="BUKTI PENARIKAN")) == receipt_pdf(slip(title="BUKTI PENARIKAN"))
