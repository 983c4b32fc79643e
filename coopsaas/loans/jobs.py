"""`loan_ageing`: the daily job that charges late penalties, ages the loan book and adjusts the
loss reserve (ageing.py).

Run by the cron fan-out every night for the tenant's business date, or by hand:
`flask --app wsgi jobs run loan_ageing --tenant SLUG --as-of YYYY-MM-DD`. A second run for the same
tenant and date does nothing (the JobRun row, and the `loan_ageing` row of that date).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.jobs.runs import JobHandle
from coopsaas.loans.ageing import age_loans, summary
from coopsaas.tenancy.models import Tenant

KIND = "loan_ageing"


def loan_ageing(job: JobHandle, as_of: date) -> str:
    tenant = db.session.scalars(select(Tenant).where(Tenant.id == job.tenant_id)).one()
    return summary(age_loans(tenant=tenant, as_of=as_of, actor=None, progress=job.progress))
