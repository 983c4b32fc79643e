"""`tenant_heartbeat`: the smallest real job kind, proving the path from cron to JobRun.

It counts the tenant's active accounts as of the run and says so in the JobRun message. It reads
only through the tenant scope, so on PostgreSQL it also proves the job ran under the tenant's RLS.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from coopsaas.extensions import db
from coopsaas.jobs.runs import JobHandle
from coopsaas.ledger.models import Account

KIND = "tenant_heartbeat"


def tenant_heartbeat(job: JobHandle, as_of: date) -> str:
    total = db.session.scalar(select(func.count()).select_from(Account)) or 0
    active = (
        db.session.scalar(select(func.count()).select_from(Account).where(Account.is_active.is_(True))) or 0
    )
    job.progress(1, 1)
    return f"{active} of {total} accounts active on {as_of.isoformat()}"
