#!/usr/bin/env bash
# The main job: runs the forest fire + MesoNH example end to end on a real broker, database and silo,
# prints the engine's transcript, the incident's final status and where its graph was drawn.
# Installs and starts what is missing, and stops what it started.
#   ./demo.sh        the fire example
#   ./demo.sh remote the fire example with its simulation run as a job on the loopback HPC machine (sshd + Slurm)
#   ./demo.sh ab     the seed's Start -> A -> B -> End example
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

case "${1:-fire}" in
  fire) example=(fire) ;;
  remote) example=(fire remote) ;;
  ab) example=(ab) ;;
  *) echo "usage: $0 [fire|remote|ab]" >&2; exit 2 ;;
esac
echo "[demo] starting the ${example[*]} example"
status=0
dotnet samples/OrleansWorkflow.Starter/bin/Release/net10.0/owf-example.dll "${example[@]}" --graph-dir .run/graph \
  | tee .run/starter.log || status=$?

echo
echo "[demo] the engine's transcript (handler output from .run/silo.log; the engine's own log lines left out):"
grep -vE "^[0-9:. ]*(trce|dbug|info|warn|fail|crit): " .run/silo.log || true
if [[ ${1:-} == remote ]]; then
  echo
  echo "[demo] the HPC job, from the engine's log:"
  grep -E "Simulation [0-9a-f-]+" .run/silo.log | sed -E 's/^[0-9:. ]*info: [A-Za-z.]+\[[0-9]+\] //' || true
fi
echo
echo "[demo] result:"
grep -E "^(Incident|Graph written)" .run/starter.log || true
exit $status
