"""Translatable text for modules that run outside requests too (services, jobs, CLI)."""

from __future__ import annotations

from flask_babel import lazy_gettext

_l = lazy_gettext

__all__ = ["_l"]
