"""Column types. `Money` keeps rupiah exact on both databases (DEPENDENCIES.md section 3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from coopsaas.core.money import CENT, to_money


class Money(TypeDecorator[Decimal]):
    """NUMERIC(18,2) on PostgreSQL, integer sen on SQLite (whose NUMERIC is really REAL).

    Floats and amounts with more than two decimals are refused at bind time instead of being
    rounded silently by the database.
    """

    impl = Numeric(18, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, 2))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        d = to_money(value)
        return int(d.scaleb(2)) if dialect.name == "sqlite" else d

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-2).quantize(CENT)
        return Decimal(value).quantize(CENT)
