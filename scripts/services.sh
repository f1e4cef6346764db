#!/usr/bin/env bash
# Installs and starts the services OrleansWorkflow needs on this machine, idempotently: RabbitMQ on
# 127.0.0.1:5672, a project-owned PostgreSQL cluster on 127.0.0.1:55432, and a loopback HPC machine
# (sshd on 127.0.0.1:2222 in front of a single-node Slurm; see hpc-machine.sh).
#
#   scripts/services.sh up           install what is missing, start what is not running, apply the schema;
#                                    prints the names of the services it started (for "down")
#   scripts/services.sh start NAME…  start only the named services (rabbitmq, postgres, sshd, slurm, rabbitmq-cluster:
#                                    three more RabbitMQ nodes on 127.0.0.1:5681-5683 forming a cluster of their own,
#                                    with the owf user and vhost, for trying the engine against a broker cluster)
#   scripts/services.sh down NAME…   stop the named services
#   scripts/services.sh env          print the environment variables that point the engine and tests at them
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
state="${OWF_STATE_DIR:-/var/tmp/orleans-workflow}"
pg_port="${OWF_PG_PORT:-55432}"
pg_dir="$state/pg"
pg_bin=/usr/lib/postgresql/15/bin

say() { printf '[services] %s\n' "$*" >&2; }

apt_install() {
  if [[ ! -f "$state/apt-updated" ]]; then
    apt-get update -qq >&2
    mkdir -p "$state" && touch "$state/apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$@" >&2
}

# shellcheck source=hpc-machine.sh
source "$here/hpc-machine.sh"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_missing() {
  local missing=()
  command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server)
  [[ -x $pg_bin/pg_ctl ]] || missing+=(postgresql)
  command -v amqp-publish >/dev/null || missing+=(amqp-tools)
  command -v dot >/dev/null || missing+=(graphviz)
  command -v chromium >/dev/null || missing+=(chromium)   # the incident pages' browser test
  if ((${#missing[@]})); then
    say "installing ${missing[*]} (apt)"
    apt_install "${missing[@]}"
  fi
  install_hpc_missing
  command -v dotnet >/dev/null || { say "the .NET 10 SDK is not installed: install it (dotnet-sdk-10.0) and run again"; exit 1; }
}

start_rabbitmq() {
  if port_open 5672; then say "RabbitMQ already answers on 127.0.0.1:5672"; return; fi
  say "starting RabbitMQ"
  mkdir -p /etc/rabbitmq
  # Loopback only: an emergency system's broker is not for the whole network by default.
  if [[ ! -f /etc/rabbitmq/rabbitmq.conf ]] || ! grep -q '^listeners.tcp.default' /etc/rabbitmq/rabbitmq.conf; then
    printf 'listeners.tcp.default = 127.0.0.1:5672\n' >> /etc/rabbitmq/rabbitmq.conf
  fi
  export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_SERVER_START_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 120); do
    rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1 && break
    sleep 0.5
  done
  port_open 5672 || { say "RabbitMQ did not start; see /var/log/rabbitmq/"; exit 1; }
  echo rabbitmq
}

# The engine's own broker user, allowed on the engine's virtual host only (guest stays the administrators').
rabbitmq_vhost=orleans-workflow
rabbitmq_password_file="$state/rabbitmq-owf.password"
rabbitmq_user() {
  mkdir -p "$state"
  if [[ ! -s $rabbitmq_password_file ]]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$rabbitmq_password_file")
  fi
  local password
  password="$(cat "$rabbitmq_password_file")"
  rabbitmqctl -q list_vhosts | grep -qx "$rabbitmq_vhost" || rabbitmqctl -q add_vhost "$rabbitmq_vhost" >/dev/null
  if ! rabbitmqctl -q list_users | grep -q "^owf[[:space:]]"; then
    rabbitmqctl -q add_user owf "$password" >/dev/null
  elif ! rabbitmqctl -q authenticate_user owf "$password" >/dev/null 2>&1; then
    rabbitmqctl -q change_password owf "$password" >/dev/null
  fi
  rabbitmqctl -q set_permissions -p "$rabbitmq_vhost" owf '.*' '.*' '.*' >/dev/null
}

cluster_nodes=(1 2 3)
cluster_node() { echo "owf-cluster-$1@localhost"; }
start_rabbitmq_cluster() {
  local n dir password
  password="$(cat "$rabbitmq_password_file")"
  for n in "${cluster_nodes[@]}"; do
    dir="$state/rabbitmq-cluster/$n"
    if rabbitmqctl -n "$(cluster_node "$n")" -q await_startup --timeout 1 >/dev/null 2>&1; then continue; fi
    mkdir -p "$dir/mnesia" "$dir/log"
    printf 'listeners.tcp.default = 127.0.0.1:%s\n' "$((5680 + n))" >"$dir/rabbitmq.conf"
    echo '[].' >"$dir/enabled_plugins"
    chown -R rabbitmq:rabbitmq "$dir"
    env RABBITMQ_NODENAME="$(cluster_node "$n")" RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" \
        RABBITMQ_PID_FILE="$dir/pid" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
        RABBITMQ_DIST_PORT="$((25680 + n))" ERL_EPMD_ADDRESS=127.0.0.1 \
        RABBITMQ_SERVER_START_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 120); do rabbitmqctl -n "$(cluster_node "$n")" -q await_startup --timeout 60 >/dev/null 2>&1 && break; sleep 0.5; done
    if [[ $n != 1 ]] && ! rabbitmqctl -n "$(cluster_node "$n")" -q cluster_status 2>/dev/null | grep -q "$(cluster_node 1)"; then
      rabbitmqctl -n "$(cluster_node "$n")" -q stop_app >/dev/null
      rabbitmqctl -n "$(cluster_node "$n")" -q join_cluster "$(cluster_node 1)" >/dev/null
      rabbitmqctl -n "$(cluster_node "$n")" -q start_app >/dev/null
    fi
  done
  local first; first="$(cluster_node 1)"
  rabbitmqctl -n "$first" -q list_vhosts | grep -qx "$rabbitmq_vhost" || rabbitmqctl -n "$first" -q add_vhost "$rabbitmq_vhost" >/dev/null
  rabbitmqctl -n "$first" -q list_users | grep -q "^owf[[:space:]]" || rabbitmqctl -n "$first" -q add_user owf "$password" >/dev/null
  rabbitmqctl -n "$first" -q set_permissions -p "$rabbitmq_vhost" owf '.*' '.*' '.*' >/dev/null
  say "RabbitMQ cluster on 127.0.0.1:5681-5683: OWF_RabbitMQ__Uri='amqp://owf:<password>@127.0.0.1:5681/$rabbitmq_vhost'" \
      "OWF_RabbitMQ__Hosts__0=127.0.0.1:5682 OWF_RabbitMQ__Hosts__1=127.0.0.1:5683 OWF_RabbitMQ__QueueType=Quorum"
  echo rabbitmq-cluster
}

start_postgres() {
  if port_open "$pg_port"; then say "PostgreSQL already answers on 127.0.0.1:$pg_port"; return; fi
  mkdir -p "$state"
  if [[ ! -f $pg_dir/PG_VERSION ]]; then
    say "creating a PostgreSQL cluster in $pg_dir"
    mkdir -p "$pg_dir" && chown postgres:postgres "$pg_dir"
    su postgres -c "$pg_bin/initdb -D '$pg_dir' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  fi
  say "starting PostgreSQL on 127.0.0.1:$pg_port"
  # pg_stat_statements: the benchmark counts the engine's SQL statements per message with it.
  su postgres -c "$pg_bin/pg_ctl -D '$pg_dir' -o '-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_preload_libraries=pg_stat_statements' -l '$pg_dir/log' -w start" >/dev/null
  echo postgres
}

pg_admin() { echo "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"; }
# The engine connects as owf, a login in the schema's role owf_engine (rows only); setup runs as the superuser.
pg_workflow() { echo "Host=127.0.0.1;Port=$pg_port;Username=owf;Database=orleans_workflow"; }
pg_workflow_setup() { echo "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=orleans_workflow"; }

apply_schema() {
  if ! su postgres -c "psql -h 127.0.0.1 -p $pg_port -tAc \"SELECT 1 FROM pg_database WHERE datname='orleans_workflow'\"" | grep -q 1; then
    su postgres -c "psql -h 127.0.0.1 -p $pg_port -qc 'CREATE DATABASE orleans_workflow'"
  fi
  say "applying the OrleansWorkflow schema"
  OWF_Storage__PostgreSql="$(pg_workflow_setup)" dotnet run --project "$root/silo/OrleansWorkflow.Silo" -v q -- setup-database >&2
  su postgres -c "psql -h 127.0.0.1 -p $pg_port -d orleans_workflow -qc \"DO \\\$\\\$ BEGIN CREATE ROLE owf LOGIN IN ROLE owf_engine; EXCEPTION WHEN duplicate_object THEN NULL; END \\\$\\\$\""
}

print_env() {
  echo "export OWF_Storage__PostgreSql='$(pg_workflow)'"
  echo "export OWF_RabbitMQ__Uri='amqp://owf:$(cat "$rabbitmq_password_file" 2>/dev/null)@127.0.0.1:5672/$rabbitmq_vhost'"
  echo "export OWF_POSTGRES_ADMIN='$(pg_admin)'"
  echo "export OWF_TEST_POSTGRES_ADMIN='$(pg_admin)'"
  print_hpc_env
}

stop() {
  local name
  for name in "$@"; do
    case "$name" in
      postgres) say "stopping PostgreSQL"; su postgres -c "$pg_bin/pg_ctl -D '$pg_dir' -m fast -w stop" >/dev/null || true ;;
      rabbitmq) say "stopping RabbitMQ"; rabbitmqctl -q shutdown >/dev/null 2>&1 || true ;;
      rabbitmq-cluster) say "stopping the RabbitMQ cluster"
        for n in 3 2 1; do rabbitmqctl -n "$(cluster_node "$n")" -q shutdown >/dev/null 2>&1 || true; done ;;
      sshd) stop_sshd ;;
      slurm) stop_slurm ;;
      *) say "unknown service $name" ;;
    esac
  done
}

mkdir -p "$state"
case "${1:-}" in
  up) install_missing; start_rabbitmq; rabbitmq_user; start_postgres; apply_schema; start_sshd; start_slurm ;;
  start)
    shift
    for name in "$@"; do
      case "$name" in
        rabbitmq) start_rabbitmq; rabbitmq_user ;; postgres) start_postgres ;; sshd) start_sshd ;; slurm) start_slurm ;;
        rabbitmq-cluster) start_rabbitmq; rabbitmq_user; start_rabbitmq_cluster ;;
        *) say "unknown service $name"; exit 2 ;;
      esac
    done ;;
  down) shift; stop "$@" ;;
  env) print_env ;;
  *) echo "usage: $0 up|start NAME…|down NAME…|env" >&2; exit 2 ;;
esac
