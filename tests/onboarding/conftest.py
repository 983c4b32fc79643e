"""Onboarding fixtures: the savings test cooperative in scope, its clock frozen, messages in English."""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from tests.savings_services.builders import NOW, start_coop

HEADINGS = "nik,name,sex,birth_date,address,phone,occupation,joined_on,type,pokok,wajib,sukarela\n"
# Siti and Budi are anggota (pokok Rp 250.000 each, the cooperative's amount), Rina a calon anggota.
GOOD_CSV = HEADINGS + (
    '3578014508900001,Siti Aminah,P,1990-08-05,"Jl. Mawar 1, Surabaya",081234567890,Pedagang,2025-03-01,'
    'anggota,250000,"1.200.000","350000,50"\n'
    "3578011703850002,Budi Santoso,L,17/03/1985,,,,2026-01-15,anggota,,600000,0\n"
    "3578016204000003,Rina Wati,P,,,,,,calon_anggota,,,75000\n"
)


@pytest.fixture
def coop(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        yield start_coop("ksp-impor")


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def counted(coop: Any, model: Any) -> int:
    """A count in the cooperative's scope, from outside any request."""
    db.session.rollback()
    set_tenant(db.session, coop.tenant.id)
    try:
        return count(model)
    finally:
        db.session.rollback()
        clear_tenant(db.session)
