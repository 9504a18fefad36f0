#!/usr/bin/env bash
# Tear down the private single-node SLURM test cluster started by start.sh.
#
# usage: jobs/testcluster/stop.sh [RUN_DIR]      (default: jobs/testcluster/run)
#
# Jobs still queued or running are cancelled first (scancel, while the daemons are up).
# Then each daemon is stopped by the PID in its pidfile under RUN_DIR (slurmd, slurmctld,
# then munged): SIGTERM, up to 15 s grace, then SIGKILL. Nothing is killed by name: job
# steps that outlived a killed slurmd are recognised by this cluster's SLURM_CONF in
# their environment, and killed with their process trees. A pidfile
# whose PID is gone, or now belongs to another program (after an unclean stop the PID may
# have been reused), is just removed. Safe to run any number of times. Logs and state stay
# in RUN_DIR for inspection; start.sh starts from clean state anyway.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
run_arg=${1:-$here/run}

die() { echo "testcluster: error: $*" >&2; exit 1; }
say() { echo "testcluster: $*" >&2; }

[ -d "$run_arg" ] || { say "nothing to stop: $run_arg does not exist"; exit 0; }
RUN=$(cd "$run_arg" && pwd -P)
CONF=$RUN/slurm.conf
MUNGE_SOCKET=$RUN/munge/munge.socket.2

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

stop_daemon() {
    local name=$1 pidfile=$2 comm=$3 marker=$4 pid
    if pid=$(live_pid "$pidfile" "$comm" "$marker"); then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 150); do gone "$pid" && break; sleep 0.1; done
        if ! gone "$pid"; then
            say "$name (pid $pid) still running 15 s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null
            for _ in $(seq 50); do gone "$pid" && break; sleep 0.1; done
        fi
        gone "$pid" || die "$name (pid $pid) would not exit"
        say "stopped $name (pid $pid)"
    elif [ -e "$pidfile" ]; then
        say "$name not running (stale pidfile $pidfile removed)"
    fi
    rm -f "$pidfile"
}

# descendants PID: PID's children, grandchildren, ... (from one ps snapshot).
descendants() {
    ps -eo pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END { n = 1; q[1] = root
              for (i = 1; i <= n; i++) for (p in parent) if (parent[p] == q[i]) { q[++n] = p; print p } }'
}

# 1. Running jobs are cancelled while the daemons can still do it properly (KillWait=5).
if live_pid "$RUN/slurmctld.pid" slurmctld "$CONF" >/dev/null &&
   live_pid "$RUN/slurmd.pid" slurmd "$CONF" >/dev/null; then
    jobs=$(SLURM_CONF=$CONF timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
    if [ -n "${jobs// }" ]; then
        say "cancelling jobs: $jobs"
        SLURM_CONF=$CONF timeout 10 scancel $jobs 2>/dev/null
        for _ in $(seq 100); do
            [ -z "$(SLURM_CONF=$CONF timeout 10 squeue -h -o %A 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
fi

# 2. Reverse start order: the node daemon, the controller, then the munge they both use.
stop_daemon slurmd    "$RUN/slurmd.pid"       slurmd    "$CONF"
stop_daemon slurmctld "$RUN/slurmctld.pid"    slurmctld "$CONF"
stop_daemon munged    "$RUN/munge/munged.pid" munged    "$MUNGE_SOCKET"
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
exit 0
