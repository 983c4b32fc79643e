"""`flask ledger ...` commands: opening balances from CSV/XLSX, trial balance, close, verify."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.ledger import trial_balance
from coopsaas.ledger.models import FiscalPeriod, JournalEntry, JournalLine
from tests.ledger.conftest import rp

GOOD_CSV = """kode akun;nama akun;debit;kredit
1101;Kas;15.000.000;
1102;Bank;40.000.000,50;
1201;Piutang pinjaman anggota;60.000.000;
1702;Inventaris;12.000.000;
1709;Akumulasi penyusutan;;3.000.000
2101;Simpanan sukarela;;50.000.000,50
3101;Simpanan pokok;;20.000.000
3102;Simpanan wajib;;54.000.000
"""


@pytest.fixture
def cli(app, books):
    """Run a ledger command the way an operator would: no tenant in scope, data committed."""
    db.session.commit()
    clear_tenant(db.session)
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(args=["ledger", *args])
        clear_tenant(db.session)
        return result

    return run


def in_books(books):
    db.session.rollback()
    set_tenant(db.session, books.tenant.id)


def count_lines(books):
    in_books(books)
    return db.session.scalar(text("SELECT count(*) FROM journal_line"))


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_import_opening_posts_one_entry_from_csv(cli, books, tmp_path):
    result = cli(
        "import-opening",
        "--tenant",
        "kop-buku",
        write(tmp_path, "saldo.csv", GOOD_CSV),
        "--on",
        "2026-01-01",
        "--user",
        "akuntan-kop-buku",
    )
    assert result.exit_code == 0, result.output
    assert "posted JU-2026-000001: 8 lines, total 127.000.000,50" in result.output
    in_books(books)
    entry = db.session.scalars(select(JournalEntry)).one()
    assert (entry.source_type, entry.entry_on, entry.created_by_id) == (
        "opening",
        date(2026, 1, 1),
        books.bookkeeper.id,
    )
    tb = trial_balance(books.tenant, as_of=date(2026, 1, 1))
    assert tb.total_debit == tb.total_credit == rp("127000000.50")
    assert tb.row("1102").debit == rp("40000000.50")
    assert tb.row("1709").credit == rp(3000000)

    again = cli(
        "import-opening", "--tenant", "kop-buku", write(tmp_path, "saldo.csv", GOOD_CSV), "--on", "2026-01-01"
    )
    assert again.exit_code == 1
    assert "Opening balances were already posted as JU-2026-000001; reverse it first." in again.output
    assert count_lines(books) == 8


def test_import_opening_lists_unknown_codes_with_row_numbers_and_writes_nothing(cli, books, tmp_path):
    content = GOOD_CSV.replace("1201;", "9999;").replace("3102;", "3999;")
    result = cli(
        "import-opening", "--tenant", "kop-buku", write(tmp_path, "saldo.csv", content), "--on", "2026-01-01"
    )
    assert result.exit_code == 1
    assert "The file has problems in 2 rows; nothing was imported." in result.output
    assert "  - Row 4: unknown account code 9999." in result.output
    assert "  - Row 9: unknown account code 3999." in result.output
    assert count_lines(books) == 0


def test_import_opening_parses_amounts_strictly(cli, books, tmp_path):
    content = (
        GOOD_CSV.replace("15.000.000;", "15.000.000,505;")
        .replace("12.000.000;", "12.000.000;1")
        .replace(";;20.000.000", ";;-20.000.000")
    )
    result = cli(
        "import-opening", "--tenant", "kop-buku", write(tmp_path, "saldo.csv", content), "--on", "2026-01-01"
    )
    assert result.exit_code == 1
    assert "Row 2: debit '15.000.000,505' is not an amount." in result.output
    assert "Row 5: give either a debit or a credit, not both." in result.output
    assert "Row 8: amounts cannot be negative." in result.output
    assert count_lines(books) == 0


def test_import_opening_refuses_unbalanced_totals(cli, books, tmp_path):
    content = GOOD_CSV.replace(";;54.000.000", ";;53.000.000")
    result = cli(
        "import-opening", "--tenant", "kop-buku", write(tmp_path, "saldo.csv", content), "--on", "2026-01-01"
    )
    assert result.exit_code == 1
    assert (
        "Opening balances do not balance: debits Rp 127.000.000,50, credits Rp 126.000.000,50, "
        "difference Rp 1.000.000."
    ) in result.output
    assert count_lines(books) == 0


def test_import_opening_needs_the_column_headings(cli, books, tmp_path):
    result = cli(
        "import-opening",
        "--tenant",
        "kop-buku",
        write(tmp_path, "saldo.csv", "1101,Kas,100,\n"),
        "--on",
        "2026-01-01",
    )
    assert result.exit_code == 1
    assert "The first row must name the columns" in result.output


def test_import_opening_reads_xlsx(cli, books, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Account code", "Name", "Debit", "Credit"])
    ws.append([1101, "Kas", 1500000, None])
    ws.append(["1102", "Bank", 75000.5, None])
    ws.append(["3101", "Simpanan pokok", None, "1.575.000,50"])
    path = tmp_path / "saldo.xlsx"
    wb.save(path)
    result = cli("import-opening", "--tenant", "kop-buku", str(path), "--on", "2026-01-01")
    assert result.exit_code == 0, result.output
    in_books(books)
    tb = trial_balance(books.tenant, as_of=date(2026, 1, 1))
    assert [(r.code, r.debit, r.credit) for r in tb.rows] == [
        ("1101", rp(1500000), rp(0)),
        ("1102", rp("75000.50"), rp(0)),
        ("3101", rp(0), rp("1575000.50")),
    ]


def test_import_opening_refuses_an_unknown_tenant_and_a_bad_date(cli, books, tmp_path):
    path = write(tmp_path, "saldo.csv", GOOD_CSV)
    assert (
        "no tenant with slug 'kop-x'"
        in cli("import-opening", "--tenant", "kop-x", path, "--on", "2026-01-01").output
    )
    bad = cli("import-opening", "--tenant", "kop-buku", path, "--on", "01-01-2026")
    assert bad.exit_code == 1
    assert "is not a date" in bad.output


def test_trial_balance_and_close_commands(cli, books):
    set_tenant(db.session, books.tenant.id)
    books.post(date(2026, 1, 5), ("1101", 2500000, 0), ("2101", 0, 2500000))
    db.session.commit()
    clear_tenant(db.session)

    tb = cli("trial-balance", "--tenant", "kop-buku", "--as-of", "2026-01-31")
    assert tb.exit_code == 0, tb.output
    assert "1101     Kas" in tb.output
    assert tb.output.rstrip().splitlines()[-1].split()[-2:] == ["2.500.000,00", "2.500.000,00"]

    closed = cli("close", "--tenant", "kop-buku", "--period", "2026-01", "--user", "ketua-kop-buku")
    assert closed.exit_code == 0, closed.output
    assert "closed 2026-01" in closed.output
    in_books(books)
    period = db.session.scalars(select(FiscalPeriod)).one()
    assert (period.status, period.closed_by_id) == ("closed", books.manager.id)
    db.session.commit()
    clear_tenant(db.session)

    again = cli("close", "--tenant", "kop-buku", "--period", "2026-01")
    assert again.exit_code == 1
    assert "2026-01 is already closed." in again.output
    bad = cli("close", "--tenant", "kop-buku", "--period", "januari")
    assert bad.exit_code == 1
    assert "is not YYYY-MM" in bad.output


def test_verify_command_exits_1_on_findings(cli, books):
    ok = cli("verify", "--tenant", "kop-buku")
    assert (ok.exit_code, ok.output.strip()) == (0, "kop-buku\tok")

    set_tenant(db.session, books.tenant.id)
    entry = JournalEntry(voucher_no="JU-2026-000001", series="JU", entry_on=date(2026, 1, 9), memo="rusak")
    entry.lines.append(
        JournalLine(
            line_no=1,
            account_id=books.accounts["1101"].id,
            entry_on=date(2026, 1, 9),
            debit=Decimal("1000.00"),
            credit=Decimal("0.00"),
        )
    )
    entry.lines.append(
        JournalLine(
            line_no=2,
            account_id=books.accounts["3101"].id,
            entry_on=date(2026, 1, 9),
            debit=Decimal("0.00"),
            credit=Decimal("10.00"),
        )
    )
    db.session.add(entry)
    db.session.commit()
    clear_tenant(db.session)

    bad = cli("verify", "--tenant", "kop-buku")
    assert bad.exit_code == 1
    assert (
        "kop-buku\tunbalanced_entry\tJU-2026-000001 does not balance: debits Rp 1.000, credits Rp 10."
        in bad.output
    )
