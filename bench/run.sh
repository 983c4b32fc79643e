#!/usr/bin/env bash
# Benchmarks on PostgreSQL at 127.0.0.1 (and SQLite); bench/README.md has what each measures.
#
#   bench/run.sh                    every benchmark at full scale (what `make bench` runs)
#   bench/run.sh quick              every benchmark at its small scale, for a quick check
#   bench/run.sh NAME [ARGS...]     one benchmark: ledger, savings-month-end, api-deposit,
#                                   pos-sale, stock-value, receipt-pdf, loan-ageing (ARGS go to its script)
#   bench/run.sh --scale 0.1 ...    the general ledger benchmark with these arguments
set -uo pipefail
cd "$(dirname "$0")/.."
PY=".venv/bin/python"
[ -x "$PY" ] || PY=python3

script_of() {
    case "$1" in
        ledger) echo bench/ledger_bench.py ;;
        savings-month-end) echo bench/savings_month_end_bench.py ;;
        api-deposit) echo bench/api_deposit_bench.py ;;
        pos-sale) echo bench/pos_sale_bench.py ;;
        stock-value) echo bench/stock_value_bench.py ;;
        receipt-pdf) echo bench/receipt_pdf_bench.py ;;
        loan-ageing) echo bench/loan_ageing_bench.py ;;
        *) return 1 ;;
    esac
}

# name, then its arguments at full scale and at the quick scale
ALL=(
    "ledger||--scale 0.1 --entries 200"
    "savings-month-end||--scale 0.1"
    "api-deposit|--full|"
    "pos-sale|--full|"
    "stock-value|--full|"
    "receipt-pdf|--full|"
    "loan-ageing||--scale 0.1 --schedules 50"
)

run_all() {
    local mode=$1 failed=()
    for spec in "${ALL[@]}"; do
        IFS='|' read -r name full quick <<<"$spec"
        local args=$full
        [ "$mode" = quick ] && args=$quick
        echo "=== $name $args"
        # shellcheck disable=SC2086  # the arguments are words
        "$PY" "$(script_of "$name")" $args || failed+=("$name")
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "failed: ${failed[*]}" >&2
        exit 1
    fi
}

case "${1:-}" in
    "") run_all full ;;
    quick) run_all quick ;;
    -*) exec "$PY" bench/ledger_bench.py "$@" ;;
    *)
        script=$(script_of "$1") || { echo "unknown benchmark: $1 (see bench/run.sh)" >&2; exit 2; }
        shift
        exec "$PY" "$script" "$@"
        ;;
esac
