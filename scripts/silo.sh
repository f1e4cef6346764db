#!/usr/bin/env bash
# Runs the samples' engine host (owf-samples-silo: the fire and A -> B workflows) in the background for the demo, and stops it.
#   scripts/silo.sh start   start it, wait until it consumes its queues; its output goes to .run/silo.log
#   scripts/silo.sh stop    stop it gracefully (SIGTERM), waiting for it to finish in-flight messages
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="$root/.run"
pidfile="$run/silo.pid"
log="$run/silo.log"
silo_dir="$root/samples/OrleansWorkflow.Samples.Silo/bin/Release/net10.0"

say() { printf '[silo] %s\n' "$*" >&2; }

running() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  if running; then say "already running (pid $(cat "$pidfile"))"; return; fi
  mkdir -p "$run"
  (cd "$silo_dir" && exec dotnet owf-samples-silo.dll) >"$log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 600); do
    # Ready: it consumes, and (serving the web view with no configured key) it has made or found the admin key that
    # clients on this machine name themselves with.
    if grep -q "RabbitMQ adapter consuming" "$log" \
       && { [[ ${OWF_Web__Enabled:-true} == false || -n ${OWF_Web__ApiKeys__0__Hash:-} ]] || grep -qE "admin key|API keys are kept" "$log"; }; then
      say "running (pid $(cat "$pidfile")), log in $log"; return
    fi
    running || { say "the silo exited during start-up:"; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  say "the silo did not become ready in 60 s; its log:"; cat "$log" >&2; exit 1
}

stop() {
  running || { rm -f "$pidfile"; return; }
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { say "still running after 30 s; killing it"; kill -KILL "$pid"; }
  rm -f "$pidfile"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
