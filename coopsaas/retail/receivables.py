"""Shop receivables (1301 piutang usaha): ageing per customer and the sub-ledger check.

Ageing buckets by days past due: current (not yet due), 1-30, 31-60, 61-90, over 90. Invoices are
due on their due date. Till credit is a running balance per member: payments settle the oldest
credit sales first, and each sale still unpaid is due `shop_credit_terms_days` (default 30) after
it. Balances are today's, so the report's total equals the balance of 1301.

Other features that post to 1301 (e.g. deliveries to other cooperatives) register their open
balance with `register_receivable_source`, so the check stays exact.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select, type_coerce

from coopsaas.core.i18n import _l
from coopsaas.core.money import format_rupiah, money_str
from coopsaas.core.types import Money
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import balance_of
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.retail import credit
from coopsaas.retail.credit_models import CreditTxn, Customer, Invoice, MemberCredit
from coopsaas.tenancy.models import Tenant
from coopsaas.tenancy.sync import tenant_setting

ZERO = Decimal("0.00")
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
BUCKET_HEADINGS = ("Belum jatuh tempo", "1-30 hari", "31-60 hari", "61-90 hari", "> 90 hari")

# name -> () -> Decimal: open balances other features keep in 1301 (in the tenant in scope).
ReceivableSource = Callable[[], Decimal]
_SOURCES: dict[str, ReceivableSource] = {}


def register_receivable_source(name: str, source: ReceivableSource) -> None:
    """Declare another sub-ledger of 1301 (replacing one of the same name)."""
    _SOURCES[name] = source


def bucket(days_late: int) -> str:
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "1-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "90+"


@dataclass
class AgeingRow:
    kind: str  # "member" or "customer"
    ident: uuid.UUID
    name: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


@dataclass(frozen=True)
class Ageing:
    as_of: date
    rows: list[AgeingRow]
    other: Decimal  # other features' balances in 1301 (not aged here)
    control: Decimal

    @property
    def totals(self) -> dict[str, Decimal]:
        return {b: sum((r.buckets[b] for r in self.rows), ZERO) for b in BUCKETS}

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.total + self.other - self.control


def _unpaid_credit_sales(terms: int) -> dict[uuid.UUID, list[tuple[date, Decimal]]]:
    """Per member, the credit sales not yet covered by later reductions (oldest paid first),
    each with its due date."""
    rows = db.session.execute(
        select(CreditTxn.member_id, CreditTxn.kind, CreditTxn.txn_on, CreditTxn.amount)
        .join(
            MemberCredit,
            (MemberCredit.tenant_id == CreditTxn.tenant_id) & (MemberCredit.member_id == CreditTxn.member_id),
        )
        .where(MemberCredit.outstanding > 0)
        .order_by(CreditTxn.member_id, CreditTxn.created_at, CreditTxn.id)
    ).all()
    charges: dict[uuid.UUID, list[tuple[date, Decimal]]] = {}
    reduced: dict[uuid.UUID, Decimal] = {}
    for member_id, kind, on, amount in rows:
        if kind == "sale":
            charges.setdefault(member_id, []).append((on + timedelta(days=terms), amount))
        else:
            reduced[member_id] = reduced.get(member_id, ZERO) + amount
    out: dict[uuid.UUID, list[tuple[date, Decimal]]] = {}
    for member_id, items in charges.items():
        left = reduced.get(member_id, ZERO)
        unpaid = []
        for due, amount in items:
            take = min(left, amount)
            left -= take
            if amount - take > 0:
                unpaid.append((due, amount - take))
        out[member_id] = unpaid
    return out


def ageing(tenant: Tenant, as_of: date | None = None) -> Ageing:
    """Open shop receivables per member and customer, by days past due at `as_of` (default today)."""
    from coopsaas.members.models import Member

    require_scope(tenant)
    day = as_of or today_for(tenant)
    terms = int(tenant_setting(tenant, "shop_credit_terms_days"))
    rows: dict[tuple[str, uuid.UUID], AgeingRow] = {}
    names: dict[tuple[str, uuid.UUID], str] = {}
    for member_id, unpaid in _unpaid_credit_sales(terms).items():
        for due, amount in unpaid:
            row = rows.setdefault(("member", member_id), AgeingRow("member", member_id, ""))
            row.buckets[bucket((day - due).days)] += amount
    for inv in db.session.scalars(select(Invoice).where(Invoice.status.in_(("open", "partial")))):
        k: tuple[str, Any] = (
            ("member", inv.member_id) if inv.member_id is not None else ("customer", inv.customer_id)
        )
        row = rows.setdefault(k, AgeingRow(k[0], k[1], ""))
        row.buckets[bucket((day - inv.due_on).days)] += inv.balance
    member_ids = [i for kind, i in rows if kind == "member"]
    customer_ids = [i for kind, i in rows if kind == "customer"]
    if member_ids:
        for m in db.session.scalars(select(Member).where(Member.id.in_(member_ids))):
            names[("member", m.id)] = f"{m.member_no} {m.name}"
    if customer_ids:
        for c in db.session.scalars(select(Customer).where(Customer.id.in_(customer_ids))):
            names[("customer", c.id)] = c.name
    for k, row in rows.items():
        row.name = names.get(k, str(k[1]))
    other = sum((source() for _n, source in sorted(_SOURCES.items())), ZERO)
    control = balance_of(credit.receivable_account())
    ordered = sorted(rows.values(), key=lambda r: (r.kind != "customer", r.name.lower()))
    return Ageing(as_of=day, rows=[r for r in ordered if r.total != 0], other=other, control=control)


def subledger_total() -> Decimal:
    till = db.session.scalar(select(type_coerce(func.sum(MemberCredit.outstanding), Money))) or ZERO
    invoices = (
        db.session.scalar(
            select(type_coerce(func.sum(Invoice.total - Invoice.paid), Money)).where(
                Invoice.status.in_(("open", "partial"))
            )
        )
        or ZERO
    )
    return till + invoices


def receivable_findings(tenant: Tenant) -> list[Any]:
    """Ledger verify hook: member credit + unpaid invoices (+ registered sources) equal 1301, and
    every member's credit row equals the replay of its transactions."""
    from coopsaas.ledger import Finding

    require_scope(tenant)
    try:
        account = credit.receivable_account()
    except ValidationError:
        return []
    findings = []
    sub = subledger_total() + sum((source() for _n, source in sorted(_SOURCES.items())), ZERO)
    control = balance_of(account)
    if sub != control:
        findings.append(
            Finding(
                "retail.receivables",
                str(
                    _l(
                        "Shop receivables %(sub)s differ from the receivable account %(control)s.",
                        sub=format_rupiah(sub, sen=True),
                        control=format_rupiah(control, sen=True),
                    )
                ),
                details={"subledger": str(sub), "control": str(control)},
            )
        )
    replay = _replayed()
    for row in db.session.scalars(select(MemberCredit)):
        if replay.get(row.member_id, ZERO) != row.outstanding:
            findings.append(
                Finding(
                    "retail.member_credit",
                    str(_l("A member's shop credit does not match its transactions.")),
                    details={
                        "member_id": str(row.member_id),
                        "outstanding": str(row.outstanding),
                        "replayed": str(replay.get(row.member_id, ZERO)),
                    },
                )
            )
    return findings


def _replayed() -> dict[uuid.UUID, Decimal]:
    rows = db.session.execute(
        select(CreditTxn.member_id, CreditTxn.kind, type_coerce(func.sum(CreditTxn.amount), Money)).group_by(
            CreditTxn.member_id, CreditTxn.kind
        )
    ).all()
    out: dict[uuid.UUID, Decimal] = {}
    for member_id, kind, amount in rows:
        out[member_id] = out.get(member_id, ZERO) + (amount if kind == "sale" else -amount)
    return out


# ---- exports --------------------------------------------------------------------------------------

AGEING_HEADINGS = ("Pelanggan", "Jenis", *BUCKET_HEADINGS, "Jumlah")


def _ageing_rows(report: Ageing) -> list[list[Any]]:
    out: list[list[Any]] = [
        [r.name, "Anggota" if r.kind == "member" else "Pelanggan", *(r.buckets[b] for b in BUCKETS), r.total]
        for r in report.rows
    ]
    out.append(["Jumlah", "", *(report.totals[b] for b in BUCKETS), report.total])
    if report.other:
        out.append(["Piutang lain (jaringan)", "", "", "", "", "", "", report.other])
    out.append(["Saldo akun piutang usaha", "", "", "", "", "", "", report.control])
    return out


def ageing_csv(report: Ageing) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([f"Umur piutang per {report.as_of.isoformat()}"])
    writer.writerow(AGEING_HEADINGS)
    for row in _ageing_rows(report):
        writer.writerow([money_str(c) if isinstance(c, Decimal) else c for c in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def ageing_xlsx(report: Ageing, coop_name: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Umur piutang"
    ws.append([coop_name])
    ws.append([f"Umur piutang per {report.as_of.isoformat()}"])
    ws.append(list(AGEING_HEADINGS))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in _ageing_rows(report):
        ws.append(row)
        for col in range(3, 9):
            ws.cell(ws.max_row, col).number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PAYROLL_HEADINGS = (
    "Bulan",
    "ID anggota",
    "No. anggota",
    "Nama",
    "Instansi",
    "Pekerjaan",
    "Kredit toko",
    "Faktur",
    "Jumlah potongan",
    "Potongan dikonfirmasi",
)


def payroll_xlsx(month: str, groups: list[Any], coop_name: str) -> bytes:
    """One sheet, one row per member, grouped by employer with a subtotal row. Rows carry the month
    and the member id so the confirmed list (last column) can be read back and matched later."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Potongan gaji"
    ws.append([coop_name])
    ws.append([f"Daftar potongan gaji kredit toko, bulan {month}"])
    ws.append(list(PAYROLL_HEADINGS))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    grand = ZERO
    for g in groups:
        for r in g.rows:
            ws.append(
                [
                    month,
                    str(r.member_id),
                    r.member_no,
                    r.name,
                    g.employer,
                    r.occupation,
                    r.credit,
                    r.invoices,
                    r.total,
                    None,
                ]
            )
            for col in (7, 8, 9, 10):
                ws.cell(ws.max_row, col).number_format = "#,##0.00"
        ws.append(["", "", "", f"Jumlah {g.employer}", "", "", "", "", g.total, None])
        ws.cell(ws.max_row, 4).font = Font(bold=True)
        ws.cell(ws.max_row, 9).number_format = "#,##0.00"
        grand += g.total
    ws.append(["", "", "", "Jumlah seluruhnya", "", "", "", "", grand, None])
    ws.cell(ws.max_row, 9).number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHIJ", (9, 38, 12, 30, 30, 20, 14, 14, 16, 20), strict=True):
        ws.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
