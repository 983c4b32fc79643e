"""Passbook printing: which transactions land on which page and line, the PDF's text at its place
on the page, confirming, failed prints, and the manager's reset."""

from __future__ import annotations

import io
import math
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from coopsaas.core.audit import AuditEvent
from coopsaas.errors import Conflict, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.savings import passbook
from coopsaas.savings import services as savings
from tests.savings_services.builders import TODAY, rp

PT_PER_MM = 72 / 25.4


def sukarela_with(coop, moves, *, per_page=None):
    """Siti's sukarela account after `moves` ((+/-amount, day) pairs), recorded in that order."""
    if per_page is not None:
        coop.tenant.settings = {**coop.tenant.settings, "passbook_lines_per_page": per_page}
    admission = coop.register(joined_on=date(2026, 11, 12))
    account = coop.account(admission, "sukarela")
    add(coop, account, moves)
    return account


def add(coop, account, moves):
    for amount, day in moves:
        service = savings.deposit if not amount.startswith("-") else savings.withdraw
        service(
            tenant=coop.tenant,
            actor=coop.teller,
            account=account,
            amount=amount.lstrip("-"),
            on=date(2026, 11, day),
        )


def placed(run):
    return [(ln.page_no, ln.line_no, ln.code, ln.debit, ln.credit, ln.balance) for ln in run.lines]


def confirm(coop, account, run):
    return passbook.confirm_print(
        tenant=coop.tenant,
        actor=coop.teller,
        account=account,
        started_from=run.start,
        through_transaction_id=run.through_transaction_id,
    )


def pdf_rows(data):
    """Per PDF page: the text rows below the header area as {line index: text}, and the header text.

    Each printed cell is one `x y Td (text) Tj`: positions come from the Td operands and texts, in
    the same order, from the text visitor; a row's line index is where its baseline falls."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        height_pt = float(page.mediabox.height)
        spots, texts = [], []

        def before(op, args, cm, tm, spots=spots):
            if op == b"Td":
                spots.append((float(args[0]), float(args[1])))

        def visit(text, cm, tm, font, size, texts=texts):
            if text.strip():
                texts.append(text.strip())

        page.extract_text(visitor_operand_before=before, visitor_text=visit)
        assert len(spots) == len(texts)
        rows, header = {}, []
        for (x, y), text in zip(spots, texts, strict=True):
            top_mm = (height_pt - y) / PT_PER_MM  # the baseline's distance from the top edge
            if top_mm < passbook.HEADER_MM:
                header.append(text)
                continue
            index = math.floor((top_mm - passbook.HEADER_MM) / passbook.LINE_MM) + 1
            rows.setdefault(index, []).append((x, text))
        pages.append(
            ({i: " ".join(t for _x, t in sorted(parts)) for i, parts in rows.items()}, " ".join(header))
        )
    return pages


def test_first_print_starts_at_line_one_with_running_balance(coop):
    account = sukarela_with(coop, [("500000", 12), ("-120000.50", 13), ("75000", 16)])
    run = passbook.print_run(coop.tenant, account)

    assert run.lines_per_page == 24
    assert placed(run) == [
        (1, 1, "SETOR", rp(0), rp(500000), rp(500000)),
        (1, 2, "TARIK", rp("120000.50"), rp(0), rp("379999.50")),
        (1, 3, "SETOR", rp(0), rp(75000), rp("454999.50")),
    ]
    assert run.lines[-1].balance == account.balance
    assert {ln.initials for ln in run.lines} == {"KKB"}  # "Kasir-Ksp-Buku"
    assert passbook.position_of(account) == passbook.Position()  # printing alone moves nothing


def test_continues_where_it_stopped_and_breaks_onto_a_new_page(coop):
    account = sukarela_with(
        coop, [("100000", 12), ("200000", 13), ("300000", 13), ("-50000", 16)], per_page=6
    )
    first = passbook.print_run(coop.tenant, account)
    end = confirm(coop, account, first)
    assert (end.page_no, end.line_no) == (1, 4)

    add(coop, account, [("10000", 17), ("20000", 17), ("30000", 18), ("-40000", 18), ("50000", 19)])
    run = passbook.print_run(coop.tenant, account)
    assert [(ln.page_no, ln.line_no, ln.code) for ln in run.lines] == [
        (1, 5, "SETOR"),
        (1, 6, "SETOR"),
        (2, 1, "SETOR"),
        (2, 2, "TARIK"),
        (2, 3, "SETOR"),
    ]
    assert [ln.balance for ln in run.lines] == [rp(560000), rp(580000), rp(610000), rp(570000), rp(620000)]
    assert run.lines[-1].balance == account.balance == rp(620000)

    pages = pdf_rows(passbook.passbook_pdf(run, coop_name="KSP Buku"))
    assert len(pages) == 2
    page1, header1 = pages[0]
    page2, header2 = pages[1]
    # Lines 1-4 were printed before: blank space, the new lines sit exactly on lines 5 and 6.
    assert sorted(page1) == [5, 6]
    assert page1[5] == "17/11/26 SETOR 10.000 560.000 KKB"
    assert page1[6] == "17/11/26 SETOR 20.000 580.000 KKB"
    assert header1 == ""  # a page already begun gets no second page number
    assert sorted(page2) == [1, 2, 3]
    assert page2[1] == "18/11/26 SETOR 30.000 610.000 KKB"
    assert page2[2] == "18/11/26 TARIK 40.000 570.000 KKB"
    assert page2[3] == "19/11/26 SETOR 50.000 620.000 KKB"
    assert header2 == "Buku 1 - Halaman 2"

    end = confirm(coop, account, run)
    assert (end.book_no, end.page_no, end.line_no) == (1, 2, 3)
    assert passbook.print_run(coop.tenant, account).lines == []
    with pytest.raises(Conflict, match="Everything in this passbook is printed already"):
        passbook.passbook_pdf(passbook.print_run(coop.tenant, account), coop_name="KSP Buku")


def test_a_failed_print_is_printed_again_identically_and_confirming_twice_changes_nothing(coop):
    account = sukarela_with(coop, [("100000", 12), ("200000", 13)])
    run = passbook.print_run(coop.tenant, account)
    first_pdf = passbook.passbook_pdf(run, coop_name="KSP Buku")
    again = passbook.print_run(coop.tenant, account)  # the printer jammed: print again
    assert passbook.passbook_pdf(again, coop_name="KSP Buku") == first_pdf

    end = confirm(coop, account, again)
    assert confirm(coop, account, again) == end  # a double click
    add(coop, account, [("5000", 16)])
    later = passbook.print_run(coop.tenant, account)
    confirm(coop, account, later)
    with pytest.raises(Conflict, match="position changed since this print"):
        passbook.confirm_print(
            tenant=coop.tenant,
            actor=coop.teller,
            account=account,
            started_from=run.start,
            through_transaction_id=run.through_transaction_id,
        )
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "savings.passbook.print")
    )
    assert len(list(events)) == 2


def test_confirming_a_transaction_outside_the_print_is_refused(coop):
    account = sukarela_with(coop, [("100000", 12)])
    other = sukarela_with_budi(coop)
    run = passbook.print_run(coop.tenant, account)
    with pytest.raises(ValidationError, match="not in this print"):
        passbook.confirm_print(
            tenant=coop.tenant,
            actor=coop.teller,
            account=account,
            started_from=run.start,
            through_transaction_id=passbook.print_run(coop.tenant, other).through_transaction_id,
        )
    assert passbook.position_of(account) == passbook.Position()


def sukarela_with_budi(coop):
    from tests.savings_services.builders import NIK_BUDI

    admission = coop.register(nik=NIK_BUDI, name="Budi Santoso", joined_on=date(2026, 11, 12))
    account = coop.account(admission, "sukarela")
    add(coop, account, [("90000", 13)])
    return account


def test_manager_reprints_from_a_chosen_transaction_at_a_chosen_line(coop):
    account = sukarela_with(coop, [("100000", 12), ("200000", 13), ("300000", 16), ("400000", 17)])
    run = passbook.print_run(coop.tenant, account)
    confirm(coop, account, run)
    third = run.lines[2].transaction_id

    with pytest.raises(PermissionDenied):
        passbook.reset_position(
            tenant=coop.tenant,
            actor=coop.teller,
            account=account,
            from_transaction_id=third,
            page_no=1,
            line_no=3,
        )
    with pytest.raises(ValidationError, match="The line is a number from 1 to 24"):
        passbook.reset_position(
            tenant=coop.tenant,
            actor=coop.manager,
            account=account,
            from_transaction_id=third,
            page_no=1,
            line_no=25,
        )
    after = passbook.reset_position(
        tenant=coop.tenant,
        actor=coop.manager,
        account=account,
        from_transaction_id=third,
        page_no=1,
        line_no=3,
    )
    assert (after.page_no, after.line_no, after.last_transaction_id) == (1, 2, run.lines[1].transaction_id)
    again = passbook.print_run(coop.tenant, account)
    assert placed(again) == [
        (1, 3, "SETOR", rp(0), rp(300000), rp(600000)),
        (1, 4, "SETOR", rp(0), rp(400000), rp(1000000)),
    ]
    reset = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "savings.passbook.reset")).one()
    assert reset.summary["from"]["line"] == 4 and reset.summary["to"]["line"] == 2


def test_a_new_book_starts_on_page_one_with_the_balance_brought_forward(coop):
    account = sukarela_with(coop, [("100000", 12), ("-25000", 13)], per_page=6)
    confirm(coop, account, passbook.print_run(coop.tenant, account))
    passbook.reset_position(tenant=coop.tenant, actor=coop.manager, account=account, new_book=True)
    add(coop, account, [("40000", 18)])

    run = passbook.print_run(coop.tenant, account)
    assert run.start.book_no == 2
    assert placed(run) == [
        (1, 1, "SALDO", rp(0), rp(0), rp(75000)),
        (1, 2, "SETOR", rp(0), rp(40000), rp(115000)),
    ]
    rows, header = pdf_rows(passbook.passbook_pdf(run, coop_name="KSP Buku"))[0]
    assert header == "Buku 2 - Halaman 1"
    assert rows[1] == "18/11/26 SALDO 75.000"
    confirm(coop, account, run)
    assert passbook.position_of(account).carry_forward is False


def test_system_postings_show_sys_and_today_is_the_business_date(coop):
    account = sukarela_with(coop, [("100000", TODAY.day)])
    assert passbook.initials(None) == "SYS"
    assert passbook.initials("Siti Nur Aminah Putri") == "SNA"
    assert passbook.print_run(coop.tenant, account).lines[0].entry_on == TODAY


def test_a_print_stops_at_the_transaction_the_page_showed(coop):
    account = sukarela_with(coop, [("100000", 12)])
    shown = passbook.print_run(coop.tenant, account)
    add(coop, account, [("7000", 18)])  # a deposit arrives while the teller looks at the page
    run = passbook.print_run(coop.tenant, account, through=shown.through_transaction_id)
    assert placed(run) == [(1, 1, "SETOR", rp(0), rp(100000), rp(100000))]
    confirm(coop, account, run)
    with pytest.raises(Conflict, match="position changed since this page was shown"):
        passbook.print_run(coop.tenant, account, through=shown.through_transaction_id)
    assert placed(passbook.print_run(coop.tenant, account)) == [(1, 2, "SETOR", rp(0), rp(7000), rp(107000))]
