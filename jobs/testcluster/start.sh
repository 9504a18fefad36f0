#!/usr/bin/env bash
# Bring up a private SLURM test cluster of N emulated nodes on this machine (default 2; no
# systemd needed). Each node is its own slurmd (`slurmd -N <node>`) with its own port, spool,
# TmpFS and hostname (its own UTS namespace), so `sbatch -N 2` and `srun -N 2 --mpi=pmix`
# really span two SLURM nodes and Open MPI talks TCP between them, never shared memory.
#
# usage: jobs/testcluster/start.sh [RUN_DIR]     (default: jobs/testcluster/run, git-ignored)
#        eval "$(jobs/testcluster/start.sh)"     # sets SLURM_CONF, OMPI_MCA_* in this shell
#        ... sbatch/srun/sinfo ...               # netns mode: $STRATSIM_TESTCLUSTER_EXEC sbatch ...
#        jobs/testcluster/stop.sh [RUN_DIR]
#
# Everything lives in RUN_DIR: slurm.conf, munge/ (socket, pidfile, log, seed; owned by user
# munge as munged insists), state/ (StateSaveLocation), spool/<node>/ (SlurmdSpoolDir),
# tmp/<node>/ (TmpFS: the PMIx plugin's per-step dirs; one per node, or the nodes' plugins
# collide: "pmixp_mkdir ... File exists"), log/, slurmctld.pid, slurmd-<node>.pid, and in
# netns mode netns.list. It starts munged as user munge, then slurmctld, then one slurmd
# per node, waits (bounded) until sinfo shows every node idle, and prints on stdout the
# lines to eval (progress goes to stderr). Any daemons of an earlier instance in RUN_DIR,
# also after an unclean stop, are stopped first through stop.sh; controller state and slurmd
# shared memory are cleared (-c), so every start is a fresh cluster. Must run as root
# (SlurmUser=root; munged is started as user munge; unshare needs CAP_SYS_ADMIN).
#
# Network (STRATSIM_TESTCLUSTER_NET): all test traffic stays on this machine.
#   auto (default) netns when `ip` (iproute2) is there, else lo.
#   lo            every node has NodeAddr=127.0.0.1; the printed lines export
#                 OMPI_MCA_btl_tcp_if_include=lo and OMPI_MCA_oob_tcp_if_include=lo, so
#                 Open MPI's TCP between the nodes goes over loopback. Reliable with one rank
#                 per node; with 2+ ranks per node, ranks on different nodes share the one
#                 address 127.0.0.1, and we saw Open MPI 4.1's TCP transport fail to connect
#                 ("connect() to 127.0.0.1:... failed") and a rank crash in 1 of 2 test runs.
#   netns         the controller and each node get their own network namespace (created
#                 here, named ss<ctld port>-ctl, ss<ctld port>-<node>), joined by veth pairs
#                 to a bridge inside one more namespace (ss<ctld port>-hub); addresses
#                 10.77.<ctld port mod 256>.0/24 exist only inside them. Clients (sbatch,
#                 srun, squeue, ...) must then run in the controller's namespace: the
#                 printed lines set STRATSIM_TESTCLUSTER_EXEC="nsenter --net=/run/netns/ss<port>-ctl"
#                 (nsenter, not `ip netns exec`, which remounts /sys and hides the cgroup fs
#                 slurmd needs).
#
# Environment:
#   STRATSIM_TESTCLUSTER_NODES  number of nodes (default 2)
#   STRATSIM_TESTCLUSTER_CPUS   CPUs per node (default: the cores of this machine; more than
#                               that is allowed: SlurmdParameters=config_overrides)
#   STRATSIM_TESTCLUSTER_PREFIX node names are <prefix>1..<prefix>N (default "node")
#   STRATSIM_TESTCLUSTER_NET    lo | netns (default lo)
#   STRATSIM_SLURMCTLD_PORT     controller port (default 16817)
#   STRATSIM_SLURMD_PORT        first slurmd port; node i listens on this + i - 1 (default
#                               16818). Off the standard 6817/6818, so a system SLURM on
#                               the same host is not disturbed.
#   STRATSIM_TESTCLUSTER_WAIT   seconds to wait for the nodes to become idle (default 60)
#   STRATSIM_MUNGE_KEY          munge key (default /etc/munge/munge.key; if that does not
#                               exist, a private key is created in RUN_DIR/munge/)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
run_arg=${1:-$here/run}
ctld_port=${STRATSIM_SLURMCTLD_PORT:-16817}
slurmd_port=${STRATSIM_SLURMD_PORT:-16818}
nnodes=${STRATSIM_TESTCLUSTER_NODES:-2}
prefix=${STRATSIM_TESTCLUSTER_PREFIX:-node}
net=${STRATSIM_TESTCLUSTER_NET:-auto}
wait_s=${STRATSIM_TESTCLUSTER_WAIT:-60}

die() {
    echo "testcluster: error: $*" >&2
    # Leave nothing half-started behind.
    [ -n "${RUN:-}" ] && "$here/stop.sh" "$RUN" >/dev/null 2>&1
    exit 1
}
say() { echo "testcluster: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (SlurmUser=root; munged is started as user munge)"
case $nnodes in ''|*[!0-9]*|0) die "STRATSIM_TESTCLUSTER_NODES must be a positive integer, not '$nnodes'";; esac
if [ "$net" = auto ]; then
    net=lo
    { command -v ip || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ]; } >/dev/null 2>&1 && net=netns
fi
case $net in lo|netns) ;; *) die "STRATSIM_TESTCLUSTER_NET must be auto, lo or netns, not '$net'";; esac
case $prefix in ''|*[!a-z0-9]*) die "STRATSIM_TESTCLUSTER_PREFIX must be lower-case letters and digits";; esac
need=(munged munge unmunge slurmctld slurmd sinfo scontrol runuser unshare nsenter ss)
[ "$net" = netns ] && need+=(ip)
for b in "${need[@]}"; do
    command -v "$b" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
    command -v "$b" >/dev/null 2>&1 || die "'$b' not found (Debian: apt-get install slurm-wlm munge util-linux iproute2)"
done
id munge >/dev/null 2>&1 || die "no user 'munge' (Debian: apt-get install munge)"

mkdir -p "$run_arg" || die "cannot create $run_arg"
RUN=$(cd "$run_arg" && pwd -P)
CONF=$RUN/slurm.conf
MUNGE_DIR=$RUN/munge
MUNGE_SOCKET=$MUNGE_DIR/munge.socket.2
# sun_path holds 108 bytes.
[ ${#MUNGE_SOCKET} -lt 100 ] || die "run dir path too long for a Unix socket: $RUN"

# 1. An earlier instance (clean or not) goes first.
"$here/stop.sh" "$RUN" || die "could not stop the previous instance in $RUN"

nodes=()
for ((i = 1; i <= nnodes; i++)); do nodes+=("$prefix$i"); done
ports=("$ctld_port")
for ((i = 0; i < nnodes; i++)); do ports+=($((slurmd_port + i))); done
if [ "$net" = lo ]; then
    for port in "${ports[@]}"; do
        if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
            die "TCP port $port is in use (another SLURM?); set STRATSIM_SLURMCTLD_PORT/STRATSIM_SLURMD_PORT"
        fi
    done
fi

host=$(hostname -s)
cpus=${STRATSIM_TESTCLUSTER_CPUS:-$(nproc)}
rm -rf "$RUN/state" "$RUN/spool" "$RUN/log" "$RUN/tmp"
mkdir -p "$RUN/state" "$RUN/log" "$MUNGE_DIR"
for n in "${nodes[@]}"; do mkdir -p "$RUN/spool/$n" "$RUN/tmp/$n"; done

# 2. Network namespaces (netns mode): hub (the bridge), ctl (slurmctld and clients), one per
#    node. Every name is recorded before it is created, so stop.sh removes even a half-built
#    set.
netns_of() { echo "ss$ctld_port-$1"; }
ctl_exec=()
subnet=10.77.$((ctld_port % 256))
ctl_addr=127.0.0.1
node_addr() { if [ "$net" = netns ]; then echo "$subnet.$((10 + $1))"; else echo 127.0.0.1; fi; }
if [ "$net" = netns ]; then
    hub=$(netns_of hub)
    : > "$RUN/netns.list"
    ip netns add "$hub" && echo "$hub" >> "$RUN/netns.list" || die "ip netns add $hub failed"
    ip -n "$hub" link set lo up
    ip -n "$hub" link add br0 type bridge && ip -n "$hub" link set br0 up || die "cannot create the bridge in $hub"
    # attach NAME ADDR: a namespace NAME with eth0 at ADDR/24, its peer on the hub's bridge
    attach() {
        local ns; ns=$(netns_of "$1")
        echo "$ns" >> "$RUN/netns.list"
        ip netns add "$ns" || return 1
        ip -n "$hub" link add "v-$1" type veth peer name eth0 netns "$ns" || return 1
        ip -n "$hub" link set "v-$1" master br0 up || return 1
        ip -n "$ns" link set lo up && ip -n "$ns" addr add "$2/24" dev eth0 && ip -n "$ns" link set eth0 up
    }
    ctl_addr=$subnet.1
    attach ctl "$ctl_addr" || die "cannot set up network namespace $(netns_of ctl)"
    for ((i = 1; i <= nnodes; i++)); do
        attach "${nodes[i-1]}" "$(node_addr $i)" || die "cannot set up network namespace $(netns_of "${nodes[i-1]}")"
    done
    ctl_exec=(nsenter --net=/run/netns/"$(netns_of ctl)")
    say "network namespaces up: $(tr '\n' ' ' < "$RUN/netns.list")(bridge in $hub, $subnet.0/24)"
fi

# 3. munged. It refuses directories that others can write to, and wants its own files owned
#    by the munge user; root clients (slurmctld, slurmd, sbatch) can still use the socket.
chown munge:munge "$MUNGE_DIR" && chmod 0755 "$MUNGE_DIR" || die "cannot prepare $MUNGE_DIR"
key=${STRATSIM_MUNGE_KEY:-/etc/munge/munge.key}
if [ ! -s "$key" ]; then
    key=$MUNGE_DIR/munge.key
    if [ ! -s "$key" ]; then
        say "no munge key at /etc/munge/munge.key; creating a private one in $key"
        if command -v mungekey >/dev/null 2>&1; then
            runuser -u munge -- mungekey --create --keyfile="$key" || die "mungekey failed"
        elif command -v create-munge-key >/dev/null 2>&1; then
            create-munge-key -f -k "$key" >/dev/null || die "create-munge-key failed"
        else
            dd if=/dev/urandom of="$key" bs=1 count=1024 status=none || die "cannot write $key"
        fi
        chown munge:munge "$key" && chmod 0600 "$key"
    fi
fi
runuser -u munge -- munged \
    --socket="$MUNGE_SOCKET" --key-file="$key" \
    --pid-file="$MUNGE_DIR/munged.pid" --log-file="$MUNGE_DIR/munged.log" \
    --seed-file="$MUNGE_DIR/munged.seed" \
    || die "munged did not start; see $MUNGE_DIR/munged.log"
ok=0
for _ in $(seq 50); do
    if munge -n -S "$MUNGE_SOCKET" 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1; then
        ok=1; break
    fi
    sleep 0.1
done
[ $ok = 1 ] || die "munged does not answer on $MUNGE_SOCKET; see $MUNGE_DIR/munged.log"
say "munged up (socket $MUNGE_SOCKET)"

# 4. slurm.conf.
node_lines=
for ((i = 1; i <= nnodes; i++)); do
    node_lines+="NodeName=${nodes[i-1]} NodeHostname=${nodes[i-1]} NodeAddr=$(node_addr $i) Port=${ports[i]} CPUs=$cpus State=UNKNOWN"$'\n'
done
node_range="${prefix}[1-$nnodes]"
[ "$nnodes" -eq 1 ] && node_range=${prefix}1
cat > "$CONF" <<CONF
# Generated by jobs/testcluster/start.sh: a private test cluster of $nnodes emulated node(s)
# on one machine (network: $net).
ClusterName=stratsim-test
SlurmctldHost=$host($ctl_addr)
SlurmctldPort=$ctld_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$RUN/state
SlurmdSpoolDir=$RUN/spool/%n
# The PMIx plugin puts spmix_appdir_<uid>_<job>.<step> under TmpFS: one dir per node, as
# nodes of one job would otherwise collide ("pmixp_mkdir ... File exists"), and a private
# one per cluster, as job ids restart at 1 with every fresh start.
TmpFS=$RUN/tmp/%n
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd-%n.pid
SlurmctldLogFile=$RUN/log/slurmctld.log
SlurmdLogFile=$RUN/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
# CPUs= may exceed this machine's cores (emulated nodes share them).
SlurmdParameters=config_overrides
# No systemd, no cgroups: track processes through /proc, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Debian's Open MPI is PMIx-only.
MpiDefault=pmix
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
# Short timers: a test cluster should notice things fast.
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
${node_lines}PartitionName=debug Nodes=$node_range Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$CONF

# 5. slurmctld, then one slurmd per node; all daemonize and write their pidfiles. Each slurmd
#    gets its own hostname (Open MPI names its shared-memory segments after the hostname; two
#    nodes with one name would collide) and, in netns mode, its own network.
"${ctl_exec[@]}" slurmctld -f "$CONF" -c || die "slurmctld did not start; see $RUN/log/slurmctld.log"
ok=0
for _ in $(seq 100); do
    "${ctl_exec[@]}" scontrol ping 2>/dev/null | grep -q 'is UP' && { ok=1; break; }
    sleep 0.2
done
[ $ok = 1 ] || die "slurmctld does not answer; see $RUN/log/slurmctld.log"
say "slurmctld up (port $ctld_port)"
for ((i = 1; i <= nnodes; i++)); do
    n=${nodes[i-1]}
    node_exec=()
    [ "$net" = netns ] && node_exec=(nsenter --net=/run/netns/"$(netns_of "$n")")
    "${node_exec[@]}" unshare --uts sh -c 'hostname "$1" && exec slurmd -f "$2" -N "$1" -c' sh "$n" "$CONF" \
        || die "slurmd $n did not start; see $RUN/log/slurmd-$n.log"
done

# 6. Bounded wait until every node is idle.
idle=0
deadline=$((SECONDS + wait_s))
while [ $SECONDS -lt $deadline ]; do
    idle=$("${ctl_exec[@]}" sinfo -h -N -o '%N %T' 2>/dev/null | awk '$2 == "idle"' | sort -u | wc -l)
    [ "$idle" -eq "$nnodes" ] && break
    sleep 0.5
done
[ "$idle" -eq "$nnodes" ] || die "$idle of $nnodes nodes idle after ${wait_s}s: $("${ctl_exec[@]}" sinfo -h -N -o '%N=%T' 2>/dev/null | tr '\n' ' '); see $RUN/log/"
say "$nnodes node(s) idle (${nodes[*]}; $cpus CPUs each, partition debug, network $net); stop with: $here/stop.sh $RUN"
# The emulated nodes share this machine's cores, so ranks are oversubscribed although SLURM
# does not know it: without yield_when_idle, ranks that busy-poll starve the peers whose TCP
# messages they wait for, and 2 ranks per node crawl or stall in collectives.
echo "export SLURM_CONF=$CONF OMPI_MCA_mpi_yield_when_idle=1"
if [ "$net" = lo ]; then
    echo "export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo"
    echo "unset STRATSIM_TESTCLUSTER_EXEC"
else
    echo "export STRATSIM_TESTCLUSTER_EXEC='${ctl_exec[*]}'"
fi
