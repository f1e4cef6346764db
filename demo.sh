#!/usr/bin/env bash
# The main job: runs the forest fire + MesoNH example end to end on a real broker, database and silo,
# prints the engine's transcript, the incident's final status and where its graph was drawn.
# Installs and starts what is missing, and stops what it started.
#   ./demo.sh        the fire example
#   ./demo.sh remote the fire example with its simulation run as a job on the loopback HPC machine (sshd + Slurm)
#   ./demo.sh ab     the seed's Start -> A -> B -> End example
#   --serve          (with any of them) then keep the silo, its incident pages, HTTP API and dashboard running
#                    on http://127.0.0.1:8080 until Ctrl+C
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

serve=false
choice=fire
for argument in "$@"; do
  case "$argument" in
    --serve) serve=true ;;
    fire|remote|ab) choice=$argument ;;
    *) echo "usage: $0 [fire|remote|ab] [--serve]" >&2; exit 2 ;;
  esac
done
case "$choice" in
  fire) example=(fire) ;;
  remote) example=(fire remote) ;;
  ab) example=(ab) ;;
esac
echo "[demo] starting the ${example[*]} example"
status=0
dotnet samples/OrleansWorkflow.Starter/bin/Release/net10.0/owf-example.dll "${example[@]}" --graph-dir .run/graph \
  | tee .run/starter.log || status=$?

echo
echo "[demo] the engine's transcript (handler output from .run/silo.log; the engine's own log lines left out):"
grep -vE "^[0-9:. ]*(trce|dbug|info|warn|fail|crit): " .run/silo.log || true
if [[ $choice == remote ]]; then
  echo
  echo "[demo] the HPC job, from the engine's log:"
  grep -E "Simulation [0-9a-f-]+" .run/silo.log | sed -E 's/^[0-9:. ]*info: [A-Za-z.]+\[[0-9]+\] //' || true
fi
echo
echo "[demo] result:"
grep -E "^(Incident|Graph written)" .run/starter.log || true
if $serve && ((status == 0)); then
  web="${OWF_Urls:-http://127.0.0.1:8080}"
  incident="$(grep -oE "^Incident [0-9a-f-]{36}" .run/starter.log | head -1 | cut -d' ' -f2)"
  echo
  echo "[demo] serving until Ctrl+C (the silo's log: .run/silo.log):"
  keyfile="${OWF_Web__AdminKeyFile:-${XDG_CONFIG_HOME:-$HOME/.config}/orleans-workflow/${OWF_Cluster__ClusterId:-orleans-workflow}.admin-key}"
  if [[ -r $keyfile ]]; then
    echo "  sign in         $web/signin#key=$(tr -d '[:space:]' <"$keyfile")   (the admin key, from $keyfile)"
    echo "  API key         export OWF_API_KEY=\$(cat $keyfile)   then curl -H \"Authorization: Bearer \$OWF_API_KEY\" ..."
  else
    echo "  sign in         $web/signin with an API key (the first silo wrote the admin key to $keyfile on its machine)"
  fi
  echo "  incident pages  $web/incidents"
  [[ -n $incident ]] && echo "  this incident   $web/incidents/$incident"
  echo "  dashboard       $web/dashboard/"
  echo "  HTTP API        $web/api/incidents   (curl examples in README.md)"
  echo "  command line    dotnet client/OrleansWorkflow.Cli/bin/Release/net10.0/owf.dll list"
  trap 'exit 130' INT TERM
  while true; do sleep 3600 & wait $!; done   # wait, unlike a foreground sleep, lets Ctrl+C or SIGTERM in at once
fi
exit $status
