#!/usr/bin/env bash
# Runs every test against a real RabbitMQ, PostgreSQL, sshd and Slurm on this machine, then a tiny benchmark
# run (N = 10) to check the benchmark still works; with --fast, only the tests that need no service. Installs and starts what is missing, and stops what it
# started. Extra arguments go to `dotnet test` (e.g. --filter Name~Fan).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# ./test.sh --fast: only the tests that need no service (trait Category=ServiceFree), with none started and none
# configured, so a test that reaches for one fails rather than passing on a service someone left running.
if [[ "${1:-}" == "--fast" ]]; then
  shift
  command -v dotnet >/dev/null || { echo "[test] the .NET 10 SDK is not installed: install it (dotnet-sdk-10.0) and run again"; exit 1; }
  while IFS= read -r name; do unset "$name"; done < <(env | grep -oE '^OWF_[A-Za-z0-9_]+')
  exec dotnet test OrleansWorkflow.sln -nologo --filter "Category=ServiceFree" --blame-hang-timeout 5m "$@"
fi

started="$(scripts/services.sh up)"
# shellcheck disable=SC2086
trap 'scripts/services.sh down $started' EXIT
eval "$(scripts/services.sh env)"

rm -f TestResults/api-fuzz.txt
# The hang guard: a test still running after 15 minutes (the longest, TemplateTests, packs and builds a solution) is stopped with a
# dump in TestResults, the run fails, and the runner names the test that was running.
dotnet test OrleansWorkflow.sln -nologo --logger "console;verbosity=normal" --results-directory TestResults \
  --blame-hang-timeout 15m --blame-hang-dump-type mini "$@"
# The HTTP API fuzzing run's figures (Web.ApiFuzzTests), when it ran.
if [[ -f TestResults/api-fuzz.txt ]]; then echo "[test] $(cat TestResults/api-fuzz.txt)"; fi

echo "[test] benchmark smoke run (owf-bench --smoke; numbers from it mean nothing)"
timeout 10m dotnet run --project bench/OrleansWorkflow.Bench -- --smoke > TestResults/bench-smoke.log 2>&1 \
  || { cat TestResults/bench-smoke.log; echo "[test] the benchmark smoke run failed"; exit 1; }
echo "[test] benchmark smoke run completed"
