"""General ledger pages under /t/<slug>/ledger/: chart, journal, entries, account ledger, trial
balance with its exports, periods, and the opening balance import.

Views are thin: load through the tenant scope (404 if absent), check the permission, call one
ledger service, commit, render. A service's DomainError rolls everything back and shows on the
page with its status; nothing is half posted.
"""

from __future__ import annotations

import csv
import tempfile
import uuid
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import func, select

from coopsaas.auth.models import User
from coopsaas.core.db import get_scoped
from coopsaas.core.ids import parse_uuid
from coopsaas.core.money import MoneyError, parse_money
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.ledger import chart, exports, pdf
from coopsaas.ledger.balances import trial_balance
from coopsaas.ledger.forms import (
    ACCOUNT_TYPE_LABELS,
    AccountForm,
    CloseForm,
    DeactivateForm,
    EntryForm,
    OpeningForm,
    ReopenForm,
    ReverseForm,
)
from coopsaas.ledger.models import Account, JournalEntry, JournalLine
from coopsaas.ledger.opening import import_opening
from coopsaas.ledger.periods import close_period, reopen_period
from coopsaas.ledger.posting import ZERO, EntrySpec, LineSpec
from coopsaas.ledger.services import post_entry, reversal_of, reverse_entry, today_for
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import acting_user as _actor
from coopsaas.web.helpers import load_or_404 as _scoped_or_404
from coopsaas.web.helpers import tenant_blueprint
from coopsaas.web.pagination import paginate, requested_page

bp = tenant_blueprint("ledger", __name__, "/ledger", template_folder="templates")

FORM_KEY_PREFIX = "web:"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Dates the ledger can compute around (a month before, a month after) without leaving the calendar.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


@bp.context_processor
def _ledger_context() -> dict[str, Any]:
    return {
        "has_permission": has_permission,
        "account_type_label": lambda t: str(ACCOUNT_TYPE_LABELS.get(t, t)),
    }


def _period_or_404(text: str) -> tuple[int, int]:
    """`2026-10` from the URL; anything else is not a page."""
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        abort(404)
    year, month = int(parts[0]), int(parts[1])
    if not (FIRST_DAY.year <= year <= LAST_DAY.year and 1 <= month <= 12):
        abort(404)
    return year, month


class QueryErrors(list[str]):
    """Problems with the query string of a list page, shown above it (the page answers 422)."""

    def day(self, name: str, label: str) -> date | None:
        raw = (request.args.get(name) or "").strip()
        if not raw:
            return None
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            self.append(_("%(label)s: give a date as YYYY-MM-DD.", label=label))
            return None
        if not FIRST_DAY <= day <= LAST_DAY:
            self.append(_("%(label)s: give a date between 1900 and 9998.", label=label))
            return None
        return day

    def period(self, name: str) -> tuple[int, int] | None:
        raw = (request.args.get(name) or "").strip()
        if not raw:
            return None
        parts = raw.split("-")
        if (
            len(parts) == 2
            and all(p.isdigit() for p in parts)
            and 1 <= int(parts[1]) <= 12
            and FIRST_DAY.year <= int(parts[0]) <= LAST_DAY.year
        ):
            return int(parts[0]), int(parts[1])
        self.append(_("Period: give a month as YYYY-MM."))
        return None


def _status(errors: list[str]) -> int:
    return 422 if errors else 200


# ---- chart of accounts ------------------------------------------------------------------------


@bp.get("/")
@require_permission("ledger.view")
def index() -> Any:
    return redirect(url_for("ledger.entries"))


@bp.get("/accounts")
@require_permission("ledger.view")
def accounts() -> Any:
    return render_template("ledger/accounts.html", nodes=chart.chart_tree(), deactivate_form=DeactivateForm())


@bp.route("/accounts/new", methods=["GET", "POST"])
@require_permission("ledger.manage")
def new_account() -> Any:
    form = AccountForm()
    if form.validate_on_submit():
        try:
            account = chart.create_account(
                tenant=g.tenant,
                actor=_actor(),
                code=form.code.data or "",
                name=form.name.data or "",
                type=form.type.data or "",
                parent_code=form.parent_code.data or None,
                is_contra=bool(form.is_contra.data),
                tags=(form.tags.data or "").split(","),
            )
        except DomainError as exc:
            db.session.rollback()
            _show_errors(form, exc)
            return render_template("ledger/account_new.html", form=form), exc.http_status
        db.session.commit()
        flash(_("Account %(code)s %(name)s has been added.", code=account.code, name=account.name), "success")
        return redirect(url_for("ledger.accounts"))
    return render_template("ledger/account_new.html", form=form), 422 if form.errors else 200


@bp.post("/accounts/<uuid:account_id>/deactivate")
@require_permission("ledger.manage")
def deactivate_account(account_id: uuid.UUID) -> Any:
    account = _scoped_or_404(Account, account_id)
    form = DeactivateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        chart.deactivate_account(tenant=g.tenant, actor=_actor(), account=account)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return render_template(
            "ledger/accounts.html", nodes=chart.chart_tree(), deactivate_form=DeactivateForm()
        ), exc.http_status
    db.session.commit()
    flash(_("Account %(code)s has been deactivated.", code=account.code), "success")
    return redirect(url_for("ledger.accounts"))


@bp.get("/accounts/<uuid:account_id>")
@require_permission("ledger.view")
def account_ledger(account_id: uuid.UUID) -> Any:
    account = _scoped_or_404(Account, account_id)
    errors = QueryErrors()
    today = today_for(g.tenant)
    start = errors.day("start", _("From")) or today.replace(day=1)
    end = errors.day("end", _("To")) or today
    statement = None
    if start > end:
        errors.append(_("The start date is after the end date."))
    else:
        statement = chart.account_statement(account, start, end, page=requested_page(), per_page=100)
    return render_template(
        "ledger/account_ledger.html",
        account=account,
        statement=statement,
        start=start,
        end=end,
        errors=errors,
    ), _status(errors)


EXPORT_LINES = 100_000  # one file per request; a longer range is split by dates


@bp.get("/accounts/<uuid:account_id>.<fmt>")
@require_permission("ledger.view")
def account_ledger_export(account_id: uuid.UUID, fmt: str) -> Any:
    account = _scoped_or_404(Account, account_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    errors = QueryErrors()
    today = today_for(g.tenant)
    start = errors.day("start", _("From")) or today.replace(day=1)
    end = errors.day("end", _("To")) or today
    if start > end:
        errors.append(_("The start date is after the end date."))
    if errors:
        return render_template(
            "ledger/account_ledger.html", account=account, statement=None, start=start, end=end, errors=errors
        ), 422
    st = chart.account_statement(account, start, end, per_page=EXPORT_LINES)
    if st.total > EXPORT_LINES:
        errors.append(_("More than %(n)s lines: export a shorter date range.", n=EXPORT_LINES))
        return render_template(
            "ledger/account_ledger.html", account=account, statement=None, start=start, end=end, errors=errors
        ), 422
    name = f"buku-besar-{account.code}-{start.isoformat()}-{end.isoformat()}"
    if fmt == "csv":
        return _download(exports.statement_csv(st), "text/csv", name + ".csv")
    return _download(exports.statement_xlsx(st, g.tenant.name), XLSX_TYPE, name + ".xlsx")


# ---- journal ------------------------------------------------------------------------------------


@bp.get("/entries")
@require_permission("ledger.view")
def entries() -> Any:
    errors = QueryErrors()
    start = errors.day("start", _("From"))
    end = errors.day("end", _("To"))
    voucher = (request.args.get("voucher") or "").strip()[:32]
    code = (request.args.get("account") or "").strip()[:20]
    stmt = select(JournalEntry)
    if start:
        stmt = stmt.where(JournalEntry.entry_on >= start)
    if end:
        stmt = stmt.where(JournalEntry.entry_on <= end)
    if voucher:
        stmt = stmt.where(JournalEntry.voucher_no.contains(voucher.upper(), autoescape=True))
    account = None
    if code:
        account = db.session.scalars(select(Account).where(Account.code == code)).one_or_none()
        if account is None:
            errors.append(_("There is no account %(code)s.", code=code))
        else:
            with_account = select(JournalLine.entry_id).where(JournalLine.account_id == account.id)
            stmt = stmt.where(JournalEntry.id.in_(with_account))
    page = paginate(stmt.order_by(JournalEntry.entry_on.desc(), JournalEntry.voucher_no.desc()), per_page=50)
    totals = _entry_totals([e.id for e in page.items])
    return render_template(
        "ledger/entries.html",
        page=page,
        totals=totals,
        errors=errors,
        filters={"start": start, "end": end, "voucher": voucher, "account": code},
    ), _status(errors)


def _entry_totals(ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(JournalLine.entry_id, func.sum(JournalLine.debit))
        .where(JournalLine.entry_id.in_(ids))
        .group_by(JournalLine.entry_id)
    )
    return {entry_id: total or ZERO for entry_id, total in rows}


def _account_choices() -> list[tuple[str, str]]:
    rows = db.session.scalars(select(Account).where(Account.is_active.is_(True)).order_by(Account.code))
    return [(str(a.id), f"{a.code} — {a.name}") for a in rows]


def _read_lines(form: EntryForm) -> tuple[list[LineSpec], list[int]]:
    """The non-empty rows as line specs, and for each the row index it came from. Typing errors
    go on their row; the caller checks `form.errors`-style flags through `bad`."""
    specs: list[LineSpec] = []
    rows: list[int] = []
    for i, row in enumerate(form.lines):
        line = row.form
        if line.is_empty():
            continue
        account_id = parse_uuid(line.account.data)
        if account_id is None:
            line.account.errors = [_("Choose an account.")]
        debit, credit = _typed_amount(line.debit), _typed_amount(line.credit)
        if account_id is None or debit is None or credit is None:
            continue
        specs.append(LineSpec(account_id, debit, credit, (line.memo.data or "").strip() or None))
        rows.append(i)
    return specs, rows


def _typed_amount(field: Any) -> Decimal | None:
    """An amount typed the Indonesian way; empty is zero, nonsense an error on the field (None)."""
    raw = (field.data or "").strip()
    try:
        return parse_money(raw) if raw else ZERO
    except MoneyError:
        field.errors = [_("Not an amount: write it like 1.250.000 or 1250000,50.")]
        return None


def _line_errors(form: EntryForm) -> bool:
    return any(f.errors for row in form.lines for f in row.form)


def _show_errors(form: Any, exc: DomainError, rows: list[int] | None = None) -> None:
    """Per-field messages of a service error on their field (`lines.N.debit` on row N), the
    general message on top of the form."""
    for key, messages in exc.fields.items():
        parts = key.split(".")
        target = None
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit() and rows is not None:
            n = int(parts[1]) - 1
            if 0 <= n < len(rows):
                row = form.lines[rows[n]].form
                target = getattr(row, parts[2], None) if len(parts) > 2 else row.debit
        elif hasattr(form, parts[0]) and hasattr(getattr(form, parts[0]), "errors"):
            target = getattr(form, parts[0])
        if target is not None and target is not getattr(form, "lines", None):
            target.errors = [*list(target.errors or []), *[str(m) for m in messages]]
        else:
            form.form_errors.extend(str(m) for m in messages if str(m) != str(exc.message))
    form.form_errors.insert(0, str(exc.message))


@bp.route("/entries/new", methods=["GET", "POST"])
@require_permission("ledger.post")
def new_entry() -> Any:
    form = EntryForm(account_choices=_account_choices())
    if request.method == "GET":
        form.entry_on.data = today_for(g.tenant)
        return render_template("ledger/entry_new.html", form=form)
    if not form.validate_on_submit():
        return render_template("ledger/entry_new.html", form=form), 422
    specs, rows = _read_lines(form)
    if _line_errors(form):
        form.form_errors.append(_("Some lines are not valid; nothing was posted."))
        return render_template("ledger/entry_new.html", form=form), 422
    spec = EntrySpec(entry_on=form.entry_on.data, lines=specs, memo=(form.memo.data or "").strip())
    try:
        entry = post_entry(
            tenant=g.tenant,
            actor=_actor(),
            spec=spec,
            idempotency_key=FORM_KEY_PREFIX + (form.token.data or ""),
        )
    except DomainError as exc:
        db.session.rollback()
        _show_errors(form, exc, rows)
        return render_template("ledger/entry_new.html", form=form), exc.http_status
    db.session.commit()
    flash(_("Entry %(voucher)s has been posted.", voucher=entry.voucher_no), "success")
    return redirect(url_for("ledger.entry", entry_id=entry.id))


def _entry_context(entry: JournalEntry) -> dict[str, Any]:
    creator = db.session.get(User, entry.created_by_id) if entry.created_by_id else None
    reverses = None
    if entry.reverses_entry_id is not None:
        reverses = get_scoped(db.session, JournalEntry, entry.reverses_entry_id)
    return {"entry": entry, "creator": creator, "reverses": reverses, "reversed_by": reversal_of(entry)}


@bp.get("/entries/<uuid:entry_id>")
@require_permission("ledger.view")
def entry(entry_id: uuid.UUID) -> Any:
    row = _scoped_or_404(JournalEntry, entry_id)
    return render_template("ledger/entry.html", reverse_form=ReverseForm(), **_entry_context(row))


@bp.post("/entries/<uuid:entry_id>/reverse")
@require_permission("ledger.reverse")
def reverse(entry_id: uuid.UUID) -> Any:
    row = _scoped_or_404(JournalEntry, entry_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        return render_template("ledger/entry.html", reverse_form=form, **_entry_context(row)), 422
    try:
        reversal = reverse_entry(
            tenant=g.tenant, actor=_actor(), entry=row, reason=form.reason.data or "", on=form.on.data
        )
    except DomainError as exc:
        db.session.rollback()
        row = _scoped_or_404(JournalEntry, entry_id)
        # The form may be gone from the page (already reversed): the message goes on top.
        flash(str(exc.message), "error")
        form.reason.errors = [str(m) for m in exc.fields.get("reason", [])]
        return render_template("ledger/entry.html", reverse_form=form, **_entry_context(row)), exc.http_status
    db.session.commit()
    flash(
        _(
            "Entry %(voucher)s has been reversed by %(reversal)s.",
            voucher=row.voucher_no,
            reversal=reversal.voucher_no,
        ),
        "success",
    )
    return redirect(url_for("ledger.entry", entry_id=reversal.id))


@bp.get("/entries/<uuid:entry_id>.pdf")
@require_permission("ledger.view")
def entry_pdf(entry_id: uuid.UUID) -> Any:
    row = _scoped_or_404(JournalEntry, entry_id)
    ctx = _entry_context(row)
    data = pdf.voucher_pdf(
        row,
        coop_name=g.tenant.name,
        created_by=ctx["creator"].full_name if ctx["creator"] else None,
        reverses=ctx["reverses"],
        reversed_by=ctx["reversed_by"],
    )
    return _download(data, "application/pdf", f"bukti-jurnal-{row.voucher_no}.pdf", inline=True)


def _download(data: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'{disposition}; filename="{filename}"'}
    )


# ---- trial balance -------------------------------------------------------------------------------


def _requested_trial_balance() -> tuple[Any, QueryErrors, dict[str, Any]]:
    errors = QueryErrors()
    period = errors.period("period")
    as_of = errors.day("as_of", _("As of"))
    if period is not None:
        tb = trial_balance(g.tenant, period=period)
    else:
        tb = trial_balance(g.tenant, as_of=as_of or today_for(g.tenant))
    return tb, errors, {"period": request.args.get("period", ""), "as_of": request.args.get("as_of", "")}


@bp.get("/trial-balance")
@require_permission("ledger.view")
def trial_balance_page() -> Any:
    tb, errors, args = _requested_trial_balance()
    return render_template("ledger/trial_balance.html", tb=tb, errors=errors, args=args), _status(errors)


@bp.get("/trial-balance.<fmt>")
@require_permission("ledger.view")
def trial_balance_export(fmt: str) -> Any:
    if fmt not in ("csv", "xlsx", "pdf"):
        abort(404)
    tb, errors, _args = _requested_trial_balance()
    if errors:
        return render_template("ledger/trial_balance.html", tb=tb, errors=errors, args=_args), 422
    name = f"neraca-saldo-{g.tenant.slug}-{tb.as_of.isoformat()}"
    if fmt == "csv":
        return _download(exports.trial_balance_csv(tb), "text/csv", name + ".csv")
    if fmt == "xlsx":
        return _download(exports.trial_balance_xlsx(tb, g.tenant.name), XLSX_TYPE, name + ".xlsx")
    return _download(pdf.trial_balance_pdf(tb, coop_name=g.tenant.name), "application/pdf", name + ".pdf")


# ---- periods -----------------------------------------------------------------------------------


def _periods_page(status: int = 200, reopen_form: ReopenForm | None = None) -> Any:
    return render_template(
        "ledger/periods.html",
        rows=chart.period_rows(g.tenant),
        close_form=CloseForm(),
        reopen_form=reopen_form or ReopenForm(),
        can_close=has_permission("ledger.close"),
    ), status


@bp.get("/periods")
@require_permission("ledger.view")
def periods() -> Any:
    return _periods_page()


@bp.post("/periods/<period>/close")
@require_permission("ledger.close")
def close(period: str) -> Any:
    year, month = _period_or_404(period)
    if not CloseForm().validate_on_submit():
        abort(400)
    try:
        close_period(tenant=g.tenant, actor=_actor(), year=year, month=month)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _periods_page(exc.http_status)
    db.session.commit()
    flash(_("%(period)s has been closed.", period=period), "success")
    return redirect(url_for("ledger.periods"))


@bp.post("/periods/<period>/reopen")
@require_permission("ledger.close")
def reopen(period: str) -> Any:
    year, month = _period_or_404(period)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for reopening the period."), "error")
        return _periods_page(422, form)
    try:
        reopen_period(tenant=g.tenant, actor=_actor(), year=year, month=month, reason=form.reason.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _periods_page(exc.http_status)
    db.session.commit()
    flash(_("%(period)s has been reopened.", period=period), "success")
    return redirect(url_for("ledger.periods"))


# ---- opening balances ------------------------------------------------------------------------


def row_messages(exc: DomainError) -> list[str]:
    """A file's problems, by row number as the spreadsheet shows them."""

    def order(key: str) -> tuple[int, str]:
        tail = key.rsplit(" ", 1)[-1]
        return (int(tail) if tail.isdigit() else 0, key)

    return [str(m) for key in sorted(exc.fields, key=order) for m in exc.fields[key]]


@bp.route("/opening", methods=["GET", "POST"])
@require_permission("ledger.manage")
def opening() -> Any:
    form = OpeningForm()
    problems: list[str] = []
    if request.method == "GET":
        form.on.data = today_for(g.tenant)
        return render_template("ledger/opening.html", form=form, problems=problems)
    if not form.validate_on_submit():
        return render_template("ledger/opening.html", form=form, problems=problems), 422
    upload = form.file.data
    suffix = Path(getattr(upload, "filename", "") or "").suffix.lower()
    if upload is None or suffix not in (".csv", ".xlsx"):
        form.file.errors = [_("Choose a .csv or .xlsx file.")]
        return render_template("ledger/opening.html", form=form, problems=problems), 422
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"opening{suffix}"
        upload.save(path)
        try:
            entry_row = import_opening(tenant=g.tenant, actor=_actor(), path=path, on=form.on.data)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc.message))
            problems = row_messages(exc)
            return render_template("ledger/opening.html", form=form, problems=problems), exc.http_status
        except (ValueError, KeyError, OSError, csv.Error, zipfile.BadZipFile, InvalidFileException):
            # A file that is not the spreadsheet it claims to be (openpyxl and csv raise these).
            db.session.rollback()
            form.file.errors = [_("The file could not be read as %(kind)s.", kind=suffix)]
            return render_template("ledger/opening.html", form=form, problems=problems), 422
    db.session.commit()
    flash(_("Opening balances have been posted as %(voucher)s.", voucher=entry_row.voucher_no), "success")
    return redirect(url_for("ledger.entry", entry_id=entry_row.id))
