"""Receipt PDF: time per 80 mm till receipt (coopsaas/retail/receipts.py) for a 5-line and a
40-line sale, against a bare fpdf2 document with the same text in the same run.

    python bench/receipt_pdf_bench.py            # quick: 20 renders of each
    python bench/receipt_pdf_bench.py --full     # 300 renders of each

No database: the sale is built in memory from the models (a sale, its lines and their items), as
the till's page loads it, and `receipt_pdf` renders it. The baseline is plain `fpdf.FPDF` on the
same 80 mm roll with the same two DejaVu fonts registered and the same text, one `cell` per
line: no header, footer, field rows, wrapping of long names or glyph check. Both include
registering the fonts, which every document does. The receipt's text is read back with pypdf
to check it holds every item and the total.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fpdf import FPDF  # noqa: E402
from http_harness import load_average, ms, print_table  # noqa: E402
from shop_data import item_rows  # noqa: E402

import coopsaas.models  # noqa: E402, F401  (every mapper, so the shop models configure)
from coopsaas.pdf.base import FONTS, angka, tanggal  # noqa: E402
from coopsaas.retail.models import Item, Sale, SaleLine  # noqa: E402
from coopsaas.retail.receipts import WIDTH, receipt_pdf  # noqa: E402
from coopsaas.retail.services import show_qty  # noqa: E402

COOP = "Koperasi Pondok Pesantren Al-Hikmah"


def make_sale(n_lines: int, rng: random.Random) -> Sale:
    """A completed walk-in sale of `n_lines` items, paid in cash, as the models hold it."""
    sale = Sale(
        id=uuid.uuid4(),
        number=f"PJ-2026-{rng.randrange(1, 999_999):06d}",
        submit_key=uuid.uuid4().hex,
        sold_on=date(2026, 11, 25),
        member_id=None,
        status="completed",
    )
    total = Decimal(0)
    for n, (item_id, sku, name, _cost, price) in enumerate(item_rows(n_lines, rng), start=1):
        item = Item(id=item_id, sku=sku, name=name, unit="pcs")
        qty = Decimal(rng.randint(1, 4))
        amount = qty * price
        line = SaleLine(line_no=n, item_id=item_id, qty=qty, unit_price=Decimal(price), amount=amount)
        line.item = item
        sale.lines.append(line)
        total += amount
    sale.total = total
    sale.cash_tendered = (total // 50_000 + 1) * 50_000
    sale.change = sale.cash_tendered - total
    return sale


def bare_pdf(sale: Sale) -> bytes:
    """The same text on the same roll, one cell per line, nothing else."""
    pdf = FPDF(format=(WIDTH, 80.0 + 9.0 * len(sale.lines)))
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans-latin.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold-latin.ttf"))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(4, 4, 4)
    pdf.add_page()
    pdf.set_font("DejaVu", "", 8.5)
    texts = [COOP, "Struk Penjualan", sale.number, f"Tanggal: {tanggal(sale.sold_on)}", "Pembeli: Umum",
             "Kasir: Kasir 1"]
    for line in sale.lines:
        texts.append(line.item.name)
        texts.append(f"  {show_qty(line.qty)} x {angka(line.unit_price)}    {angka(line.amount)}")
    texts += [
        f"Total    Rp {angka(sale.total)}",
        f"Tunai    Rp {angka(sale.cash_tendered)}",
        f"Kembali    Rp {angka(sale.change)}",
        "Terima kasih atas kunjungan Anda",
    ]
    for text in texts:
        pdf.cell(0, 4.2, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def per_render(fns: list[Callable[[], bytes]], repeat: int) -> list[tuple[float, bytes]]:
    """Median seconds and output of each function, all run in turn in every round so that each
    meets the same load on the machine (a shared machine's load drifts within a minute)."""
    for fn in fns * 3:  # warm: font files in the page cache, modules loaded
        fn()
    times: list[list[float]] = [[] for _ in fns]
    outs: list[bytes] = [b""] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            outs[k] = fn()
            times[k].append(time.perf_counter() - t0)
    return [(statistics.median(t), out) for t, out in zip(times, outs, strict=True)]


def text_of(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="300 renders of each receipt")
    parser.add_argument("--repeat", type=int, help="renders of each (default 20, full 300)")
    opts = parser.parse_args()
    repeat = opts.repeat or (300 if opts.full else 20)
    rng = random.Random(2026)
    sales = [make_sale(n_lines, rng) for n_lines in (5, 40)]
    fns: list[Callable[[], bytes]] = []
    for sale in sales:
        fns.append(lambda s=sale: receipt_pdf(s, coop_name=COOP, cashier="Kasir 1"))
        fns.append(lambda s=sale: bare_pdf(s))
    timed = per_render(fns, repeat)
    rows, ok = [], True
    for k, sale in enumerate(sales):
        (receipt_s, data), (bare_s, bare) = timed[2 * k], timed[2 * k + 1]
        text = " ".join(text_of(data).split())
        found = all(" ".join(ln.item.name.split()) in text for ln in sale.lines) and (
            f"Rp {angka(sale.total)}" in text
        )
        ok = ok and found
        rows.append(
            (
                f"receipt PDF, {len(sale.lines)} lines ({len(data) / 1024:.0f} KB)",
                ms(receipt_s),
                f"{ms(bare_s)} (bare fpdf2, {len(bare) / 1024:.0f} KB)",
                f"{receipt_s / bare_s:.2f}x",
                f"{1 / receipt_s:,.0f} receipts/s",
            )
        )
    print(f"median of {repeat} renders each, the four documents in turn, one process; {load_average()}")
    print_table(("figure", "measured", "baseline (same run)", "ratio", "one core"), rows)
    print(f"\ncheck: {'ok' if ok else 'FAILED'}: every item name and the total read back from the receipts")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
