#!/usr/bin/env bash
# Runs every test against a real RabbitMQ and PostgreSQL on this machine. Installs and starts what is
# missing, and stops what it started. Extra arguments go to `dotnet test` (e.g. --filter Name~Fan).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

started="$(scripts/services.sh up)"
# shellcheck disable=SC2086
trap 'scripts/services.sh down $started' EXIT
eval "$(scripts/services.sh env)"

dotnet test OrleansWorkflow.sln -nologo --logger "console;verbosity=normal" --results-directory TestResults "$@"
