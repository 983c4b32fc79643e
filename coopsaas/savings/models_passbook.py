"""Where a savings account's passbook (*buku tabungan*) was last printed.

One row per account, made on the first confirmed print (an account without one is at book 1,
page 1, nothing printed). The position names the last transaction printed and the page and line
it landed on; `line_no` 0 means nothing is printed on `page_no` yet. A print advances the
position only when staff confirm it came out right, so a jammed printer is simply printed again.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantScoped, utcnow
from coopsaas.extensions import db


class Passbook(TenantScoped, db.Model):
    __tablename__ = "savings_passbook"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_id"),
        ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["savings_account.tenant_id", "savings_account.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "last_transaction_id"],
            ["savings_transaction.tenant_id", "savings_transaction.id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("book_no >= 1", name="book_positive"),
        CheckConstraint("page_no >= 1", name="page_positive"),
        CheckConstraint("line_no >= 0", name="line_not_negative"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column()
    book_no: Mapped[int] = mapped_column(Integer, default=1)
    page_no: Mapped[int] = mapped_column(Integer, default=1)
    line_no: Mapped[int] = mapped_column(Integer, default=0)
    # None: nothing printed yet in any book (or a reset to reprint from the first transaction).
    last_transaction_id: Mapped[uuid.UUID | None] = mapped_column()
    # A new book opens with a brought-forward balance line before the next transaction.
    carry_forward: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<Passbook book {self.book_no} page {self.page_no} line {self.line_no}>"
