import io
from datetime import date

import pytest
from pypdf import PdfReader

from coopsaas.pdf.base import CoopDocument, MissingGlyphError, angka, tanggal


def _text(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def _doc(rows: int) -> bytes:
    doc = CoopDocument(coop_name="Koperasi Simpan Pinjam Sejahtera", title="Bukti Jurnal – JU-2026-000001")
    doc.add_page()
    doc.field_rows([("Tanggal", tanggal(date(2026, 8, 17))), ("Keterangan", "Setoran modal awal")])
    doc.grid(["Kode", "Akun", "Debit", "Kredit"],
             [["1101", "Kas", angka(1250000), ""], ["3101", "Simpanan pokok", "", angka(1250000)]] * rows,
             col_widths=(20, 80, 40, 40), align=("LEFT", "LEFT", "RIGHT", "RIGHT"))
    return doc.render()


def test_document_text_is_readable_indonesian_with_page_numbers():
    pages = _text(_doc(1))
    assert len(pages) == 1
    text = pages[0]
    assert "Koperasi Simpan Pinjam Sejahtera" in text
    assert "Bukti Jurnal – JU-2026-000001" in text
    assert "17 Agustus 2026" in text
    assert "1.250.000" in text
    assert "Halaman 1/1" in text


def test_long_tables_repeat_headings_and_count_pages():
    pages = _text(_doc(60))
    assert len(pages) >= 2
    assert f"Halaman 2/{len(pages)}" in pages[1]
    assert "Kredit" in pages[1]  # headings repeated


def test_same_data_gives_the_same_bytes():
    assert _doc(3) == _doc(3)


def test_a_character_outside_the_font_is_an_error_not_a_silent_drop():
    doc = CoopDocument(coop_name="Koperasi", title="Uji")
    doc.add_page()
    doc.set_font("DejaVu", "", 9)
    doc.cell(0, 5, "Selamat 你好")
    with pytest.raises(MissingGlyphError):
        doc.render()
