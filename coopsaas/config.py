"""Configuration from COOPSAAS_* environment variables (README has the table).

Secrets have no defaults in production: the app refuses to start without them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    pass


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret(instance_path: Path) -> str:
    """A per-installation secret for the embedded default, kept in instance/ (never committed)."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(instance_path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    e = dict(os.environ if env is None else env)
    mode = e.get("COOPSAAS_ENV", "development")
    if mode not in {"development", "production", "test"}:
        raise ConfigError(f"COOPSAAS_ENV must be development, production or test, not {mode!r}")
    production = mode == "production"

    secret = e.get("COOPSAAS_SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("COOPSAAS_SECRET_KEY must be set in production")
        secret = _dev_secret(instance_path)

    db_url = e.get("COOPSAAS_DATABASE_URL") or f"sqlite:///{instance_path / 'coopsaas.db'}"
    if production and db_url.startswith("sqlite"):
        # Allowed (a single small cooperative), but said loudly in the logs at start.
        pass
    redis_url = e.get("COOPSAAS_REDIS_URL") or None
    binds: dict[str, str] = {}
    if e.get("COOPSAAS_AGENCY_DATABASE_URL"):
        binds["agency"] = e["COOPSAAS_AGENCY_DATABASE_URL"]

    cfg: dict[str, Any] = {
        "COOPSAAS_ENV": mode,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_BINDS": binds,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": e.get("COOPSAAS_RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(e.get("COOPSAAS_RATELIMIT_ENABLED"), True),
        "TENANTS_DIR": e.get("COOPSAAS_TENANTS_DIR") or str(ROOT / "tenants"),
        "SESSION_COOKIE_SECURE": _bool(e.get("COOPSAAS_SECURE_COOKIES"), production),
        "REMEMBER_COOKIE_SECURE": _bool(e.get("COOPSAAS_SECURE_COOKIES"), production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ["id", "en"],
        "PASSWORD_METHOD": e.get("COOPSAAS_PASSWORD_METHOD", "scrypt"),
        "LOGIN_ATTEMPTS_PER_MINUTE": int(e.get("COOPSAAS_LOGIN_ATTEMPTS_PER_MINUTE", "5")),
        "CHECK_DB_ROLE": _bool(e.get("COOPSAAS_CHECK_DB_ROLE"), True),
        "LOG_LEVEL": e.get("COOPSAAS_LOG_LEVEL", "INFO"),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # API shell (flask-smorest)
        "API_TITLE": "CoopSaaS API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {"info": {"description": "JSON API of CoopSaaS. Money is a decimal string."}},
    }
    return cfg
