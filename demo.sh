#!/usr/bin/env bash
# The main job: runs the seed's Start -> A -> B -> End example on a real broker, database and silo,
# prints the engine's transcript and the incident's final status. Installs and starts what is missing,
# and stops what it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

started="$(scripts/services.sh up)"
cleanup() {
  scripts/silo.sh stop || true
  # shellcheck disable=SC2086
  scripts/services.sh down $started
}
trap cleanup EXIT
eval "$(scripts/services.sh env)"

echo "[demo] building (Release)"
dotnet build OrleansWorkflow.sln -c Release -v q -nologo | grep -E "error|warn" || true
scripts/silo.sh start

echo "[demo] starting the A -> B example"
status=0
dotnet samples/OrleansWorkflow.Starter/bin/Release/net10.0/owf-example.dll ab || status=$?

echo
echo "[demo] the engine's transcript (.run/silo.log):"
grep -E "^Hello from" .run/silo.log
exit $status
