"""`savings_month_end`: the monthly job that credits interest, withholds tax and charges admin fees.

Run by cron on the 1st for the month just ended, or by hand:
`flask --app wsgi jobs run savings_month_end --tenant SLUG --as-of YYYY-MM-DD`, where the date is
any day of the month to close: the JobRun period is the month containing `as_of`
(`Kind.period_of`), so the job closes that month. The cron fan-out, on the 1st, passes the last
day of the month that just ended; by hand, pass that date too (the 1st would name the new month).
Time deposits come first (their anniversaries in the month: interest paid or accrued,
maturities settled), so the sukarela tax sees all of a member's interest of the month.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.jobs.runs import JobHandle
from coopsaas.savings import deposits
from coopsaas.savings.month_end import run_month_end
from coopsaas.tenancy.models import Tenant

KIND = "savings_month_end"


def month_for(as_of: date) -> tuple[int, int]:
    """The month the JobRun period names: the month containing `as_of` (jobs.kinds.period_of)."""
    return as_of.year, as_of.month


def savings_month_end(job: JobHandle, as_of: date) -> str:
    tenant = db.session.scalars(select(Tenant).where(Tenant.id == job.tenant_id)).one()
    year, month = month_for(as_of)
    month_last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    paid = deposits.post_due_interest(tenant=tenant, actor=None, through=month_last, month=(year, month))
    result = run_month_end(
        tenant=tenant, actor=None, year=year, month=month, progress=job.progress, prior=paid.by_member
    )
    return f"{result.summary()}; time deposits: {paid.summary()}"
