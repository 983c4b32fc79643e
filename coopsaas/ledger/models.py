"""Chart of accounts. (Journal entries, lines, periods and balances join this module.)

Sign convention: every account has a normal side, D (debit) or K (kredit/credit). A balance is
reported positive on its normal side; contra accounts have the side opposite to their class.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped
from coopsaas.extensions import db

ACCOUNT_TYPES = ("asset", "liability", "equity", "income", "expense")
NORMAL_SIDES = ("D", "K")


class Account(TenantScoped, db.Model):
    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        ForeignKeyConstraint(
            ["tenant_id", "parent_id"], ["account.tenant_id", "account.id"], ondelete="RESTRICT"
        ),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(12))
    normal_side: Mapped[str] = mapped_column(String(1))
    is_contra: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_id: Mapped[uuid.UUID | None] = mapped_column()
    unit: Mapped[str | None] = mapped_column(String(12))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Account {self.code} {self.name}>"
