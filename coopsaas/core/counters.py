"""Per-tenant gapless counters (voucher and member numbers).

`UPDATE ... SET value = value + 1 ... RETURNING value` takes the row lock on PostgreSQL and the
write lock on SQLite, so two transactions never get the same number and a rollback returns it.
Never `count() + 1`.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, UniqueConstraint, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from coopsaas.core.db import TenantMissing, TenantScoped, current_tenant_id
from coopsaas.core.ids import uuid7
from coopsaas.extensions import db


class Counter(TenantScoped, db.Model):
    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def next_number(name: str) -> int:
    """The next number of the named series in the tenant in scope."""
    session = db.session
    tid = current_tenant_id(session)
    if tid is None:
        raise TenantMissing("counter with no tenant in scope")
    stmt = (
        update(Counter)
        .where(Counter.tenant_id == tid, Counter.name == name)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
        .execution_options(synchronize_session=False)
    )
    value = session.execute(stmt).scalar_one_or_none()
    if value is not None:
        return int(value)
    try:
        with session.begin_nested():
            session.execute(insert(Counter).values(tenant_id=tid, id=uuid7(), name=name, value=1))
        return 1
    except IntegrityError:
        # Another transaction created the series first: take the next number from it.
        return int(session.execute(stmt).scalar_one())


def give_back(name: str) -> None:
    """Return the number just taken from the named series, in the same transaction and before
    anything else takes one (the counter row stays locked until the transaction ends), when the
    work it was taken for is refused: the series stays gapless even if the caller carries on."""
    tid = current_tenant_id(db.session)
    if tid is None:
        raise TenantMissing("counter with no tenant in scope")
    db.session.connection().execute(
        update(Counter.__table__)
        .where(Counter.__table__.c.tenant_id == tid, Counter.__table__.c.name == name)
        .values(value=Counter.__table__.c.value - 1)
    )
