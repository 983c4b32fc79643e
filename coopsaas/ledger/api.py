"""The ledger API under /api/v1/t/<slug>/ledger/: accounts, entries, reversals, trial balance,
periods and account ledgers. Same services as the pages; the boundary commits once."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any, cast

from flask import g, request
from flask.views import MethodView
from sqlalchemy import select

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.idempotency import HEADER, idempotent
from coopsaas.api.pagination import envelope, page_schema, paginate
from coopsaas.auth.models import User
from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import chart
from coopsaas.ledger.balances import trial_balance
from coopsaas.ledger.models import PERIOD_CLOSED, Account, FiscalPeriod, JournalEntry, JournalLine
from coopsaas.ledger.periods import close_period, reopen_period
from coopsaas.ledger.posting import ZERO, EntrySpec, LineSpec
from coopsaas.ledger.schemas import (
    FIRST_YEAR,
    LAST_YEAR,
    AccountCreateSchema,
    AccountLedgerArgs,
    AccountLedgerSchema,
    AccountSchema,
    EntryCreateSchema,
    EntryListArgs,
    EntrySchema,
    PeriodListSchema,
    PeriodSchema,
    ReopenSchema,
    ReverseSchema,
    TrialBalanceArgs,
    TrialBalanceSchema,
)
from coopsaas.ledger.services import post_entry, reversal_of, reverse_entry, today_for
from coopsaas.tenancy.context import require_permission
from coopsaas.web.helpers import acting_user as _me

accounts_blp = tenant_blueprint(
    "api_ledger_accounts",
    __name__,
    "/ledger/accounts",
    description="The chart of accounts and each account's ledger.",
)
entries_blp = tenant_blueprint(
    "api_ledger_entries", __name__, "/ledger/entries", description="Journal entries: post, read, reverse."
)
reports_blp = tenant_blueprint(
    "api_ledger_reports", __name__, "/ledger", description="Trial balance and fiscal periods."
)

BLUEPRINTS = (accounts_blp, entries_blp, reports_blp)


def _account_or_404(account_id: uuid.UUID) -> Account:
    account = get_scoped(db.session, Account, account_id)
    if account is None:
        raise NotFound(_l("Account not found."))
    return account  # type: ignore[no-any-return]


def _entry_or_404(entry_id: uuid.UUID) -> JournalEntry:
    entry = get_scoped(db.session, JournalEntry, entry_id)
    if entry is None:
        raise NotFound(_l("Journal entry not found."))
    return entry  # type: ignore[no-any-return]


def _period_or_404(period: str) -> tuple[int, int]:
    parts = period.split("-")
    if (
        len(parts) == 2
        and all(p.isdigit() for p in parts)
        and FIRST_YEAR <= int(parts[0]) <= LAST_YEAR
        and 1 <= int(parts[1]) <= 12
    ):
        return int(parts[0]), int(parts[1])
    raise NotFound(_l("A period is written YYYY-MM, e.g. 2026-10."))


# ---- accounts ---------------------------------------------------------------------------------


@accounts_blp.route("/")
class Accounts(MethodView):
    @require_permission("ledger.view")
    @accounts_blp.response(200, AccountSchema(many=True))
    def get(self) -> list[Account]:
        """The whole chart, parents before their children (a chart is a few hundred accounts)."""
        return [node.account for node in chart.chart_tree()]

    @require_permission("ledger.manage")
    @idempotent
    @accounts_blp.arguments(AccountCreateSchema)
    @accounts_blp.response(201, AccountSchema)
    def post(self, data: dict[str, Any]) -> Account:
        """Add an account; the normal side follows from its type (flipped for a contra account)."""
        return chart.create_account(tenant=g.tenant, actor=_me(), **data)


@accounts_blp.route("/<uuid:account_id>/deactivate")
class AccountDeactivate(MethodView):
    @require_permission("ledger.manage")
    @accounts_blp.response(200, AccountSchema)
    def post(self, account_id: uuid.UUID) -> Account:
        """Stop postings to an account with a zero balance (409 otherwise). Accounts are never deleted."""
        return chart.deactivate_account(tenant=g.tenant, actor=_me(), account=_account_or_404(account_id))


@accounts_blp.route("/<uuid:account_id>/ledger")
class AccountLedger(MethodView):
    @require_permission("ledger.view")
    @accounts_blp.arguments(AccountLedgerArgs, location="query", as_kwargs=True)
    @accounts_blp.response(200, AccountLedgerSchema)
    def get(
        self,
        account_id: uuid.UUID,
        page: int,
        per_page: int,
        start: date | None = None,
        end: date | None = None,
    ) -> dict[str, Any]:
        """The account's lines between two dates with the running balance, a page at a time."""
        account = _account_or_404(account_id)
        today = today_for(g.tenant)
        st = chart.account_statement(
            account, start or today.replace(day=1), end or today, page=page, per_page=per_page
        )
        return {
            "account": account,
            "start": st.start,
            "end": st.end,
            "opening": st.opening,
            "closing": st.closing,
            "total_debit": st.total_debit,
            "total_credit": st.total_credit,
            **envelope(st.lines, page=page, per_page=per_page, total=st.total),
        }


# ---- entries ----------------------------------------------------------------------------------


def entries_out(entries: list[JournalEntry]) -> list[dict[str, Any]]:
    creators = {e.created_by_id for e in entries if e.created_by_id}
    names = (
        {
            uid: name
            for uid, name in db.session.execute(select(User.id, User.username).where(User.id.in_(creators)))
        }
        if creators
        else {}
    )
    out = []
    for e in entries:
        reversal = reversal_of(e)
        out.append(
            {
                "id": e.id,
                "voucher_no": e.voucher_no,
                "series": e.series,
                "entry_on": e.entry_on,
                "memo": e.memo,
                "source_type": e.source_type,
                "total": e.total,
                "reverses_entry_id": e.reverses_entry_id,
                "reversed_by_entry_id": reversal.id if reversal else None,
                "created_by": names.get(e.created_by_id) if e.created_by_id else None,
                "created_at": e.created_at,
                "lines": [
                    {
                        "line_no": ln.line_no,
                        "account_id": ln.account_id,
                        "account_code": ln.account.code,
                        "account_name": ln.account.name,
                        "debit": ln.debit,
                        "credit": ln.credit,
                        "memo": ln.memo,
                    }
                    for ln in e.lines
                ],
            }
        )
    return out


def _line_specs(lines: list[dict[str, Any]]) -> list[LineSpec]:
    codes = {ln["account_code"] for ln in lines if ln.get("account_code")}
    by_code = (
        {a.code: a.id for a in db.session.scalars(select(Account).where(Account.code.in_(codes)))}
        if codes
        else {}
    )
    problems: dict[str, list[Any]] = {}
    specs = []
    for n, ln in enumerate(lines, start=1):
        account_id = ln.get("account_id")
        if ln.get("account_code"):
            account_id = by_code.get(ln["account_code"])
            if account_id is None:
                problems[f"lines.{n}.account_code"] = [
                    _l("Line %(n)s: there is no account %(code)s.", n=n, code=ln["account_code"])
                ]
                continue
        # The schema requires account_code or account_id, so there is an id here.
        specs.append(
            LineSpec(
                cast(uuid.UUID, account_id), ln.get("debit") or ZERO, ln.get("credit") or ZERO, ln.get("memo")
            )
        )
    if problems:
        raise ValidationError(next(iter(problems.values()))[0], fields=problems)
    return specs


def _posting_key() -> str | None:
    """The Idempotency-Key also reaches the ledger's own unique key, per user (hashed to fit)."""
    raw = request.headers.get(HEADER, "").strip()
    if not raw:
        return None
    return "api:" + hashlib.sha256(f"{_me().id}:{raw}".encode()).hexdigest()[:48]


@entries_blp.route("/")
class Entries(MethodView):
    @require_permission("ledger.view")
    @entries_blp.arguments(EntryListArgs, location="query", as_kwargs=True)
    @entries_blp.response(200, page_schema(EntrySchema))
    def get(
        self,
        page: int,
        per_page: int,
        start: date | None = None,
        end: date | None = None,
        voucher: str | None = None,
        account: str | None = None,
    ) -> dict[str, Any]:
        """Journal entries, newest first, filtered by date range, voucher number and account code."""
        stmt = select(JournalEntry)
        if start:
            stmt = stmt.where(JournalEntry.entry_on >= start)
        if end:
            stmt = stmt.where(JournalEntry.entry_on <= end)
        if voucher:
            stmt = stmt.where(JournalEntry.voucher_no.contains(voucher.upper(), autoescape=True))
        if account:
            found = db.session.scalars(select(Account.id).where(Account.code == account)).one_or_none()
            if found is None:
                message = _l("There is no account %(code)s.", code=account)
                raise ValidationError(message, fields={"account": [message]})
            stmt = stmt.where(
                JournalEntry.id.in_(select(JournalLine.entry_id).where(JournalLine.account_id == found))
            )
        stmt = stmt.order_by(JournalEntry.entry_on.desc(), JournalEntry.voucher_no.desc())
        return paginate(stmt, page=page, per_page=per_page, transform=entries_out)

    @require_permission("ledger.post")
    @idempotent
    @entries_blp.arguments(EntryCreateSchema)
    @entries_blp.response(201, EntrySchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Post a balanced entry (series JU). Unbalanced, closed-period or inactive-account: 422/409."""
        spec = EntrySpec(entry_on=data["entry_on"], lines=_line_specs(data["lines"]), memo=data["memo"])
        entry = post_entry(tenant=g.tenant, actor=_me(), spec=spec, idempotency_key=_posting_key())
        return entries_out([entry])[0]


@entries_blp.route("/<uuid:entry_id>")
class EntryItem(MethodView):
    @require_permission("ledger.view")
    @entries_blp.response(200, EntrySchema)
    def get(self, entry_id: uuid.UUID) -> dict[str, Any]:
        """One entry with its lines and its reversal links."""
        return entries_out([_entry_or_404(entry_id)])[0]


@entries_blp.route("/<uuid:entry_id>/reverse")
class EntryReverse(MethodView):
    @require_permission("ledger.reverse")
    @idempotent
    @entries_blp.arguments(ReverseSchema)
    @entries_blp.response(201, EntrySchema)
    def post(self, data: dict[str, Any], entry_id: uuid.UUID) -> dict[str, Any]:
        """Post the mirror entry, once; above the tenant's threshold only a manager may (403)."""
        entry = _entry_or_404(entry_id)
        reversal = reverse_entry(
            tenant=g.tenant, actor=_me(), entry=entry, reason=data["reason"], on=data["on"]
        )
        return entries_out([reversal])[0]


# ---- trial balance and periods -----------------------------------------------------------------


@reports_blp.route("/trial-balance")
class TrialBalanceView(MethodView):
    @require_permission("ledger.view")
    @reports_blp.arguments(TrialBalanceArgs, location="query", as_kwargs=True)
    @reports_blp.response(200, TrialBalanceSchema)
    def get(self, as_of: date | None = None, period: str | None = None) -> dict[str, Any]:
        """Every account's balance at the end of a day or a month, in the debit or credit column."""
        ym = (int(period[:4]), int(period[5:])) if period else None
        tb = trial_balance(g.tenant, as_of=as_of, period=ym)
        return {
            "as_of": tb.as_of,
            "rows": tb.rows,
            "total_debit": tb.total_debit,
            "total_credit": tb.total_credit,
            "is_balanced": tb.is_balanced,
        }


def _period_out(row: dict[str, Any]) -> dict[str, Any]:
    checklist = row["checklist"]
    return {
        "period": row["key"],
        "status": "closed" if row["closed"] else "open",
        "closed_at": row["closed_at"],
        "can_reopen": row["can_reopen"],
        "checklist": [{"label": str(label), "ok": ok} for label, ok in checklist] if checklist else None,
    }


def _one_period(year: int, month: int) -> dict[str, Any]:
    key = f"{year}-{month:02d}"
    row = next((r for r in chart.period_rows(g.tenant) if r["key"] == key), None)
    if row is None:  # a month outside the list (before any activity): describe it plainly
        stored = db.session.scalars(
            select(FiscalPeriod).where(FiscalPeriod.year == year, FiscalPeriod.month == month)
        ).one_or_none()
        closed = stored is not None and stored.status == PERIOD_CLOSED
        row = {
            "key": key,
            "closed": closed,
            "closed_at": stored.closed_at if stored else None,
            "can_reopen": False,
            "checklist": None,
        }
    return _period_out(row)


@reports_blp.route("/periods")
class Periods(MethodView):
    @require_permission("ledger.view")
    @reports_blp.response(200, PeriodListSchema)
    def get(self) -> dict[str, Any]:
        """Months from the first with activity to the current one, newest first."""
        return {"items": [_period_out(r) for r in chart.period_rows(g.tenant)]}


@reports_blp.route("/periods/<period>/close")
class PeriodClose(MethodView):
    @require_permission("ledger.close")
    @reports_blp.response(200, PeriodSchema)
    def post(self, period: str) -> dict[str, Any]:
        """Close a month (YYYY-MM): it must have ended, follow a closed month and balance (409 otherwise)."""
        year, month = _period_or_404(period)
        close_period(tenant=g.tenant, actor=_me(), year=year, month=month)
        return _one_period(year, month)


@reports_blp.route("/periods/<period>/reopen")
class PeriodReopen(MethodView):
    @require_permission("ledger.close")
    @reports_blp.arguments(ReopenSchema)
    @reports_blp.response(200, PeriodSchema)
    def post(self, data: dict[str, Any], period: str) -> dict[str, Any]:
        """Reopen the latest closed month, with a reason (kept in the audit trail)."""
        year, month = _period_or_404(period)
        reopen_period(tenant=g.tenant, actor=_me(), year=year, month=month, reason=data["reason"])
        return _one_period(year, month)
