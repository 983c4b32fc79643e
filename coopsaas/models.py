"""Imports every model so the metadata (migrations, schema tests) sees all tables."""

from coopsaas.auth.models import ApiToken, User  # noqa: F401
from coopsaas.core.audit import AuditEvent, PlatformEvent  # noqa: F401
from coopsaas.core.counters import Counter  # noqa: F401
from coopsaas.core.idempotency import IdempotencyRecord  # noqa: F401
from coopsaas.jobs.models import JobRun  # noqa: F401
from coopsaas.ledger.models import Account  # noqa: F401
from coopsaas.loans.models import (  # noqa: F401
    Loan,
    LoanApplication,
    LoanInstalment,
    LoanProduct,
    LoanTransaction,
)
from coopsaas.loans.payroll_models import PayrollBatch  # noqa: F401
from coopsaas.members.models import Member  # noqa: F401
from coopsaas.members.models_exit import MemberExit  # noqa: F401
from coopsaas.network.models import (  # noqa: F401  (supply network)
    CatalogueItem,
    NetworkLink,
    NetworkOrder,
    NetworkPartner,
)
from coopsaas.retail.credit_models import CreditTxn, Customer, Invoice  # noqa: F401  (shop receivables)
from coopsaas.retail.models import Item, Sale, StockMovement  # noqa: F401  (all shop tables)
from coopsaas.savings.models import SavingsAccount, SavingsProduct, SavingsTransaction  # noqa: F401
from coopsaas.savings.models_berjangka import BerjangkaPlacement  # noqa: F401
from coopsaas.savings.models_passbook import Passbook  # noqa: F401
from coopsaas.savings.models_teller import TellerSession  # noqa: F401
from coopsaas.tenancy.models import Agency, AgencyLink, AgencyMembership, Membership, Tenant  # noqa: F401
