"""Tenants: context, routing, ORM scoping hooks and the tenants/*.toml sync."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from coopsaas.tenancy import cli

    cli.init_app(app)
