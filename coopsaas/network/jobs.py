"""`network_reconcile`: the nightly job that finishes the tenant's half-done network steps.

A step that reached the other cooperative's books but was interrupted before its own side was
written (a lost connection, a crash) is a pending `NetworkStep`; this job completes each one
(`services.complete_all_pending`), so both cooperatives' books agree by the morning. By hand:
`flask --app wsgi jobs run network_reconcile --tenant SLUG --as-of YYYY-MM-DD`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.jobs.runs import JobHandle
from coopsaas.tenancy.models import Tenant

KIND = "network_reconcile"


def network_reconcile(job: JobHandle, as_of: date) -> str:
    from coopsaas.network.services import complete_all_pending

    tenant = db.session.scalars(select(Tenant).where(Tenant.id == job.tenant_id)).one()
    return complete_all_pending(tenant=tenant, actor=None).summary()
