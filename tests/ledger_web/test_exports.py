"""Trial balance exports and the printed voucher, read back the way a user opens them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.ledger_web.conftest import logged_in, post_via_api


def two_entries(api, books):
    post_via_api(api, books, [("1101", "1250000.00", "0"), ("3101", "0", "1250000.00")], day="2026-03-02")
    return post_via_api(
        api,
        books,
        [("6102", "1250000.50", "0"), ("1102", "0", "1250000.50")],
        day="2026-03-03",
        memo="Sewa kantor",
    ).get_json()


def test_trial_balance_csv_has_the_figures(app, api, books):
    two_entries(api, books)
    resp = logged_in(app, "auditor-a").get("/t/kop-a/ledger/trial-balance.csv?as_of=2026-03-10")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Kode akun", "Nama akun", "Debit", "Kredit"]
    assert rows[1:] == [
        ["1101", "Kas", "1250000.00", "0.00"],
        ["1102", "Bank", "0.00", "1250000.50"],
        ["3101", "Simpanan pokok", "0.00", "1250000.00"],
        ["6102", "Beban operasional kantor", "1250000.50", "0.00"],
        ["", "Jumlah", "2500000.50", "2500000.50"],
    ]


def test_trial_balance_xlsx_has_the_figures(app, api, books):
    two_entries(api, books)
    resp = logged_in(app, "auditor-a").get("/t/kop-a/ledger/trial-balance.xlsx?period=2026-03")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.get_data())).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == ["KSP Sejahtera Bersama", None, None, None]
    assert values[1][0] == "Neraca saldo per 2026-03-31"
    body = {r[0]: (Decimal(str(r[2])), Decimal(str(r[3]))) for r in values[3:] if r[0]}
    assert body["1102"] == (Decimal("0"), Decimal("1250000.5"))
    assert body["6102"] == (Decimal("1250000.5"), Decimal("0"))
    total = values[-1]
    assert total[1] == "Jumlah" and Decimal(str(total[2])) == Decimal(str(total[3])) == Decimal("2500000.5")


def test_trial_balance_export_refuses_a_bad_period(app, books):
    client = logged_in(app, "auditor-a")
    assert client.get("/t/kop-a/ledger/trial-balance.csv?period=2026-13").status_code == 422
    assert client.get("/t/kop-a/ledger/trial-balance.doc").status_code == 404


def test_trial_balance_pdf_reads_back(app, api, books):
    two_entries(api, books)
    resp = logged_in(app, "auditor-a").get("/t/kop-a/ledger/trial-balance.pdf?as_of=2026-03-10")
    text = PdfReader(io.BytesIO(resp.get_data())).pages[0].extract_text()
    assert "NERACA SALDO" in text and "Per 10 Maret 2026" in text
    assert "2.500.000,50" in text


def test_voucher_pdf_shows_the_entry_and_is_deterministic(app, api, books):
    two_entries(api, books)
    posted = post_via_api(
        api,
        books,
        [("1201", "1250000.00", "0"), ("1101", "0", "1250000.00")],
        day="2026-03-04",
        memo="Pencairan pinjaman Siti",
    ).get_json()
    client = logged_in(app, "auditor-a")
    url = f"/t/kop-a/ledger/entries/{posted['id']}.pdf"
    resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(resp.get_data())).pages[0].extract_text()
    for expected in (
        "KSP Sejahtera Bersama",
        "BUKTI JURNAL",
        "JU-2026-000003",
        "4 Maret 2026",
        "Pencairan pinjaman Siti",
        "Piutang pinjaman anggota",
        "Kas",
        "1.250.000",
        "Dibuat oleh",
        "Diperiksa oleh",
        "Disetujui oleh",
        "Bookkeeper-A",
    ):
        assert expected in text, expected
    assert "1.250.000,00" not in text
    assert client.get(url).get_data() == resp.get_data()


def test_voucher_pdf_of_another_tenant_is_404(app, books, db_session):
    from datetime import date

    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.ledger import post_entry
    from coopsaas.ledger.posting import EntrySpec, LineSpec

    with tenant_scope(db.session, books.b.id):
        entry = post_entry(
            tenant=books.b,
            actor=None,
            spec=EntrySpec(
                date(2026, 3, 2),
                [
                    LineSpec(books.accounts_b["1101"], debit=Decimal("10.00")),
                    LineSpec(books.accounts_b["3101"], credit=Decimal("10.00")),
                ],
            ),
        )
        entry_id = entry.id
    assert logged_in(app, "auditor-a").get(f"/t/kop-a/ledger/entries/{entry_id}.pdf").status_code == 404


def test_account_ledger_exports_carry_the_running_balance(app, api, books):
    post_via_api(api, books, [("1101", "1000000.00", "0"), ("3101", "0", "1000000.00")], day="2026-03-01")
    post_via_api(api, books, [("6102", "250000.50", "0"), ("1101", "0", "250000.50")], day="2026-03-03")
    client = logged_in(app, "auditor-a")
    base = f"/t/kop-a/ledger/accounts/{books.accounts['1101']}"
    resp = client.get(base + ".csv?start=2026-03-02&end=2026-03-10")
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert rows[1] == ["2026-03-02", "", "Saldo awal", "", "", "1000000.00"]
    assert rows[2] == ["2026-03-03", "JU-2026-000002", "Setoran", "0.00", "250000.50", "749999.50"]
    assert rows[-1] == ["2026-03-10", "", "Mutasi dan saldo akhir", "0.00", "250000.50", "749999.50"]
    ws = load_workbook(io.BytesIO(client.get(base + ".xlsx?start=2026-03-01").get_data())).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[1][0] == "Buku besar 1101 Kas"
    assert Decimal(str(values[-1][5])) == Decimal("749999.5")
    assert client.get(base + ".csv?start=2026-03-10&end=2026-03-01").status_code == 422
