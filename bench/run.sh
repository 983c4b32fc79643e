#!/usr/bin/env bash
# General ledger benchmark (PostgreSQL on 127.0.0.1 and SQLite). Arguments go to ledger_bench.py,
# e.g. `bench/run.sh --scale 0.1` for a quick run; the default is the full 10M-line history.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=".venv/bin/python"
[ -x "$PY" ] || PY=python3
[ "${1:-}" = "savings-month-end" ] && { shift; exec "$PY" bench/savings_month_end_bench.py "$@"; }
exec "$PY" bench/ledger_bench.py "$@"
