"""Payroll deduction: the list per employer and month (loan instalments + simpanan wajib + shop
credit), its XLSX export, and the import of the confirmed file: all rows posted by bank transfer on
the payroll date, partial rows listed, a second import of the same file posts nothing, and a file with
any bad row posts nothing at all."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.errors import Conflict
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.loans import payroll as pr
from coopsaas.loans.models import LoanTransaction
from coopsaas.loans.payroll_models import PayrollBatch
from coopsaas.retail import credit
from coopsaas.savings import services as savings
from tests.loans_payroll.conftest import EMPLOYER, PAYDAY
from tests.loans_repay.builders import at, lines_of, rp

MONTH = "2026-12"


def export(p, employer=EMPLOYER):
    return pr.export_xlsx(p.coop.tenant, employer=employer, month=MONTH, payroll_on=PAYDAY)


def sheet_of(content):
    return load_workbook(io.BytesIO(content)).active


def confirm(content, amounts):
    """The employer's answer: column H filled per member number (None: leave as exported)."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    for line in range(pr.FIRST_ROW, sheet.max_row + 1):
        no = sheet.cell(row=line, column=1).value
        if no in amounts:
            sheet.cell(row=line, column=8, value=amounts[no])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def entries():
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def wajib_of(member):
    return next(a for a in savings.accounts_of(member) if a.product.kind == "wajib")


def test_list_and_export_show_each_component_per_member_of_the_employer(payroll):
    p = payroll
    rows = pr.deduction_list(p.coop.tenant, employer="pt maju jaya", month=MONTH, payroll_on=PAYDAY)
    assert [r.member.member_no for r in rows] == sorted([p.budi.member_no, p.siti.member_no])
    budi = next(r for r in rows if r.member.id == p.budi.id)
    # One instalment of Rp 1.081.667 due 19 December, paid on the 25th: the product charges 0,1 %
    # a day after 3 days of grace, 3 days x 1.081,667 = 3.245; wajib Rp 50.000 for November and
    # December.
    assert (budi.loan_due, budi.wajib, budi.shop) == (rp(1084912), rp(100000), rp(150000))
    assert budi.loan_numbers == p.loan.loan_no and budi.total == rp(1334912)
    # Without a payroll date the list counts to the month's last day: 9 days of denda (9.735).
    by_default = pr.deduction_list(p.coop.tenant, employer="pt maju jaya", month=MONTH)
    assert next(r for r in by_default if r.member.id == p.budi.id).loan_due == rp(1091402)
    sheet = sheet_of(export(p))
    assert sheet["B3"].value == EMPLOYER and sheet["B4"].value == MONTH and sheet["B5"].value == "2026-12-25"
    header = [sheet.cell(row=pr.HEADER_ROW, column=c).value for c in range(1, 9)]
    assert header[0] == "Member no." and header[-1] == "Confirmed amount"
    line = [c.value for c in sheet[pr.FIRST_ROW]] if rows[0].member.id == p.budi.id else None
    if line is None:
        line = [c.value for c in sheet[pr.FIRST_ROW + 1]]
    assert line == [p.budi.member_no, "Budi Santoso", p.loan.loan_no, 1084912, 100000, 150000, 1334912, None]


def test_import_posts_every_component_by_bank_on_the_payroll_date(payroll, check_deferred):
    p = payroll
    content = export(p)
    filled = confirm(content, {p.budi.member_no: 1334912, p.siti.member_no: 100000})
    before = entries()
    with frozen(at(PAYDAY)):
        result = pr.import_confirmed(p.coop.tenant, actor=p.coop.teller, content=filled)
    check_deferred()
    assert not result.already_imported and result.partial == [] and result.missing == []
    assert result.batch.confirmed_total == rp(1434912) and result.batch.due_total == rp(1434912)
    # Budi: loan repayment + wajib deposit + shop credit payment; Siti: wajib deposit.
    assert entries() - before == 4
    txn = db.session.scalars(
        select(LoanTransaction).where(
            LoanTransaction.loan_id == p.loan.id, LoanTransaction.kind != "disbursement"
        )
    ).all()
    repayment = [t for t in txn if t.channel == "transfer"]
    assert len(repayment) == 1 and repayment[0].entry_on == PAYDAY
    entry = db.session.get(JournalEntry, (p.coop.tenant.id, repayment[0].journal_entry_id))
    assert lines_of(entry) == [
        ("1102", rp(1084912), rp(0)),
        ("1201", rp(0), rp(916667)),
        ("4101", rp(0), rp(165000)),
        ("4104", rp(0), rp(3245)),  # the denda of the three days after the grace
    ]
    assert p.loan.outstanding_principal == rp(10083333)
    assert wajib_of(p.budi).balance == rp(100000) and wajib_of(p.siti).balance == rp(100000)
    assert credit.credit_row(p.budi.id).outstanding == rp(0)
    with frozen(at(PAYDAY)):
        assert not verify_ledger(p.coop.tenant)


def test_same_file_again_posts_nothing_and_another_file_is_refused(payroll):
    p = payroll
    filled = confirm(export(p), {p.budi.member_no: 1334912, p.siti.member_no: 100000})
    with frozen(at(PAYDAY)):
        pr.import_confirmed(p.coop.tenant, actor=p.coop.teller, content=filled)
        before = entries()
        again = pr.import_confirmed(p.coop.tenant, actor=p.coop.teller, content=filled)
        assert again.already_imported and entries() == before
        assert [r.confirmed for r in again.rows] == [rp(1334912), rp(100000)] or [
            r.confirmed for r in again.rows
        ] == [rp(100000), rp(1334912)]
        other = confirm(filled, {p.budi.member_no: 1000000})
        with pytest.raises(Conflict) as err:
            pr.import_confirmed(p.coop.tenant, actor=p.coop.teller, content=other)
    assert err.value.code == "payroll_already_posted" and entries() == before
    assert db.session.scalar(select(func.count()).select_from(PayrollBatch)) == 1


def test_partial_payment_pays_the_loan_first_and_is_listed(payroll):
    p = payroll
    filled = confirm(export(p), {p.budi.member_no: 1100000, p.siti.member_no: 0})
    with frozen(at(PAYDAY)):
        result = pr.import_confirmed(p.coop.tenant, actor=p.coop.teller, content=filled)
    budi = next(r for r in result.rows if r.member_no == p.budi.member_no)
    assert (budi.loans, budi.wajib, budi.shop, budi.shortfall) == (rp(1084912), rp(15088), rp(0), rp(234912))
    assert {r.member_no for r in result.partial} == {p.budi.member_no, p.siti.member_no}
    assert wajib_of(p.budi).balance == rp(15088) and wajib_of(p.siti).balance == rp(0)
    assert credit.credit_row(p.budi.id).outstanding == rp(150000)


def test_a_file_with_bad_rows_is_refused_whole_with_row_and_column(payroll):
    p = payroll
    content = export(p)
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    last = pr.FIRST_ROW + 2
    sheet.cell(row=last, column=1, value="A-999999")  # unknown member
    sheet.cell(row=last, column=8, value=10000)
    sheet.cell(row=last + 1, column=1, value=p.andi.member_no)  # another employer
    sheet.cell(row=last + 1, column=8, value=5000)
    for line in (pr.FIRST_ROW, pr.FIRST_ROW + 1):
        if sheet.cell(row=line, column=1).value == p.budi.member_no:
            sheet.cell(row=line, column=8, value=2000000)  # more than due
        else:
            sheet.cell(row=line, column=5, value=50000)  # stale wajib figure
            sheet.cell(row=line, column=8, value=50000)
    out = io.BytesIO()
    book.save(out)
    before = entries()
    with frozen(at(PAYDAY)), pytest.raises(pr.PayrollFileRejected) as err:
        pr.import_confirmed(p.coop.tenant, actor=p.coop.teller, content=out.getvalue())
    problems = {(row, col) for row, col, _ in err.value.problems}
    texts = " | ".join(t for _, _, t in err.value.problems)
    assert (last, "A") in problems and (last + 1, "A") in problems
    assert "A-999999 is unknown" in texts and "does not work for PT Maju Jaya" in texts
    assert "more than the Rp 1.334.912 due" in texts and "Rp 100.000 is due now" in texts
    assert entries() == before
    assert db.session.scalar(select(func.count()).select_from(PayrollBatch)) == 0
    assert wajib_of(p.budi).balance == Decimal("0.00")


def test_not_an_xlsx_and_empty_confirmed_are_refused(payroll):
    p = payroll
    with pytest.raises(pr.PayrollFileRejected, match="not an XLSX"):
        pr.import_confirmed(p.coop.tenant, actor=p.coop.teller, content=b"no,spreadsheet\n")
    with frozen(at(PAYDAY)), pytest.raises(pr.PayrollFileRejected, match="confirmed amount is empty"):
        pr.import_confirmed(p.coop.tenant, actor=p.coop.teller, content=export(p))
