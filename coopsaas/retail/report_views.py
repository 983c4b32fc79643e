"""Shop report pages for a period (movement, turnover and stock days, stock-outs), the expiry list
and their CSV/XLSX downloads, on the shop's blueprint under /t/<slug>/toko/reports/.

Read-only pages: a bad filter (an end before the start, odd days) shows its message on the filter
form with status 422 and no figures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, g, render_template, request
from flask_babel import gettext as _

from coopsaas.errors import DomainError, ValidationError
from coopsaas.ledger.services import today_for
from coopsaas.retail import lots, report_exports, reports
from coopsaas.retail.views import bp
from coopsaas.tenancy.context import require_permission
from coopsaas.web.pagination import Page, requested_page

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        message = _("Write the date as YYYY-MM-DD.")
        raise ValidationError(message, fields={name: [message]}) from None


def _period() -> tuple[date, date]:
    return reports.check_period(_date("start"), _date("end"), today=today_for(g.tenant))


def _page(rows: list[Any]) -> Page:
    number = requested_page()
    start = (number - 1) * PER_PAGE
    return Page(items=rows[start : start + PER_PAGE], page=number, per_page=PER_PAGE, total=len(rows))


def _error_page(template: str, exc: DomainError, **context: Any) -> Any:
    today = today_for(g.tenant)
    context.setdefault("start", request.args.get("start", today.replace(day=1).isoformat()))
    context.setdefault("end", request.args.get("end", today.isoformat()))
    return render_template(template, error=exc.message, fields=exc.fields or {}, **context), exc.http_status


def _download(data: bytes, fmt: str, name: str) -> Response:
    mimetype = "text/csv" if fmt == "csv" else XLSX
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )


@bp.get("/reports/period")
@require_permission("retail.view")
def period_report() -> Any:
    view = request.args.get("view", "movement")
    if view not in ("movement", "turnover"):
        view = "movement"
    try:
        start, end = _period()
    except DomainError as exc:
        return _error_page("retail/report_period.html", exc, view=view, report=None, page=None)
    report = reports.period_report(start, end)
    rows = report.rows
    if view == "turnover":
        # Slowest movers first: the most stock days (nothing sold counts as endless), then turnover.
        rows = sorted(
            rows,
            key=lambda r: (
                r.stock_days is not None,
                -(r.stock_days or 0),
                r.turnover if r.turnover is not None else 0,
                r.name,
            ),
        )
    return render_template(
        "retail/report_period.html",
        report=report,
        page=_page(rows),
        view=view,
        start=start.isoformat(),
        end=end.isoformat(),
        error=None,
        fields={},
    )


@bp.get("/reports/period.csv", defaults={"fmt": "csv"})
@bp.get("/reports/period.xlsx", defaults={"fmt": "xlsx"})
@require_permission("retail.view")
def period_export(fmt: str) -> Any:
    start, end = _period()
    report = reports.period_report(start, end)
    name = f"mutasi-persediaan-{start.isoformat()}-{end.isoformat()}"
    if fmt == "csv":
        return _download(report_exports.period_csv(report), fmt, name)
    return _download(report_exports.period_xlsx(report, g.tenant.name), fmt, name)


@bp.get("/reports/stock-outs")
@require_permission("retail.view")
def stock_outs() -> Any:
    try:
        start, end = _period()
    except DomainError as exc:
        return _error_page("retail/report_stock_outs.html", exc, page=None, rows=None, view=None)
    rows = reports.stock_outs(start, end)
    return render_template(
        "retail/report_stock_outs.html",
        rows=rows,
        page=_page(rows),
        start=start.isoformat(),
        end=end.isoformat(),
        days=(end - start).days + 1,
        view=None,
        error=None,
        fields={},
    )


@bp.get("/reports/stock-outs.csv", defaults={"fmt": "csv"})
@bp.get("/reports/stock-outs.xlsx", defaults={"fmt": "xlsx"})
@require_permission("retail.view")
def stock_outs_export(fmt: str) -> Any:
    start, end = _period()
    rows = reports.stock_outs(start, end)
    name = f"stok-habis-{start.isoformat()}-{end.isoformat()}"
    if fmt == "csv":
        return _download(report_exports.stock_outs_csv(rows), fmt, name)
    return _download(report_exports.stock_outs_xlsx(rows, g.tenant.name, start, end), fmt, name)


@bp.get("/reports/low-stock.csv", defaults={"fmt": "csv"})
@bp.get("/reports/low-stock.xlsx", defaults={"fmt": "xlsx"})
@require_permission("retail.view")
def low_stock_export(fmt: str) -> Any:
    start, end = _period()
    rows = reports.low_stock_rows(start, end)
    name = f"stok-menipis-{end.isoformat()}"
    if fmt == "csv":
        return _download(report_exports.low_stock_csv(rows), fmt, name)
    return _download(report_exports.low_stock_xlsx(rows, g.tenant.name, start, end), fmt, name)


@bp.get("/reports/expiry")
@require_permission("retail.view")
def expiry() -> Any:
    try:
        days = lots.check_days(request.args.get("days"))
    except DomainError as exc:
        return render_template(
            "retail/report_expiry.html",
            report=None,
            days=request.args.get("days", ""),
            error=exc.message,
            fields=exc.fields or {},
            start=None,
            end=None,
        ), exc.http_status
    report = lots.expiry_list(as_of=today_for(g.tenant), days=days)
    return render_template(
        "retail/report_expiry.html", report=report, days=days, error=None, fields={}, start=None, end=None
    )


@bp.get("/reports/expiry.csv", defaults={"fmt": "csv"})
@bp.get("/reports/expiry.xlsx", defaults={"fmt": "xlsx"})
@require_permission("retail.view")
def expiry_export(fmt: str) -> Any:
    days = lots.check_days(request.args.get("days"))
    report = lots.expiry_list(as_of=today_for(g.tenant), days=days)
    name = f"kedaluwarsa-{report.as_of.isoformat()}-{days}-hari"
    if fmt == "csv":
        return _download(report_exports.expiry_csv(report), fmt, name)
    return _download(report_exports.expiry_xlsx(report, g.tenant.name), fmt, name)
