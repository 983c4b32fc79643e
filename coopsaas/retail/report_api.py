"""Shop report endpoints under /api/v1/t/<slug>/retail/reports/: the period report (movement,
turnover, stock days), stock-outs, low stock with days of stock, and the expiry list. The same
functions as the pages; read-only."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.fields import Money
from coopsaas.ledger.services import today_for
from coopsaas.retail import lots, reports
from coopsaas.retail.schemas import Quantity, UnitCost
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_retail_reports",
    __name__,
    "/retail/reports",
    description="Shop reports: stock movement, turnover, stock days, stock-outs, low stock, expiry.",
)
BLUEPRINTS = (blp,)


class Ratio(ma.fields.Decimal):
    def __init__(self, places: int, **kwargs: Any) -> None:
        super().__init__(places=places, as_string=True, allow_nan=False, allow_none=True, **kwargs)


class PeriodArgs(ma.Schema):
    start = ma.fields.Date(
        load_default=None, metadata={"description": "Default: the first of the end's month."}
    )
    end = ma.fields.Date(load_default=None, metadata={"description": "Default: today."})


class ExpiryArgs(ma.Schema):
    days = ma.fields.Integer(
        load_default=lots.DEFAULT_DAYS,
        validate=ma.validate.Range(min=0, max=lots.MAX_DAYS),
        metadata={"description": "Lots expiring within this many days (expired ones too)."},
    )


class PeriodRowSchema(ma.Schema):
    item_id = ma.fields.UUID(required=True)
    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    category = ma.fields.String(allow_none=True)
    opening_qty = Quantity(required=True)
    opening_value = Money(required=True)
    received_qty = Quantity(required=True)
    received_value = Money(required=True)
    sold_qty = Quantity(required=True)
    sold_cost = Money(required=True)
    returned_qty = Quantity(required=True)
    returned_cost = Money(required=True)
    adjusted_qty = Quantity(required=True, metadata={"description": "Stock-take differences (signed)."})
    adjusted_value = Money(required=True)
    closing_qty = Quantity(required=True)
    closing_value = Money(required=True)
    average_qty = Quantity(required=True, metadata={"description": "Mean of the end-of-day quantities."})
    average_value = Money(required=True, metadata={"description": "Mean of the end-of-day values."})
    cogs = Money(required=True, metadata={"description": "Cost of goods sold less returns."})
    turnover = Ratio(2, metadata={"description": "cogs / average_value; null without stock."})
    stock_days = Ratio(1, metadata={"description": "closing_qty / net sold per day; null if none sold."})


class PeriodTotalsSchema(ma.Schema):
    opening_value = Money(required=True)
    received_value = Money(required=True)
    cogs = Money(required=True)
    closing_value = Money(required=True)
    average_value = Money(required=True)
    turnover = Ratio(2)
    inventory_days = Ratio(1, metadata={"description": "closing_value / cogs per day."})


class PeriodReportSchema(ma.Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    days = ma.fields.Integer(required=True)
    totals = ma.fields.Nested(PeriodTotalsSchema, required=True)
    items = ma.fields.List(ma.fields.Nested(PeriodRowSchema), required=True)


class StockOutRowSchema(ma.Schema):
    item_id = ma.fields.UUID(required=True)
    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    days_out = ma.fields.Integer(required=True)
    first_out = ma.fields.Date(allow_none=True)
    last_out = ma.fields.Date(allow_none=True)
    on_hand = Quantity(required=True)
    sold_qty = Quantity(required=True, metadata={"description": "Net quantity sold in the period."})
    is_out_now = ma.fields.Boolean(required=True)


class StockOutsSchema(ma.Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    items = ma.fields.List(ma.fields.Nested(StockOutRowSchema), required=True)


class LowStockRowSchema(ma.Schema):
    item_id = ma.fields.UUID(required=True)
    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    on_hand = Quantity(required=True)
    reorder_point = Quantity(required=True)
    sold_qty = Quantity(required=True)
    stock_days = Ratio(1)


class ExpiryRowSchema(ma.Schema):
    lot_id = ma.fields.UUID(required=True)
    item_id = ma.fields.UUID(required=True)
    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    lot_no = ma.fields.String(allow_none=True)
    expires_on = ma.fields.Date(required=True)
    received_on = ma.fields.Date(required=True)
    days_left = ma.fields.Integer(required=True, metadata={"description": "Negative: expired that long ago."})
    qty_left = Quantity(required=True)
    avg_cost = UnitCost(required=True)
    value = Money(required=True)
    is_expired = ma.fields.Boolean(required=True)


class ExpirySchema(ma.Schema):
    as_of = ma.fields.Date(required=True)
    days = ma.fields.Integer(required=True)
    expired_value = Money(required=True)
    expiring_value = Money(required=True)
    lots = ma.fields.List(ma.fields.Nested(ExpiryRowSchema), required=True)


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    return reports.check_period(start, end, today=today_for(g.tenant))


@blp.route("/period")
class Period(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PeriodArgs, location="query", as_kwargs=True)
    @blp.response(200, PeriodReportSchema)
    def get(self, start: date | None, end: date | None) -> dict[str, Any]:
        """Per item with stock or movements in the period: opening, received, sold, returned, adjusted and
        closing quantities and values, average stock, cost of goods sold, turnover and stock days."""
        report = reports.period_report(*_period(start, end))
        return {
            "start": report.start,
            "end": report.end,
            "days": report.days,
            "totals": {
                "opening_value": report.total("opening_value"),
                "received_value": report.total("received_value"),
                "cogs": report.cogs,
                "closing_value": report.total("closing_value"),
                "average_value": report.average_value,
                "turnover": report.turnover,
                "inventory_days": report.inventory_days,
            },
            "items": report.rows,
        }


@blp.route("/stock-outs")
class StockOuts(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PeriodArgs, location="query", as_kwargs=True)
    @blp.response(200, StockOutsSchema)
    def get(self, start: date | None, end: date | None) -> dict[str, Any]:
        """Items that ended days of the period with nothing on hand (how many, first and last), and
        items now at zero that sold in the period; most days out first."""
        first, last = _period(start, end)
        return {"start": first, "end": last, "items": reports.stock_outs(first, last)}


@blp.route("/low-stock")
class LowStock(MethodView):
    @require_permission("retail.view")
    @blp.arguments(PeriodArgs, location="query", as_kwargs=True)
    @blp.response(200, LowStockRowSchema(many=True))
    def get(self, start: date | None, end: date | None) -> list[dict[str, Any]]:
        """Active items at or below their reorder point, with the quantity sold in the period and the
        days their stock lasts at that pace."""
        rows = reports.low_stock_rows(*_period(start, end))
        return [
            {
                "item_id": item.id,
                "sku": item.sku,
                "name": item.name,
                "on_hand": item.on_hand,
                "reorder_point": item.reorder_point,
                "sold_qty": sold,
                "stock_days": days,
            }
            for item, sold, days in rows
        ]


@blp.route("/expiry")
class Expiry(MethodView):
    @require_permission("retail.view")
    @blp.arguments(ExpiryArgs, location="query", as_kwargs=True)
    @blp.response(200, ExpirySchema)
    def get(self, days: int) -> dict[str, Any]:
        """Lots with units left that have expired or expire within `days` days (default 30), first
        expiry first, valued at the item's current average cost."""
        report = lots.expiry_list(as_of=today_for(g.tenant), days=days)
        return {
            "as_of": report.as_of,
            "days": report.days,
            "expired_value": report.expired_value,
            "expiring_value": report.expiring_value,
            "lots": report.rows,
        }
