#!/usr/bin/env bash
# The whole suite twice: on SQLite (the embedded default) and on PostgreSQL with real Redis.
# In CI (CI=true) the PostgreSQL pass always runs and fails when PostgreSQL or Redis is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_ADMIN="${COOPSAAS_TEST_PG_ADMIN_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"

echo "== pass 1/2: SQLite"
"$BIN/pytest" "$@"

pg_up() {
  "$BIN/python" - "$PG_ADMIN" <<'PY'
import sys
from sqlalchemy import create_engine, text
try:
    with create_engine(sys.argv[1]).connect() as c:
        c.execute(text("SELECT 1"))
except Exception:
    sys.exit(1)
PY
}

if [ "${CI:-}" = "true" ] || pg_up; then
  echo "== pass 2/2: PostgreSQL (row-level security as coopsaas_app) + Redis"
  COOPSAAS_TEST_DB=postgres "$BIN/pytest" -m "not browser" "$@"
else
  echo "PostgreSQL is not reachable at $PG_ADMIN: the PostgreSQL pass was not run here (CI runs it)."
fi
