#!/usr/bin/env bash
# Tear down the private SLURM test cluster started by start.sh (any number of nodes).
#
# usage: jobs/testcluster/stop.sh [RUN_DIR]      (default: jobs/testcluster/run)
#
# Jobs still queued or running are cancelled first (scancel, while the daemons are up).
# Then each daemon is stopped by the PID in its pidfile under RUN_DIR (every slurmd-<node>,
# then slurmctld, then munged): SIGTERM, up to 15 s grace, then SIGKILL; the slurmds are
# signalled together, so a stop takes about as long as one daemon's. Nothing is killed by
# name: job steps that outlived a killed slurmd are recognised by this cluster's SLURM_CONF
# in their environment, and killed with their process trees; in netns mode, processes left
# in the namespaces listed in RUN_DIR/netns.list are killed and the namespaces deleted. A
# pidfile whose PID is gone, or now belongs to another program (after an unclean stop the
# PID may have been reused), is just removed. Safe to run any number of times. Logs and
# state stay in RUN_DIR for inspection; start.sh starts from clean state anyway.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
run_arg=${1:-$here/run}

die() { echo "testcluster: error: $*" >&2; exit 1; }
say() { echo "testcluster: $*" >&2; }

[ -d "$run_arg" ] || { say "nothing to stop: $run_arg does not exist"; exit 0; }
RUN=$(cd "$run_arg" && pwd -P)
CONF=$RUN/slurm.conf
MUNGE_SOCKET=$RUN/munge/munge.socket.2
PATH=$PATH:/usr/sbin:/sbin
ctl_exec=()
if [ -s "$RUN/netns.list" ]; then
    ctl=$(grep -- '-ctl$' "$RUN/netns.list" | head -n1)
    [ -n "$ctl" ] && [ -e "/run/netns/$ctl" ] && ctl_exec=(nsenter --net="/run/netns/$ctl")
fi

# live_pid PIDFILE COMM MARKER: the PID in PIDFILE if that process is alive, runs COMM and
# has MARKER (our conf file or socket) on its command line; fails otherwise.
live_pid() {
    local pidfile=$1 comm=$2 marker=$3 pid
    [ -s "$pidfile" ] || return 1
    pid=$(tr -dc '0-9' < "$pidfile")
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
    echo "$pid"
}

gone() { [ ! -d "/proc/$1" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# stop_daemons COMM MARKER PIDFILE...: SIGTERM to every live daemon at once, then wait for
# each (SIGKILL after 15 s); the pidfiles are removed.
stop_daemons() {
    local comm=$1 marker=$2 pidfile pid pids=() names=()
    shift 2
    for pidfile in "$@"; do
        if pid=$(live_pid "$pidfile" "$comm" "$marker"); then
            kill -TERM "$pid" 2>/dev/null
            pids+=("$pid"); names+=("$(basename "$pidfile" .pid)")
        elif [ -e "$pidfile" ]; then
            say "$(basename "$pidfile" .pid) not running (stale pidfile $pidfile removed)"
        fi
        rm -f "$pidfile"
    done
    local i
    for i in "${!pids[@]}"; do
        pid=${pids[i]}
        for _ in $(seq 150); do gone "$pid" && break; sleep 0.1; done
        if ! gone "$pid"; then
            say "${names[i]} (pid $pid) still running 15 s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null
            for _ in $(seq 50); do gone "$pid" && break; sleep 0.1; done
        fi
        gone "$pid" || die "${names[i]} (pid $pid) would not exit"
        say "stopped ${names[i]} (pid $pid)"
    done
}

# descendants PID: PID's children, grandchildren, ... (from one ps snapshot).
descendants() {
    ps -eo pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END { n = 1; q[1] = root
              for (i = 1; i <= n; i++) for (p in parent) if (parent[p] == q[i]) { q[++n] = p; print p } }'
}

shopt -s nullglob
slurmd_pidfiles=("$RUN"/slurmd-*.pid "$RUN"/slurmd.pid)

# 1. Running jobs are cancelled while the daemons can still do it properly (KillWait=5).
any_slurmd=0
for f in "${slurmd_pidfiles[@]}"; do live_pid "$f" slurmd "$CONF" >/dev/null && any_slurmd=1; done
if [ $any_slurmd = 1 ] && live_pid "$RUN/slurmctld.pid" slurmctld "$CONF" >/dev/null; then
    q() { SLURM_CONF=$CONF timeout 10 "${ctl_exec[@]}" "$@" 2>/dev/null; }
    jobs=$(q squeue -h -o %A | sort -u | tr '\n' ' ')
    if [ -n "${jobs// }" ]; then
        say "cancelling jobs: $jobs"
        q scancel $jobs
        for _ in $(seq 100); do
            [ -z "$(q squeue -h -o %A)" ] && break
            sleep 0.2
        done
    fi
fi

# 2. Reverse start order: the node daemons, the controller, then the munge they all use.
stop_daemons slurmd    "$CONF"         "${slurmd_pidfiles[@]}"
stop_daemons slurmctld "$CONF"         "$RUN/slurmctld.pid"
stop_daemons munged    "$MUNGE_SOCKET" "$RUN/munge/munged.pid"
rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"

# 3. After an unclean stop (daemons killed while jobs ran), step daemons of this cluster and
#    their job processes outlive slurmd. They are found by the SLURM_CONF of this cluster in
#    the environment of slurmstepd, never by name alone.
for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slurmstepd ] || continue
    { tr '\0' '\n' < "$env"; } 2>/dev/null | grep -qxF "SLURM_CONF=$CONF" || continue
    tree="$pid $(descendants "$pid" | tr '\n' ' ')"
    say "killing leftover job step: slurmstepd $pid and its processes ($tree)"
    kill -KILL $tree 2>/dev/null
done

# 4. netns mode: the namespaces this cluster created (only those named in netns.list, which
#    start.sh wrote before creating each). Anything still running inside them is ours.
if [ -s "$RUN/netns.list" ]; then
    while read -r ns; do
        [ -n "$ns" ] && [ -e "/run/netns/$ns" ] || continue
        left=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
        if [ -n "${left// }" ]; then
            say "killing processes left in network namespace $ns: $left"
            kill -KILL $left 2>/dev/null
        fi
        ip netns delete "$ns" || die "cannot delete network namespace $ns"
    done < "$RUN/netns.list"
    rm -f "$RUN/netns.list"
    say "deleted the cluster's network namespaces"
fi
exit 0
