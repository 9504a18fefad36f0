#!/usr/bin/env bash
# Tear down the private single-node SLURM test cluster started by start.sh.
#
# usage: jobs/testcluster/stop.sh [RUN_DIR]      (default: jobs/testcluster/run)
#
# Each daemon is stopped by the PID in its pidfile under RUN_DIR (slurmd, slurmctld, then
# munged): SIGTERM, up to 15 s grace, then SIGKILL. Nothing is killed by name. A pidfile
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
    local name=$1 pidfile=$2 comm=$3 marker=$4 pid i
    if pid=$(live_pid "$pidfile" "$comm" "$marker"); then
        kill -TERM "$pid" 2>/dev/null
        for i in $(seq 150); do gone "$pid" && break; sleep 0.1; done
        if ! gone "$pid"; then
            say "$name (pid $pid) still running 15 s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null
            for i in $(seq 50); do gone "$pid" && break; sleep 0.1; done
        fi
        gone "$pid" || die "$name (pid $pid) would not exit"
        say "stopped $name (pid $pid)"
    elif [ -e "$pidfile" ]; then
        say "$name not running (stale pidfile $pidfile removed)"
    fi
    rm -f "$pidfile"
}

# Reverse start order: the node daemon, the controller, then the munge they both use.
stop_daemon slurmd    "$RUN/slurmd.pid"       slurmd    "$CONF"
stop_daemon slurmctld "$RUN/slurmctld.pid"    slurmctld "$CONF"
stop_daemon munged    "$RUN/munge/munged.pid" munged    "$MUNGE_SOCKET"
rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
exit 0
