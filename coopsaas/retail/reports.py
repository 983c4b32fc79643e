"""Shop reports for a period: stock movement per item, turnover, stock days and stock-outs.

Every figure comes from the append-only stock movements, summed in SQL (a few grouped queries,
never a Python loop over movements), so the reports stay fast at tens of thousands of items and
millions of movements. They read only the movements dated from the period's start onwards, through
the `(tenant_id, moved_on)` index: an item's figures at a date are its current figures less what
moved after that date (the item's quantity and value are the sums of its movements).

Definitions (period `start`..`end`, both included, `n` days):

- closing quantity/value: at the end of `end`; opening: at the end of the day before `start`;
- received / sold / returned / adjusted: the movements of the period by kind; *sold net* is the
  quantity sold less the quantity returned (a void gives all of it back), *cost of goods sold*
  (HPP) likewise at the cost the goods left and came back with;
- average inventory: the mean of the `n` end-of-day values,
  `opening + sum(movement * (end - day + 1)) / n`, computed in one sum;
- turnover = cost of goods sold / average inventory value (empty when there was no stock);
- stock days = closing quantity / (sold net / n): how many days the stock lasts at the period's
  pace (empty when nothing was sold);
- a day out of stock: a day that ended with nothing (or less) on hand, for an active item with
  stock history before that day; first/last are the first and last such days in the period.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Integer, and_, case, exists, func, literal, or_, select, text, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from coopsaas.core.i18n import _l
from coopsaas.core.types import Money
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.retail.models import Fixed, Item, StockMovement

ZERO = Decimal("0.00")
ZERO_QTY = Decimal("0.000")
EPOCH = date(2000, 1, 1)
MAX_PERIOD_DAYS = 3660


class day_number(FunctionElement[int]):
    """Days since 2000-01-01 of a date column, as an integer, on both databases."""

    type = Integer()
    inherit_cache = True
    name = "day_number"


@compiles(day_number)
def _day_number_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '2000-01-01')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # SQLite keeps dates as ISO text; julianday('2000-01-01') is 2451544.5.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2451544.5 AS INTEGER)"


def _roomy() -> None:
    """On PostgreSQL, give this transaction's report queries room to sort and hash a year of
    movements in memory, and no JIT (its compile time outweighs what it saves here)."""
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        db.session.execute(text("SET LOCAL jit = off"))
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _dn(d: date) -> int:
    return (d - EPOCH).days


def check_period(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The period asked for, defaulting to this month so far. Raises ValidationError when the end
    is before the start or the period is longer than ten years."""
    end = end or today
    start = start or end.replace(day=1)
    if end < start:
        message = _l("The end date is before the start date.")
        raise ValidationError(message, fields={"end": [message]})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        message = _l("A period is at most %(n)s days.", n=MAX_PERIOD_DAYS)
        raise ValidationError(message, fields={"start": [message]})
    return start, end


def _q(expr: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(expr), 0), Fixed(3))


def _v(expr: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(expr), 0), Money)


AGG_COLUMNS = (
    "after_qty",
    "after_value",
    "received_qty",
    "received_value",
    "sale_qty",
    "sale_value",
    "return_qty",
    "return_value",
    "adjusted_qty",
    "adjusted_value",
    "weighted_qty",
    "weighted_value",
    "moves",
)


def _qty(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _sen(value: Decimal) -> Decimal:
    return value.quantize(ZERO, rounding=ROUND_HALF_UP)


def _ratio(num: Decimal, den: Decimal, places: str) -> Decimal | None:
    if den <= 0:
        return None
    return (num / den).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PeriodRow:
    """One item's stock over the period."""

    item_id: uuid.UUID
    sku: str
    name: str
    unit: str
    category: str | None
    opening_qty: Decimal
    opening_value: Decimal
    received_qty: Decimal
    received_value: Decimal
    sold_qty: Decimal
    sold_cost: Decimal
    returned_qty: Decimal
    returned_cost: Decimal
    adjusted_qty: Decimal
    adjusted_value: Decimal
    closing_qty: Decimal
    closing_value: Decimal
    average_qty: Decimal
    average_value: Decimal
    days: int

    @property
    def sold_net_qty(self) -> Decimal:
        return self.sold_qty - self.returned_qty

    @property
    def cogs(self) -> Decimal:
        """Cost of goods sold in the period, returns deducted."""
        return self.sold_cost - self.returned_cost

    @property
    def turnover(self) -> Decimal | None:
        return _ratio(self.cogs, self.average_value, "0.01")

    @property
    def stock_days(self) -> Decimal | None:
        if self.sold_net_qty <= 0:
            return None
        return _ratio(self.closing_qty * self.days, self.sold_net_qty, "0.1")

    @property
    def daily_sales(self) -> Decimal:
        return (self.sold_net_qty / self.days).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PeriodReport:
    start: date
    end: date
    rows: list[PeriodRow]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def total(self, name: str) -> Decimal:
        return sum((getattr(r, name) for r in self.rows), ZERO)

    @property
    def cogs(self) -> Decimal:
        return self.total("cogs")

    @property
    def average_value(self) -> Decimal:
        """The mean of the daily stock values (each item's to the sen)."""
        return self.total("average_value")

    @property
    def turnover(self) -> Decimal | None:
        return _ratio(self.cogs, self.total("average_value"), "0.01")

    @property
    def inventory_days(self) -> Decimal | None:
        """Closing stock value / cost of goods sold per day: the days the shelf lasts in rupiah."""
        return _ratio(self.total("closing_value") * self.days, self.cogs, "0.1")


def period_report(start: date, end: date) -> PeriodReport:
    """Per item with stock or movements: opening, received, sold, returned, adjusted, closing,
    average stock, cost of goods sold, turnover and stock days (see the module docstring). Two
    grouped queries in the tenant in scope."""
    _roomy()
    n = (end - start).days + 1
    m = StockMovement
    in_period = m.moved_on <= end
    weight = literal(_dn(end) + 1) - day_number(m.moved_on)

    def by_kind(kind: str, col: Any) -> Any:
        return case((and_(in_period, m.kind == kind), col), else_=0)

    agg = (
        select(
            m.item_id.label("item_id"),
            _q(case((m.moved_on > end, m.qty), else_=0)).label("after_qty"),
            _v(case((m.moved_on > end, m.value), else_=0)).label("after_value"),
            _q(by_kind("receipt", m.qty)).label("received_qty"),
            _v(by_kind("receipt", m.value)).label("received_value"),
            _q(by_kind("sale", m.qty)).label("sale_qty"),
            _v(by_kind("sale", m.value)).label("sale_value"),
            _q(by_kind("return", m.qty)).label("return_qty"),
            _v(by_kind("return", m.value)).label("return_value"),
            _q(by_kind("adjustment", m.qty)).label("adjusted_qty"),
            _v(by_kind("adjustment", m.value)).label("adjusted_value"),
            _q(case((in_period, m.qty * weight), else_=0)).label("weighted_qty"),
            _v(case((in_period, m.value * weight), else_=0)).label("weighted_value"),
            func.count(case((in_period, 1))).label("moves"),
        )
        .where(m.moved_on >= start)
        .group_by(m.item_id)
    )
    a = agg.subquery("moved")
    stmt = (
        select(
            Item.id,
            Item.sku,
            Item.name,
            Item.unit,
            Item.category,
            Item.on_hand,
            Item.stock_value,
            *(a.c[name] for name in AGG_COLUMNS),
        )
        .select_from(Item)
        .outerjoin(a, a.c.item_id == Item.id)
        # Items that did not move since the start but hold stock still belong in the report.
        .where(or_(Item.on_hand != 0, Item.stock_value != 0, a.c.item_id.is_not(None)))
        .order_by(Item.name, Item.sku)
    )
    rows = []
    for r in db.session.execute(stmt):
        item_id, sku, name, unit, category, on_hand, value = r[:7]
        f = dict(zip(AGG_COLUMNS, (ZERO if v is None else v for v in r[7:]), strict=True))
        closing_qty, closing_value = on_hand - f["after_qty"], value - f["after_value"]
        if not f["moves"] and closing_qty == 0 and closing_value == 0:
            continue  # moved only after the period, empty during it
        net_qty = f["received_qty"] + f["sale_qty"] + f["return_qty"] + f["adjusted_qty"]
        net_value = f["received_value"] + f["sale_value"] + f["return_value"] + f["adjusted_value"]
        opening_qty, opening_value = closing_qty - net_qty, closing_value - net_value
        rows.append(
            PeriodRow(
                item_id=item_id,
                sku=sku,
                name=name,
                unit=unit,
                category=category,
                opening_qty=_qty(opening_qty),
                opening_value=opening_value,
                received_qty=_qty(f["received_qty"]),
                received_value=f["received_value"],
                sold_qty=_qty(-f["sale_qty"]),
                sold_cost=-f["sale_value"],
                returned_qty=_qty(f["return_qty"]),
                returned_cost=f["return_value"],
                adjusted_qty=_qty(f["adjusted_qty"]),
                adjusted_value=f["adjusted_value"],
                closing_qty=_qty(closing_qty),
                closing_value=closing_value,
                average_qty=_qty(opening_qty + f["weighted_qty"] / n),
                average_value=_sen(opening_value + f["weighted_value"] / n),
                days=n,
            )
        )
    return PeriodReport(start, end, rows)


# ---- stock-outs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockOutRow:
    item_id: uuid.UUID
    sku: str
    name: str
    unit: str
    days_out: int
    first_out: date | None
    last_out: date | None
    on_hand: Decimal
    sold_qty: Decimal

    @property
    def is_out_now(self) -> bool:
        return self.on_hand <= 0


def stock_outs(start: date, end: date) -> list[StockOutRow]:
    """Active items that ended at least one day of the period with nothing on hand (days out of
    stock, first and last such day), and items now at zero that sold in the period (days out 0 if
    they ran out after it). Most days out first.

    One query. Per item, the end-of-day quantity changes only on days with movements: each such
    day starts a stretch (to the next such day) at `opening + running sum`, and the stretch before
    the first one holds the opening quantity. Only items that could reach zero are walked: those
    whose opening quantity plus every outflow of the period is at most zero."""
    _roomy()
    m = StockMovement
    s_dn, e_dn = _dn(start), _dn(end)
    in_period = and_(m.moved_on >= start, m.moved_on <= end)
    # Quantities here are raw column values (scaled integers on SQLite): only compared with zero
    # and added to each other, then converted at the end.
    since = (
        select(
            m.item_id.label("item_id"),
            func.sum(m.qty).label("since_qty"),
            func.sum(case((and_(in_period, m.qty < 0), m.qty), else_=0)).label("outflow"),
            func.sum(case((and_(in_period, m.kind.in_(("sale", "return"))), -m.qty), else_=0)).label("sold"),
        )
        .where(m.moved_on >= start)
        .group_by(m.item_id)
        .cte("since")
    )
    opening_qty = Item.on_hand - func.coalesce(since.c.since_qty, 0)
    candidates = (
        select(Item.id.label("item_id"), opening_qty.label("qty"))
        .select_from(Item)
        .outerjoin(since, since.c.item_id == Item.id)
        .where(Item.is_active.is_(True), opening_qty + func.coalesce(since.c.outflow, 0) <= 0)
        .cte("candidates")
    )
    daily = (
        select(m.item_id.label("item_id"), day_number(m.moved_on).label("d"), func.sum(m.qty).label("dq"))
        .where(in_period, m.item_id.in_(select(candidates.c.item_id)))
        .group_by(m.item_id, m.moved_on)
        .cte("daily")
    )
    window = {"partition_by": daily.c.item_id, "order_by": daily.c.d}
    stretches = (
        select(
            daily.c.item_id,
            daily.c.d,
            (candidates.c.qty + func.sum(daily.c.dq).over(**window)).label("q"),
            (func.coalesce(func.lead(daily.c.d).over(**window), e_dn + 1) - daily.c.d).label("len"),
        )
        .select_from(daily)
        .join(candidates, candidates.c.item_id == daily.c.item_id)
        .cte("stretches")
    )
    later = (
        select(
            stretches.c.item_id,
            func.sum(stretches.c.len).label("days"),
            func.min(stretches.c.d).label("first"),
            func.max(stretches.c.d + stretches.c.len - 1).label("last"),
        )
        .where(stretches.c.q <= 0)
        .group_by(stretches.c.item_id)
        .cte("later")
    )
    first_move = (
        select(daily.c.item_id, func.min(daily.c.d).label("d")).group_by(daily.c.item_id).cte("first_move")
    )
    # The stretch before the first movement of the period, for items with stock history before it.
    history_before = exists().where(m.item_id == candidates.c.item_id, m.moved_on < start)
    lead_len = func.coalesce(first_move.c.d, e_dn + 1) - s_dn
    lead_out = and_(candidates.c.qty <= 0, lead_len > 0, or_(candidates.c.qty != 0, history_before))
    lead_days = case((lead_out, lead_len), else_=0)
    days_out = lead_days + func.coalesce(later.c.days, 0)
    first_out = case((lead_out, s_dn), else_=later.c.first)
    last_out = func.coalesce(later.c.last, case((lead_out, s_dn + lead_len - 1)))
    sold = func.coalesce(since.c.sold, 0)
    stmt = (
        select(
            Item.id,
            Item.sku,
            Item.name,
            Item.unit,
            Item.on_hand,
            days_out,
            first_out,
            last_out,
            type_coerce(sold, Fixed(3)),
        )
        .select_from(Item)
        .outerjoin(candidates, candidates.c.item_id == Item.id)
        .outerjoin(first_move, first_move.c.item_id == Item.id)
        .outerjoin(later, later.c.item_id == Item.id)
        .outerjoin(since, since.c.item_id == Item.id)
        .where(
            Item.is_active.is_(True),
            or_(and_(candidates.c.item_id.is_not(None), days_out > 0), and_(Item.on_hand <= 0, sold > 0)),
        )
    )
    rows = [
        StockOutRow(
            item_id=r[0],
            sku=r[1],
            name=r[2],
            unit=r[3],
            on_hand=r[4],
            days_out=int(r[5] or 0),
            first_out=EPOCH + timedelta(days=int(r[6])) if r[6] is not None and r[5] else None,
            last_out=EPOCH + timedelta(days=int(r[7])) if r[7] is not None and r[5] else None,
            sold_qty=r[8],
        )
        for r in db.session.execute(stmt)
    ]
    return sorted(rows, key=lambda r: (-r.days_out, r.name, r.sku))


def low_stock_rows(start: date, end: date) -> list[tuple[Item, Decimal, Decimal | None]]:
    """Active items at or below their reorder point, with their net quantity sold in the period and
    the days their stock lasts at that pace (None: nothing sold)."""
    m = StockMovement
    sold = (
        select(m.item_id.label("item_id"), _q(-m.qty).label("sold"))
        .where(m.moved_on >= start, m.moved_on <= end, m.kind.in_(("sale", "return")))
        .group_by(m.item_id)
        .subquery()
    )
    n = (end - start).days + 1
    out: list[tuple[Item, Decimal, Decimal | None]] = []
    stmt = (
        select(Item, sold.c.sold)
        .outerjoin(sold, sold.c.item_id == Item.id)
        .where(Item.is_active.is_(True), Item.on_hand <= Item.reorder_point)
        .order_by(Item.name, Item.sku)
    )
    for row in db.session.execute(stmt):
        item: Item = row[0]
        qty: Decimal = row[1] or ZERO_QTY
        days = _ratio(max(item.on_hand, ZERO_QTY) * n, qty, "0.1") if qty > 0 else None
        out.append((item, qty, days))
    return out
