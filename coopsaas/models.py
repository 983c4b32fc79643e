"""Imports every model so the metadata (migrations, schema tests) sees all tables."""

from coopsaas.auth.models import ApiToken, User  # noqa: F401
from coopsaas.core.audit import AuditEvent, PlatformEvent  # noqa: F401
from coopsaas.core.counters import Counter  # noqa: F401
from coopsaas.core.idempotency import IdempotencyRecord  # noqa: F401
from coopsaas.jobs.models import JobRun  # noqa: F401
from coopsaas.ledger.models import Account  # noqa: F401
from coopsaas.tenancy.models import Agency, AgencyLink, AgencyMembership, Membership, Tenant  # noqa: F401
from coopsaas.members.models import Member  # noqa: F401
from coopsaas.savings.models import SavingsAccount, SavingsProduct, SavingsTransaction  # noqa: F401
from coopsaas.retail.models import Item, Sale, StockMovement  # noqa: F401  (all shop tables)
from coopsaas.savings.models_berjangka import BerjangkaPlacement  # noqa: F401
