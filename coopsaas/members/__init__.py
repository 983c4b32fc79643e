"""The member register: admission (with simpanan pokok), search, the member's page.

Public API for other features: `coopsaas.members.services` (`register_member`, `search_members`,
`member_accounts`) and `coopsaas.members.nik` (`validate_nik`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from coopsaas.api import register_blueprint
    from coopsaas.core.i18n import _l
    from coopsaas.members import api, views
    from coopsaas.web.nav import register_nav

    app.register_blueprint(views.bp)
    app.register_blueprint(views.me_bp)
    register_blueprint(app, api.blp)
    register_blueprint(app, api.me_blp)
    register_nav(_l("Members"), "members.index", permission="members.view", order=10)
    register_nav(_l("My savings"), "members_me.my_savings", permission="self.view", order=2)

    from coopsaas.members import import_views

    app.register_blueprint(import_views.bp)
    register_blueprint(app, import_views.blp)
    app.cli.add_command(import_views.members_cli)

    from coopsaas.members import exit_api, exit_views

    app.register_blueprint(exit_views.bp)
    register_blueprint(app, exit_api.blp)
    register_nav(_l("Member exits"), "member_exit.index", permission="members.view", order=11)
