"""General ledger: the double-entry truth every other ledger posts into.

Public API for other features (nothing else writes journal lines):
`post_entry`, `reverse_entry`, `balance_of`, `trial_balance`, `close_period`, `reopen_period`,
`close_year`, `verify_ledger`, `register_verify_hook`, with `EntrySpec` / `LineSpec` describing
an entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coopsaas.ledger.balances import TrialBalance, balance_of, trial_balance
from coopsaas.ledger.periods import close_period, close_year, reopen_period
from coopsaas.ledger.posting import EntrySpec, LineSpec
from coopsaas.ledger.services import post_entry, reverse_entry
from coopsaas.ledger.verify import Finding, register_verify_hook, verify_ledger

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "EntrySpec",
    "Finding",
    "LineSpec",
    "TrialBalance",
    "balance_of",
    "close_period",
    "close_year",
    "post_entry",
    "register_verify_hook",
    "reopen_period",
    "reverse_entry",
    "trial_balance",
    "verify_ledger",
]


def init_app(app: Flask) -> None:
    from coopsaas.jobs import register_kind
    from coopsaas.ledger import jobs
    from coopsaas.ledger.cli import ledger_cli

    app.cli.add_command(ledger_cli)
    _register_delivery(app)
    register_kind(jobs.KIND, jobs.nightly_verify, period="day", timeout=1800)


def _register_delivery(app: Flask) -> None:
    """Pages, API and menu entry of the ledger."""
    from coopsaas.api import register_blueprint
    from coopsaas.core.i18n import _l
    from coopsaas.ledger import api, views
    from coopsaas.web.nav import register_nav

    app.register_blueprint(views.bp)
    for blp in api.BLUEPRINTS:
        register_blueprint(app, blp)
    register_nav(_l("General ledger"), "ledger.entries", permission="ledger.view", order=60)
