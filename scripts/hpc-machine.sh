# Sourced by services.sh: a loopback "HPC machine" for the remote fire demo and the HPC tests.
# An sshd on 127.0.0.1:2222 (its own host key, key authentication only) for the account owfhpc, and a
# single-node Slurm whose commands the account reaches through that sshd. Everything lives in $hpc_dir.

hpc_dir="$state/hpc"
hpc_user=owfhpc
hpc_ssh_port="${OWF_HPC_SSH_PORT:-2222}"
# slurmrestd (JWT) for the same Slurm, as sites offer the scheduler over REST.
hpc_rest_port="${OWF_HPC_REST_PORT:-6820}"
slurm_dir="$hpc_dir/slurm"

hpc_home() { getent passwd "$hpc_user" | cut -d: -f6; }

install_hpc_missing() {
  local missing=()
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v slurmctld >/dev/null || missing+=(slurm-wlm)
  command -v munged >/dev/null || missing+=(munge)
  # The machine fetches incidents' data itself (Data.Fetch).
  command -v curl >/dev/null || missing+=(curl)
  command -v slurmrestd >/dev/null || missing+=(slurmrestd)
  [[ -f /usr/lib/x86_64-linux-gnu/slurm-wlm/auth_jwt.so ]] || missing+=(slurm-wlm-jwt-plugin)
  if ((${#missing[@]})); then
    say "installing ${missing[*]} (apt)"
    apt_install "${missing[@]}"
  fi
}

prepare_hpc_account() {
  mkdir -p "$hpc_dir"
  if ! id "$hpc_user" >/dev/null 2>&1; then
    say "creating the account $hpc_user for the loopback HPC machine"
    useradd --create-home --shell /bin/bash "$hpc_user"
  fi
  # "*": no password can log in, yet sshd does not treat the account as locked ("!" would).
  usermod -p '*' "$hpc_user"
  [[ -f $hpc_dir/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C "orleans-workflow" -f "$hpc_dir/id_ed25519"
  # A user CA the machine trusts, as sites that issue short-lived SSH certificates have (tests sign keys with it).
  [[ -f $hpc_dir/user_ca ]] || ssh-keygen -q -t ed25519 -N '' -C "orleans-workflow user CA" -f "$hpc_dir/user_ca"
  local home; home="$(hpc_home)"
  install -d -m 700 -o "$hpc_user" -g "$hpc_user" "$home/.ssh"
  install -m 600 -o "$hpc_user" -g "$hpc_user" "$hpc_dir/id_ed25519.pub" "$home/.ssh/authorized_keys"
  install -d -o "$hpc_user" -g "$hpc_user" "$home/owf-jobs"
}

start_sshd() {
  if port_open "$hpc_ssh_port"; then
    # An sshd this script started before its config learnt the user CA is started again with it.
    if [[ -f $hpc_dir/sshd.pid ]] && ! grep -q '^TrustedUserCAKeys ' "$hpc_dir/sshd_config" 2>/dev/null; then
      say "restarting the loopback sshd to trust the machine's user CA"
      kill "$(cat "$hpc_dir/sshd.pid")" 2>/dev/null || true
      for _ in $(seq 1 50); do port_open "$hpc_ssh_port" || break; sleep 0.1; done
    else
      say "sshd already answers on 127.0.0.1:$hpc_ssh_port"; return
    fi
  fi
  prepare_hpc_account
  [[ -f $hpc_dir/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -f "$hpc_dir/ssh_host_ed25519_key"
  mkdir -p /run/sshd
  cat >"$hpc_dir/sshd_config" <<EOF
Port $hpc_ssh_port
ListenAddress 127.0.0.1
HostKey $hpc_dir/ssh_host_ed25519_key
PidFile $hpc_dir/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
TrustedUserCAKeys $hpc_dir/user_ca.pub
AllowUsers $hpc_user
SetEnv SLURM_CONF=$slurm_dir/slurm.conf
Subsystem sftp internal-sftp
EOF
  say "starting sshd on 127.0.0.1:$hpc_ssh_port"
  /usr/sbin/sshd -f "$hpc_dir/sshd_config" -E "$hpc_dir/sshd.log"
  for _ in $(seq 1 50); do port_open "$hpc_ssh_port" && break; sleep 0.1; done
  port_open "$hpc_ssh_port" || { say "sshd did not start; see $hpc_dir/sshd.log"; exit 1; }
  # The machine's known_hosts entry, as an operator would copy it from the machine's administrators.
  printf '[127.0.0.1]:%s %s\n' "$hpc_ssh_port" "$(cut -d' ' -f1,2 "$hpc_dir/ssh_host_ed25519_key.pub")" >"$hpc_dir/known_hosts"
  echo sshd
}

stop_sshd() {
  say "stopping sshd"
  [[ -f $hpc_dir/sshd.pid ]] && kill "$(cat "$hpc_dir/sshd.pid")" 2>/dev/null || true
  # Open sessions outlive the listener; end them too, so clients really lose the machine.
  pkill -f "^sshd: $hpc_user" 2>/dev/null || true
  rm -f "$hpc_dir/sshd.pid"
}

# Prints the loopback Slurm's configuration.
slurm_conf() {
  local node; node="$(hostname -s)"
  cat <<EOF
ClusterName=owf
SlurmctldHost=$node(127.0.0.1)
AuthType=auth/munge
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$slurm_dir/jwt_hs256.key
SlurmUser=slurm
StateSaveLocation=$slurm_dir/state
SlurmdSpoolDir=$slurm_dir/spool
SlurmctldPidFile=$slurm_dir/slurmctld.pid
SlurmdPidFile=$slurm_dir/slurmd.pid
SlurmctldLogFile=$slurm_dir/slurmctld.log
SlurmdLogFile=$slurm_dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$slurm_dir/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
FirstJobId=6901077
KillWait=2
MinJobAge=30
OverTimeLimit=0
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=16 RealMemory=2000 State=UNKNOWN
PartitionName=batch Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=urgent Nodes=$node MaxTime=INFINITE State=UP PriorityTier=10
EOF
}

# Two of the node's cores reserved for the HPC account, as a site reserves nodes for urgent computing; and a
# reservation a year ahead, whose jobs wait (Reason=Reservation): a machine "blocked by a reservation" in tests.
reservation=owf_urgent
later_reservation=owf_later
ensure_reservation() {
  make_reservation "$reservation" StartTime=now Duration=UNLIMITED CoreCnt=2
  make_reservation "$later_reservation" StartTime=now+365days Duration=60 CoreCnt=1
}
make_reservation() {
  local name=$1; shift
  SLURM_CONF="$slurm_dir/slurm.conf" scontrol show reservation "$name" >/dev/null 2>&1 && return
  SLURM_CONF="$slurm_dir/slurm.conf" scontrol create reservation ReservationName="$name" Users="$hpc_user" Nodes="$(hostname -s)" "$@" >/dev/null \
    || { say "could not create the Slurm reservation $name; see $slurm_dir/slurmctld.log"; exit 1; }
}

write_slurm_conf() {
  mkdir -p "$slurm_dir/state" "$slurm_dir/spool"
  # The key slurmctld signs and checks JWTs with: 32 random bytes, readable by SlurmUser only.
  [[ -s $slurm_dir/jwt_hs256.key ]] || dd if=/dev/urandom of="$slurm_dir/jwt_hs256.key" bs=32 count=1 status=none
  chown -R slurm:slurm "$slurm_dir"
  chmod 0600 "$slurm_dir/jwt_hs256.key"
  slurm_conf >"$slurm_dir/slurm.conf"
}

slurm_running() { [[ -f $slurm_dir/slurmctld.pid ]] && kill -0 "$(cat "$slurm_dir/slurmctld.pid")" 2>/dev/null; }

start_slurm() {
  if slurm_running; then
    if slurm_conf | cmp -s - "$slurm_dir/slurm.conf" && pgrep -x munged >/dev/null; then ensure_reservation; start_slurmrestd; say "Slurm already runs"; return; fi
    say "Slurm runs with an older configuration or without munge: restarting it"
    stop_slurm
  fi
  prepare_hpc_account
  write_slurm_conf
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged
    touch "$slurm_dir/munged-started-here"
  fi
  say "starting Slurm (slurmctld, slurmd)"
  slurmctld -f "$slurm_dir/slurm.conf"
  slurmd -f "$slurm_dir/slurm.conf"
  for _ in $(seq 1 100); do
    SLURM_CONF="$slurm_dir/slurm.conf" sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
    sleep 0.2
  done
  SLURM_CONF="$slurm_dir/slurm.conf" sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' \
    || { say "Slurm's node did not become idle; see $slurm_dir/slurmctld.log and slurmd.log"; exit 1; }
  ensure_reservation
  start_slurmrestd
  echo slurm
}

# slurmrestd on 127.0.0.1:$hpc_rest_port as the HPC account (it refuses root and SlurmUser), serving the job API only
# (the accounting one needs slurmdbd, which the loopback Slurm has not), authenticating each
# request by its JWT; and a token for the account in $hpc_dir/slurm-token, as a site's token service would issue.
start_slurmrestd() {
  if ! { [[ -f $hpc_dir/slurmrestd.pid ]] && kill -0 "$(cat "$hpc_dir/slurmrestd.pid")" 2>/dev/null; }; then
    say "starting slurmrestd on 127.0.0.1:$hpc_rest_port"
    touch "$hpc_dir/slurmrestd.log" && chown "$hpc_user" "$hpc_dir/slurmrestd.log"
    runuser -u "$hpc_user" -- env SLURM_CONF="$slurm_dir/slurm.conf" SLURM_JWT=daemon \
      setsid slurmrestd -v -a rest_auth/jwt -s openapi/v0.0.38 "127.0.0.1:$hpc_rest_port" >>"$hpc_dir/slurmrestd.log" 2>&1 </dev/null &
    echo $! >"$hpc_dir/slurmrestd.pid"
    for _ in $(seq 1 50); do port_open "$hpc_rest_port" && break; sleep 0.1; done
    port_open "$hpc_rest_port" || { say "slurmrestd did not start; see $hpc_dir/slurmrestd.log"; exit 1; }
  fi
  local token
  token=$(SLURM_CONF="$slurm_dir/slurm.conf" scontrol token username="$hpc_user" lifespan=86400) \
    || { say "Slurm issued no JWT for $hpc_user; see $slurm_dir/slurmctld.log"; exit 1; }
  printf '%s\n' "${token#SLURM_JWT=}" >"$hpc_dir/slurm-token.new" && chmod 0600 "$hpc_dir/slurm-token.new" && mv "$hpc_dir/slurm-token.new" "$hpc_dir/slurm-token"
}

stop_slurm() {
  say "stopping Slurm"
  local f
  [[ -f $hpc_dir/slurmrestd.pid ]] && kill "$(cat "$hpc_dir/slurmrestd.pid")" 2>/dev/null || true
  rm -f "$hpc_dir/slurmrestd.pid"
  for f in slurmd slurmctld; do
    [[ -f $slurm_dir/$f.pid ]] && kill "$(cat "$slurm_dir/$f.pid")" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do slurm_running || break; sleep 0.1; done
  if [[ -f $slurm_dir/munged-started-here ]]; then
    pkill -x munged 2>/dev/null || true
    for _ in $(seq 1 50); do pgrep -x munged >/dev/null || break; sleep 0.1; done
    rm -f "$slurm_dir/munged-started-here"
  fi
}

print_hpc_env() {
  local m=OWF_Hpc__Machines__loopback__
  echo "export ${m}Host='127.0.0.1'"
  echo "export ${m}Port='$hpc_ssh_port'"
  echo "export ${m}User='$hpc_user'"
  echo "export ${m}PrivateKey='$hpc_dir/id_ed25519'"
  [[ -f $hpc_dir/known_hosts ]] && echo "export ${m}KnownHost='$(cat "$hpc_dir/known_hosts")'"
  echo "export ${m}Scheduler='slurm'"
  echo "export ${m}PollPeriod='00:00:02'"
  # Emergencies run in the partition with the higher priority tier, in the cores reserved for them.
  echo "export ${m}Urgency__Emergency__Partition='urgent'"
  echo "export ${m}Urgency__Emergency__Reservation='$reservation'"
  echo "export ${m}Urgency__Urgent__Partition='urgent'"
  echo "export ${m}BaseDirectory='$(hpc_home 2>/dev/null || echo /home/$hpc_user)/owf-jobs'"
  echo "export SLURM_CONF='$slurm_dir/slurm.conf'"
  # The same machine with its scheduler driven through slurmrestd (the tests' machine loopback-rest).
  echo "export OWF_TEST_SLURMREST_URL='http://127.0.0.1:$hpc_rest_port'"
  echo "export OWF_TEST_SLURMREST_TOKEN='$hpc_dir/slurm-token'"
}
