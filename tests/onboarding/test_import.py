"""Onboarding import service: all or nothing, balances to the rupiah, CSV and XLSX, once per file."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from coopsaas.errors import Conflict
from coopsaas.extensions import db
from coopsaas.ledger import trial_balance, verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.members import importer
from coopsaas.members.models import Member
from coopsaas.savings.models import SavingsAccount, SavingsTransaction
from tests.onboarding.conftest import GOOD_CSV, HEADINGS, count
from tests.savings_services.builders import TODAY, rp


def run_import(coop, text, filename="anggota.csv", **kw):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return importer.import_members(tenant=coop.tenant, actor=coop.manager, filename=filename, data=data, **kw)


def balances(nik):
    member = db.session.scalars(select(Member).where(Member.nik == nik)).one()
    accounts = db.session.scalars(select(SavingsAccount).where(SavingsAccount.member_id == member.id))
    return member, {a.product.kind: a.balance for a in accounts}


def test_good_file_registers_members_with_balances_to_the_rupiah(coop):
    result = run_import(coop, GOOD_CSV)

    assert [m.name for m in result.members] == ["Siti Aminah", "Budi Santoso", "Rina Wati"]
    assert result.totals == {"pokok": rp(500000), "wajib": rp(1800000), "sukarela": rp("425000.50")}
    siti, siti_balances = balances("3578014508900001")
    assert siti_balances == {"pokok": rp(250000), "wajib": rp(1200000), "sukarela": rp("350000.50")}
    assert (siti.joined_on, siti.sex, siti.address) == (date(2025, 3, 1), "P", "Jl. Mawar 1, Surabaya")
    budi, budi_balances = balances("3578011703850002")
    assert budi.birth_date == date(1985, 3, 17)
    assert budi_balances == {"pokok": rp(250000), "wajib": rp(600000), "sukarela": rp(0)}
    rina, rina_balances = balances("3578016204000003")
    assert (rina.type, rina.member_no, rina.joined_on) == ("calon_anggota", "C-000001", TODAY)
    assert rina_balances == {"sukarela": rp(75000)}


def test_trial_balance_shows_the_imported_balances(coop):
    run_import(coop, GOOD_CSV)

    tb = trial_balance(coop.tenant, as_of=TODAY)
    assert tb.row("3101").credit == rp(500000)
    assert tb.row("3102").credit == rp(1800000)
    assert tb.row("2101").credit == rp("425000.50")
    assert tb.row("1101").debit == rp("2725000.50")
    assert tb.is_balanced
    assert verify_ledger(coop.tenant) == []


def test_one_bad_row_lists_row_column_and_problem_and_writes_nothing(coop):
    bad = GOOD_CSV + (
        "1234,Tono,L,,,,,,anggota,,,\n"
        '3578012001800004,Tini Suryani,P,1980-01-20,,,,,anggota,,"1.000.000,555",-5000\n'
        "3578011703850002,Budi Kembar,L,,,,,2027-01-01,pengurus,,,\n"
    )
    with pytest.raises(importer.ImportRejected) as caught:
        run_import(coop, bad)

    problems = {(p.row, p.column): p.message for p in caught.value.problems}
    assert problems[(5, "nik")] == "A NIK has exactly 16 digits."
    assert "woman" in problems[(6, "nik")]
    assert problems[(6, "wajib")] == "1.000.000,555 is not an amount in rupiah (at most 2 decimals)."
    assert problems[(6, "sukarela")] == "An opening balance cannot be negative."
    assert problems[(7, "nik")] == "The same NIK is on row 3."
    assert problems[(7, "type")] == "Write anggota or calon_anggota, not pengurus."
    assert problems[(7, "joined_on")] == "The joining date is after the opening date 2026-11-19."
    assert str(caught.value.message) == "The file has problems in 3 row(s); nothing was imported."
    assert caught.value.fields["rows.5.nik"] == ["A NIK has exactly 16 digits."]
    assert count(Member) == count(JournalEntry) == count(SavingsTransaction) == 0


def test_nik_already_in_the_register_is_refused(coop):
    coop.register()  # Siti, at the counter
    with pytest.raises(importer.ImportRejected) as caught:
        run_import(coop, GOOD_CSV)
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (2, "nik", "This NIK is already registered as member A-000001.")
    ]
    assert count(Member) == 1


def test_pokok_other_than_the_cooperatives_amount_is_refused(coop):
    text = HEADINGS + "3578014508900001,Siti Aminah,P,,,,,,anggota,100000,,\n"
    with pytest.raises(importer.ImportRejected) as caught:
        run_import(coop, text)
    assert (
        caught.value.problems[0].message
        == "Simpanan pokok is Rp 250.000 for every member, not Rp 100.000,00."
    )


def test_missing_and_unknown_columns_are_reported(coop):
    with pytest.raises(importer.ImportRejected) as caught:
        run_import(coop, "nama,saldo\nSiti,1000\n")
    assert {(p.column, p.message) for p in caught.value.problems} == {
        ("saldo", "Unknown column saldo."),
        ("nik", "The column nik is missing."),
    }


def test_the_same_file_twice_is_recognised(coop):
    run_import(coop, GOOD_CSV)
    with pytest.raises(Conflict) as caught:
        run_import(coop, GOOD_CSV)
    assert caught.value.code == "already_imported"
    assert (
        str(caught.value.message) == "This file was already imported (3 members); nothing was imported again."
    )
    assert count(Member) == 3


def xlsx(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_numbers_and_dates_imports_the_same_way(coop):
    data = xlsx(
        [
            list(importer.COLUMNS),
            [
                "3578014508900001",
                "Siti Aminah",
                "P",
                date(1990, 8, 5),
                None,
                "081234567890",
                None,
                date(2025, 3, 1),
                "anggota",
                250000,
                1200000,
                350000.5,
            ],
            [
                "3578011703850002",
                "Budi Santoso",
                "L",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "600.000",
                None,
            ],
        ]
    )
    result = run_import(coop, data, filename="anggota.xlsx")

    assert result.totals == {"pokok": rp(500000), "wajib": rp(1800000), "sukarela": rp("350000.50")}
    assert balances("3578014508900001")[1]["sukarela"] == rp("350000.50")


def test_xlsx_amount_with_fractions_of_sen_is_refused(coop):
    data = xlsx(
        [
            list(importer.COLUMNS),
            ["3578014508900001", "Siti Aminah", "P", None, None, None, None, None, None, None, None, 10.005],
        ]
    )
    with pytest.raises(importer.ImportRejected) as caught:
        run_import(coop, data, filename="anggota.xlsx")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "sukarela")]
    assert count(Member) == 0


def test_templates_carry_the_columns():
    assert importer.template_csv().decode().strip() == ",".join(importer.COLUMNS)
    wb = load_workbook(io.BytesIO(importer.template_xlsx()))
    assert [c.value for c in wb.worksheets[0][1]] == list(importer.COLUMNS)


def test_joining_date_in_a_closed_month_is_reported_before_anything_is_written(coop):
    from coopsaas.ledger import close_period

    close_period(tenant=coop.tenant, actor=coop.manager, year=2026, month=1)
    text = HEADINGS + "3578014508900001,Siti Aminah,P,,,,,2026-01-20,anggota,,,\n"
    with pytest.raises(importer.ImportRejected) as caught:
        run_import(coop, text)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "joined_on")]
    assert "closed up to 2026-01-31" in caught.value.problems[0].message
    with pytest.raises(importer.ImportRejected) as early:
        run_import(coop, GOOD_CSV, opened_on=date(2026, 1, 31))
    assert (
        early.value.problems[0].message
        == "The opening date falls in a closed month (closed up to 2026-01-31)."
    )
    assert count(Member) == 0
