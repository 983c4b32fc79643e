"""Loan reports: the arrears list for collectors and the portfolio quality (PAR, NPL, by product and
class), computed from the stored instalments for a report date (domain/loans.md sections 6-9).

Days past due are worked out in SQL for the whole book at once, as the ageing job does; the class
comes from the product's profile (or the tenant's). Loans under the cooperative rule, which needs
collateral facts, take the class the last ageing run stored. For a date in the past, the loans
that something happened to since (a repayment, a write-off, a rescheduling, a closing) are rebuilt
as they stood then (as_of.py); loans disbursed after the date are left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import case, func, select

from coopsaas.core.money import money_str, to_money
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.loans import penalties
from coopsaas.loans.ageing import PROFILES, late_filter, late_since, tenant_profile
from coopsaas.loans.as_of import changed_after, standings
from coopsaas.loans.collectibility import DEFAULT_PROFILE, DpdProfile, Kolektibilitas, profile_named
from coopsaas.loans.models import ACTIVE, WRITTEN_OFF, ZERO, Loan, LoanInstalment, LoanProduct, LoanReschedule
from coopsaas.loans.portfolio import LoanPosition, PortfolioQuality, portfolio_quality
from coopsaas.members.models import Member
from coopsaas.tenancy.models import Tenant

CLASS_ORDER = (
    Kolektibilitas.LANCAR,
    Kolektibilitas.DPK,
    Kolektibilitas.KURANG_LANCAR,
    Kolektibilitas.DIRAGUKAN,
    Kolektibilitas.MACET,
)
CLASS_NAMES = {
    Kolektibilitas.LANCAR: "Lancar",
    Kolektibilitas.DPK: "Dalam Perhatian Khusus",
    Kolektibilitas.KURANG_LANCAR: "Kurang Lancar",
    Kolektibilitas.DIRAGUKAN: "Diragukan",
    Kolektibilitas.MACET: "Macet",
}


class Classifier:
    """The class of a loan from its DPD, by its product's profile; a rescheduled loan not cured yet
    keeps at least the class it had when it was rescheduled (reschedule.class_floors), as the
    ageing job classes it."""

    def __init__(self, tenant: Tenant) -> None:
        from coopsaas.loans.reschedule import class_floors, floored

        default = tenant_profile(tenant)
        self.by_product: dict[Any, Any] = {}
        for pid, key in db.session.execute(select(LoanProduct.id, LoanProduct.collectibility_profile)):
            name = key or default
            self.by_product[pid] = profile_named(name if name in PROFILES else DEFAULT_PROFILE)
        self.floors = class_floors(tenant)
        self._floored = floored

    def __call__(self, product_id: Any, dpd: int, stored: str | None, loan_id: Any = None) -> Kolektibilitas:
        profile = self.by_product.get(product_id) or profile_named(DEFAULT_PROFILE)
        if isinstance(profile, DpdProfile):
            klass = profile.class_for_dpd(dpd)
        else:
            klass = Kolektibilitas(stored) if stored else profile_named(DEFAULT_PROFILE).class_for_dpd(dpd)
        return self._floored(klass, self.floors.get(loan_id))


# ---- arrears list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearsRow:
    loan_id: Any
    loan_no: str
    member_id: Any
    member_no: str
    member_name: str
    phone: str
    product_code: str
    oldest_due_on: date
    days_past_due: int
    principal_due: Decimal
    interest_due: Decimal
    penalty_due: Decimal
    outstanding: Decimal
    kolektibilitas: Kolektibilitas

    @property
    def amount_due(self) -> Decimal:
        return self.principal_due + self.interest_due + self.penalty_due

    @property
    def class_name(self) -> str:
        return CLASS_NAMES[self.kolektibilitas]


def _changed(tenant: Tenant, as_of: date) -> set[Any]:
    """For a past date: the loans to rebuild as they stood then (as_of.py); none for today."""
    return changed_after(as_of) if as_of < today_for(tenant) else set()


def arrears_list(tenant: Tenant, as_of: date) -> list[ArrearsRow]:
    """Every active loan late on `as_of`, longest late first: what is due now and who to call. For a
    past date, the loans that changed since are taken as they stood then (as_of.py)."""
    late_due = case((late_filter(as_of), LoanInstalment.due_on), else_=None)
    due = (
        select(
            LoanInstalment.loan_id.label("loan_id"),
            func.min(late_due).label("oldest"),
            func.sum(LoanInstalment.principal - LoanInstalment.principal_paid).label("principal"),
            func.sum(
                LoanInstalment.interest - LoanInstalment.interest_paid - LoanInstalment.interest_waived
            ).label("interest"),
            func.sum(LoanInstalment.penalty - LoanInstalment.penalty_paid).label("penalty"),
        )
        .where(LoanInstalment.due_on <= as_of, LoanInstalment.superseded_on.is_(None))
        .group_by(LoanInstalment.loan_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Loan.id,
            Loan.loan_no,
            Loan.product_id,
            Loan.outstanding_principal,
            Loan.kolektibilitas,
            Loan.terms,
            Member.id,
            Member.member_no,
            Member.name,
            Member.phone,
            due.c.oldest,
            due.c.principal,
            due.c.interest,
            due.c.penalty,
        )
        .join(due, due.c.loan_id == Loan.id)
        .join(Member, Member.id == Loan.member_id)
        .where(Loan.status == ACTIVE, due.c.oldest.is_not(None), Loan.disbursed_on <= as_of)
    ).all()
    changed = _changed(tenant, as_of)
    rows = [r for r in rows if r[0] not in changed]
    classify = Classifier(tenant)
    accrued = penalties.accrued_by_loan({r[0]: r.terms for r in rows}, as_of)
    out = []
    for standing in standings(changed, as_of):
        if standing.written_off or standing.oldest_late is None:
            continue
        loan = standing.loan
        dpd = (as_of - standing.oldest_late).days
        out.append(
            ArrearsRow(
                loan_id=loan.id,
                loan_no=loan.loan_no,
                member_id=loan.member_id,
                member_no=loan.member.member_no,
                member_name=loan.member.name,
                phone=loan.member.phone or "",
                product_code=(loan.terms or {}).get("product_code", ""),
                oldest_due_on=standing.oldest_late,
                days_past_due=dpd,
                principal_due=standing.principal_due,
                interest_due=standing.interest_due,
                penalty_due=standing.penalty_due,
                outstanding=standing.outstanding,
                kolektibilitas=classify(loan.product_id, dpd, loan.kolektibilitas, loan.id),
            )
        )
    for r in rows:
        oldest = _as_date(r.oldest)
        dpd = (as_of - oldest).days
        if dpd < 1:
            continue
        out.append(
            ArrearsRow(
                loan_id=r[0],
                loan_no=r.loan_no,
                member_id=r[6],
                member_no=r.member_no,
                member_name=r.name,
                phone=r.phone or "",
                product_code=(r.terms or {}).get("product_code", ""),
                oldest_due_on=oldest,
                days_past_due=dpd,
                principal_due=to_money(r.principal or 0),
                interest_due=to_money(r.interest or 0),
                penalty_due=to_money(r.penalty or 0) + accrued.get(r[0], ZERO),
                outstanding=to_money(r.outstanding_principal),
                kolektibilitas=classify(r.product_id, dpd, r.kolektibilitas, r[0]),
            )
        )
    out.sort(key=lambda a: (-a.days_past_due, a.loan_no))
    return out


ARREARS_HEADINGS = (
    "No. pinjaman",
    "No. anggota",
    "Nama anggota",
    "Telepon",
    "Produk",
    "Jatuh tempo tertua",
    "Hari terlambat",
    "Pokok tertunggak",
    "Bunga tertunggak",
    "Denda",
    "Jumlah tagihan",
    "Sisa pokok",
    "Kolektibilitas",
)


def arrears_rows(rows: Sequence[ArrearsRow]) -> list[list[Any]]:
    return [
        [
            a.loan_no,
            a.member_no,
            a.member_name,
            a.phone,
            a.product_code,
            a.oldest_due_on.isoformat(),
            a.days_past_due,
            a.principal_due,
            a.interest_due,
            a.penalty_due,
            a.amount_due,
            a.outstanding,
            a.class_name,
        ]
        for a in rows
    ]


def arrears_csv(rows: Sequence[ArrearsRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ARREARS_HEADINGS)
    for row in arrears_rows(rows):
        writer.writerow([money_str(c) if isinstance(c, Decimal) else c for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def arrears_xlsx(coop_name: str, as_of: date, rows: Sequence[ArrearsRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Tunggakan"
    ws.append([coop_name])
    ws.append([f"Daftar tunggakan pinjaman per {as_of.isoformat()}"])
    ws.append(list(ARREARS_HEADINGS))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in arrears_rows(rows):
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- portfolio -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductLine:
    product_code: str
    product_name: str
    count: int
    outstanding: Decimal
    by_class: dict[Kolektibilitas, Decimal]


@dataclass(frozen=True)
class PortfolioReport:
    as_of: date
    quality: PortfolioQuality
    by_product: list[ProductLine]
    counts_by_class: dict[Kolektibilitas, int]


def portfolio_report(tenant: Tenant, as_of: date) -> PortfolioReport:
    from coopsaas.loans.ageing import ppap_rules

    late = late_since(as_of)
    rows = db.session.execute(
        select(
            Loan.id,
            Loan.product_id,
            Loan.outstanding_principal,
            Loan.collateral_value,
            Loan.kolektibilitas,
            Loan.status,
            late.c.oldest,
        )
        .outerjoin(late, late.c.loan_id == Loan.id)
        .where(Loan.status.in_((ACTIVE, WRITTEN_OFF)), Loan.disbursed_on <= as_of)
    ).all()
    changed = _changed(tenant, as_of)
    figures = [
        (
            r.id,
            r.product_id,
            r.outstanding_principal,
            r.collateral_value,
            r.kolektibilitas,
            r.status,
            r.oldest,
        )
        for r in rows
        if r.id not in changed
    ]
    for standing in standings(changed, as_of):
        loan = standing.loan
        figures.append(
            (
                loan.id,
                loan.product_id,
                loan.outstanding_principal if standing.written_off else standing.outstanding,
                loan.collateral_value,
                loan.kolektibilitas,
                WRITTEN_OFF if standing.written_off else ACTIVE,
                standing.oldest_late,
            )
        )
    classify = Classifier(tenant)
    products = {p.id: p for p in db.session.scalars(select(LoanProduct))}
    restructured = set(db.session.scalars(select(LoanReschedule.loan_id).distinct()))
    positions = []
    per_product: dict[Any, dict[str, Any]] = {}
    counts = dict.fromkeys(CLASS_ORDER, 0)
    for loan_id, product_id, principal_left, collateral, stored_class, status, oldest in figures:
        written_off = status == WRITTEN_OFF
        days = 0 if written_off or oldest is None else (as_of - _as_date(oldest)).days
        klass = classify(product_id, days, stored_class, loan_id)
        outstanding = to_money(principal_left)
        positions.append(
            LoanPosition(
                loan_id=str(loan_id),
                outstanding=outstanding,
                days_past_due=days,
                kolektibilitas=klass,
                collateral_value=to_money(collateral or 0),
                is_restructured=loan_id in restructured,
                is_written_off=written_off,
            )
        )
        if written_off:
            continue
        counts[klass] += 1
        line = per_product.setdefault(product_id, {"count": 0, "outstanding": ZERO, "by_class": {}})
        line["count"] += 1
        line["outstanding"] += outstanding
        line["by_class"][klass] = line["by_class"].get(klass, ZERO) + outstanding
    quality = portfolio_quality(positions, ppap_rules=ppap_rules(tenant))
    by_product = [
        ProductLine(
            product_code=products[pid].code if pid in products else "?",
            product_name=products[pid].name if pid in products else "?",
            count=line["count"],
            outstanding=line["outstanding"],
            by_class={k: line["by_class"].get(k, ZERO) for k in CLASS_ORDER},
        )
        for pid, line in per_product.items()
    ]
    by_product.sort(key=lambda p: p.product_code)
    return PortfolioReport(as_of=as_of, quality=quality, by_product=by_product, counts_by_class=counts)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def percent_text(value: Decimal | None) -> str:
    """A percentage for people: 31,12 %; '-' when undefined."""
    if value is None:
        return "-"
    return f"{value.quantize(Decimal('0.01')):.2f}".replace(".", ",") + " %"
