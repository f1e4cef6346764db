#!/usr/bin/env bash
# Runs the benchmark (Release) on this machine's real RabbitMQ and PostgreSQL, starting them if needed
# and stopping what it started. Arguments go to owf-bench (e.g. --smoke, --messages 20000 --rounds 3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started="$(scripts/services.sh up)"
# shellcheck disable=SC2086
trap 'scripts/services.sh down $started' EXIT
eval "$(scripts/services.sh env)"

dotnet build bench/OrleansWorkflow.Bench -c Release -v q -nologo | grep -E "error|warn" || true
dotnet bench/OrleansWorkflow.Bench/bin/Release/net10.0/owf-bench.dll "$@"
