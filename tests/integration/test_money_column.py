"""The Money column round-trips exactly on both databases and refuses floats and sen fractions."""

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from coopsaas.core.idempotency import IdempotencyRecord  # noqa: F401  (metadata)
from coopsaas.core.types import Money
from coopsaas.extensions import db
from tests.helpers import make_tenant


def test_money_type_binds_and_reads_exactly(db_session):
    col = db.Column("amount", Money())
    dialect = db_session.get_bind().dialect
    bind = col.type.process_bind_param
    read = col.type.process_result_value
    big = Decimal("9999999999999999.99")
    assert read(bind(big, dialect), dialect) == big
    assert read(bind(Decimal("0.01"), dialect), dialect) == Decimal("0.01")
    with pytest.raises(ValueError):
        bind(Decimal("0.001"), dialect)
    with pytest.raises(ValueError):
        bind(0.5, dialect)


def test_money_column_refuses_a_float_at_flush(db_session):
    from coopsaas.core.db import set_tenant
    from coopsaas.jobs.models import JobRun  # noqa: F401

    t = make_tenant("kop-float")
    db_session.commit()
    set_tenant(db_session, t.id)
    with pytest.raises(StatementError):
        db_session.execute(select(db.literal(0.5, Money()))).scalar_one()
    db_session.rollback()
