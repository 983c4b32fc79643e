"""The web shell: base layout, navigation, filters, the front door and the cooperative pages."""

from __future__ import annotations

from flask import Flask, g

from coopsaas.core.i18n import _l


def init_app(app: Flask) -> None:
    from coopsaas.auth import views as auth_views
    from coopsaas.core.db import clear_tenant
    from coopsaas.extensions import db
    from coopsaas.web import agency, filters, security, tenant, views
    from coopsaas.web.layout import layout_context
    from coopsaas.web.nav import register_nav

    security.init_app(app)
    filters.init_app(app)
    app.context_processor(layout_context)

    app.register_blueprint(views.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(auth_views.tenant_bp)
    app.register_blueprint(tenant.bp)
    app.register_blueprint(agency.bp)

    register_nav(_l("Home"), "web_tenant.home", permission="tenant.view", order=0)
    register_nav(_l("My account"), "web_tenant.me", permission="self.view", order=1)
    register_nav(_l("Users"), "auth_tenant.users", permission="users.manage", order=900)
    register_nav(_l("API tokens"), "auth_tenant.tokens", permission="tokens.own", order=910)

    @app.teardown_request
    def _leave_request(exc: BaseException | None) -> None:
        # Views commit what they keep; anything still open is dropped. Nothing of this request
        # (tenant, user, locale, CSRF token) may reach the next one, even when the app context is
        # reused across requests as the test client does.
        db.session.rollback()
        clear_tenant(db.session)
        for key in list(g):
            g.pop(key, None)
