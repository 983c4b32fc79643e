"""`ledger_verify`: the nightly check of every tenant's books (DESIGN.md section 6).

The findings are stored in the run's JobRun message, where the manager (`jobs status`, the
ledger pages) and the agency see them; a run with findings still ends `done`: the check itself
worked, the books are what need attention.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coopsaas.extensions import db
from coopsaas.jobs.runs import JobHandle
from coopsaas.ledger.verify import verify_ledger
from coopsaas.tenancy.models import Tenant

KIND = "ledger_verify"


def nightly_verify(job: JobHandle, as_of: date) -> str:
    tenant = db.session.scalars(select(Tenant).where(Tenant.id == job.tenant_id)).one()
    findings = verify_ledger(tenant)
    job.progress(1, 1)
    if not findings:
        return f"ledger verified on {as_of.isoformat()}: no findings"
    lines = [f"{f.code}: {f.message}" for f in findings]
    return f"ledger verified on {as_of.isoformat()}: {len(findings)} finding(s)\n" + "\n".join(lines)
