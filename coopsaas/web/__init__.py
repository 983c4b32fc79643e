from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from coopsaas.web import security

    security.init_app(app)
