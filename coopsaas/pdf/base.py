"""The one base document for every PDF CoopSaaS prints (vouchers, receipts, statements, invoices).

DejaVu Sans (Latin subset, bundled with its licence) so Indonesian text, en dashes and the euro
sign render; fixed metadata so the same data gives the same bytes (tests compare them).
Characters outside the subset would be dropped silently by fpdf2, so `MissingGlyphError` is
raised instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from coopsaas.core.money import format_number

FONTS = Path(__file__).resolve().parent / "fonts"
FIXED_CREATION = datetime(2000, 1, 1, tzinfo=UTC)
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")


class MissingGlyphError(ValueError):
    pass


class _GlyphWatch(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.missing: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if "missing the following glyphs" in msg:
            self.missing.append(msg)


def tanggal(d: date) -> str:
    """`17 Agustus 2026`: the long Indonesian date used on printed documents."""
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def angka(amount: Any, places: int = 0) -> str:
    """A money figure without the currency sign: `1.250.000`."""
    return format_number(amount, places)


class CoopDocument(FPDF):
    """A4 (or a slip format) with the cooperative's name on top and `Halaman x/y` below."""

    def __init__(self, *, coop_name: str, title: str, subtitle: str | None = None,
                 format: str | tuple[float, float] = "A4", orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, format=format)
        self.coop_name = coop_name
        self.doc_title = title
        self.doc_subtitle = subtitle
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans-latin.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold-latin.ttf"))
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(title)
        self.set_author(coop_name)
        self.set_creator("CoopSaaS")
        self.set_lang("id")
        self.set_creation_date(FIXED_CREATION)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font("DejaVu", "B", 11)
        self.cell(0, 6, self.coop_name, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "B", 10)
        self.cell(0, 6, self.doc_title, new_x="LMARGIN", new_y="NEXT")
        if self.doc_subtitle:
            self.set_font("DejaVu", "", 8)
            self.cell(0, 5, self.doc_subtitle, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 6, f"Halaman {self.page_no()}/{{nb}}", align="C")

    def field_rows(self, rows: Sequence[tuple[str, str]], label_width: float = 40) -> None:
        """Label: value lines (voucher header, receipt details)."""
        for label, value in rows:
            self.set_font("DejaVu", "", 9)
            self.cell(label_width, 5.5, label)
            self.multi_cell(0, 5.5, f": {value}", new_x="LMARGIN", new_y="NEXT")

    def grid(self, headings: Sequence[str], rows: Sequence[Sequence[str]], *,
             col_widths: Sequence[float], align: Sequence[str], font_size: float = 8.5) -> None:
        """A table whose headings repeat on every page; every cell a string."""
        self.set_font("DejaVu", "", font_size)
        with self.table(col_widths=tuple(col_widths), text_align=tuple(align), line_height=5.5,
                        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
                        repeat_headings=1) as table:
            table.row([str(h) for h in headings])
            for r in rows:
                table.row([str(c) for c in r])

    def render(self) -> bytes:
        watch = _GlyphWatch()
        logger = logging.getLogger("fpdf")
        logger.addHandler(watch)
        try:
            data = bytes(self.output())
        finally:
            logger.removeHandler(watch)
        if watch.missing:
            raise MissingGlyphError("; ".join(watch.missing))
        return data
