"""Jinja filters: money and dates the Indonesian way, one pattern each."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime

from coopsaas.core.money import format_rupiah


def rupiah(amount: Decimal | None, sen: bool = False) -> str:
    """`Rp 1.250.000`; `sen=True` keeps the cents for ledgers."""
    return format_rupiah(amount, sen=sen)


def tanggal(value: date | datetime | None, style: str = "short") -> str:
    """`17/08/2026` (short) or `17 Agustus 2026` (long); datetimes are shown in the tenant's zone."""
    if value is None:
        return ""
    pattern = "dd/MM/yyyy" if style == "short" else style
    if isinstance(value, datetime):
        if style == "short":
            return format_datetime(value, "dd/MM/yyyy HH.mm")
        return format_datetime(value, pattern)
    return format_date(value, pattern)


def init_app(app: Flask) -> None:
    filters: dict[str, Any] = {"rupiah": rupiah, "tanggal": tanggal}
    app.jinja_env.filters.update(filters)
