#!/usr/bin/env bash
# Scaling study: one config over a grid of nodes x ranks, each point repeated, gathered into
# one tidy CSV (analysis/scaling.py turns it into speedup/efficiency plots and tables).
#
# usage (from the repository root):
#   jobs/scaling.sh [OPTIONS] CONFIG [STRATSIM RUN ARGS]...
# options (or the environment variable in brackets):
#   --mode strong|weak   strong: the same problem at every point (default)    [STRATSIM_SCALING_MODE]
#                        weak: the problem grows with the ranks (--weak)
#   --weak KEY=PER_RANK  weak mode: KEY is set to PER_RANK x ranks at each point, e.g.
#                        facility.agents=2000, rlhf.k=4, bandit.K=8          [STRATSIM_SCALING_WEAK]
#   --ranks "1 2 4"      rank counts (default: 1, 2, 4, ... up to MAX)       [STRATSIM_SCALING_RANKS]
#   --nodes "1 2"        node counts (default: 1 and, inside a multi-node allocation, 2, 4, ...
#                        up to the allocation's); a point needs ranks >= nodes [STRATSIM_SCALING_NODES]
#   --repeats R          runs per point (default 3; the analysis reports median and best)
#                                                                            [STRATSIM_SCALING_REPEATS]
#   --out DIR            run dirs DIR/n<N>-r<R>-<repeat>/ and the table DIR/scaling.csv
#                        (default results/scaling/<config name>-<mode>-<job id or date>)
#                                                                            [STRATSIM_SCALING_OUT]
# e.g.
#   sbatch -N 2 -n 8 jobs/scaling.sbatch --mode strong configs/demo.yaml --set seeds=4
#   sbatch -N 2 -n 8 jobs/scaling.sbatch --mode weak --weak facility.agents=5000 configs/demo.yaml
#   jobs/scaling.sh --ranks "1 2" --repeats 3 configs/demo.yaml         (outside SLURM: mpirun)
#
# MAX is $SLURM_NTASKS inside SLURM, else the number of cores (STRATSIM_SCALING_MAX overrides).
# Inside SLURM each point is a `jobs/launch.sh -n R -N N` step (srun --mpi=pmix, or mpirun with
# STRATSIM_LAUNCHER=mpirun); outside SLURM only N=1, through scripts/mpirun.sh. Points with
# more ranks than MAX are skipped. A point is marked `oversubscribed` in the CSV when it has
# more ranks per node than this node has cores (outside SLURM: more ranks than cores), or,
# with STRATSIM_SCALING_CORES=C (the emulated test cluster, whose nodes share one machine's
# C cores), more ranks in all than C.
#
# scaling.csv is long ("tidy"): one row per run and phase, columns
#   study,mode,config,nodes,ranks,ranks_per_node (the most on one node),oversubscribed,repeat,size_key,size,
#   phase,seconds,comm_calls,comm_bytes,comm_seconds
# where phase "total" holds the run's wall time, the others each phase's max over ranks
# (manifest.json "phases") with its communication (manifest.json "communication": calls and
# bytes are the per-rank maxima summed over verbs, comm_seconds the time in MPI summed over
# verbs, mean over ranks).
# The first failing run ends the study with its exit code; the rows so far are kept.
# Timings are meant to be read, not asserted.
set -u

die() { echo "scaling.sh: $*" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
python=${PYTHON:-/usr/bin/python3}
stratsim=${STRATSIM:-bin/stratsim}
mode=${STRATSIM_SCALING_MODE:-strong}
weak=${STRATSIM_SCALING_WEAK:-}
ranks_list=${STRATSIM_SCALING_RANKS:-}
nodes_list=${STRATSIM_SCALING_NODES:-}
repeats=${STRATSIM_SCALING_REPEATS:-3}
out=${STRATSIM_SCALING_OUT:-}
while [ $# -gt 0 ]; do
    case $1 in
        --mode) mode=$2; shift 2 ;;
        --weak) weak=$2; shift 2 ;;
        --ranks) ranks_list=$2; shift 2 ;;
        --nodes) nodes_list=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --) shift; break ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || die "usage: jobs/scaling.sh [--mode strong|weak] [--weak KEY=PER_RANK] [--ranks LIST] [--nodes LIST] [--repeats R] [--out DIR] CONFIG [ARGS]..."
config=$1; shift
[ -x "$stratsim" ] || die "$stratsim not found in $PWD (run from the repository root, or set STRATSIM)"
[ -r "$config" ] || die "cannot read config $config"
case $mode in strong) ;; weak) [ -n "$weak" ] || die "--mode weak needs --weak KEY=PER_RANK (e.g. facility.agents=2000)";; *) die "--mode must be strong or weak, not '$mode'";; esac
case $repeats in ''|*[!0-9]*|0) die "--repeats must be a positive integer";; esac
weak_key=${weak%%=*}; weak_per=${weak#*=}
[ "$mode" = strong ] || case $weak_per in ''|*[!0-9]*) die "--weak $weak: PER_RANK must be a positive integer";; esac
for a in "$@"; do
    case $a in --out|--out=*|--sweep-index|--sweep-index=*) die "$a is not allowed here (each point has its own --out)";; esac
done

if [ -n "${SLURM_JOB_ID:-}" ]; then
    max=${STRATSIM_SCALING_MAX:-${SLURM_NTASKS:-1}}
    alloc_nodes=${SLURM_JOB_NUM_NODES:-${SLURM_NNODES:-1}}
    tag=$SLURM_JOB_ID
else
    max=${STRATSIM_SCALING_MAX:-$(nproc)}
    alloc_nodes=1
    tag=$(date +%Y%m%d-%H%M%S)
fi
[ "$max" -ge 1 ] 2>/dev/null || die "bad maximum rank count '$max'"
if [ -z "$ranks_list" ]; then
    for ((r = 1; r <= max; r *= 2)); do ranks_list+="$r "; done
fi
if [ -z "$nodes_list" ]; then
    for ((n = 1; n <= alloc_nodes; n *= 2)); do nodes_list+="$n "; done
fi
name=$(basename "$config"); name=${name%.*}
out=${out:-results/scaling/$name-$mode-$tag}
mkdir -p "$out" || die "cannot create $out"
csv=$out/scaling.csv
cores=$(nproc)

export OPENBLAS_NUM_THREADS=1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
echo "study,mode,config,nodes,ranks,ranks_per_node,oversubscribed,repeat,size_key,size,phase,seconds,comm_calls,comm_bytes,comm_seconds" > "$csv.tmp"
status=0
for n in $nodes_list; do
    [ "$n" -le "$alloc_nodes" ] || { echo "scaling.sh: skipping $n node(s): the allocation has $alloc_nodes" >&2; continue; }
    for r in $ranks_list; do
        [ "$r" -ge "$n" ] || continue
        [ "$r" -le "$max" ] || { echo "scaling.sh: skipping $r ranks: more than $max" >&2; continue; }
        size_args=() size= size_key=
        if [ "$mode" = weak ]; then size=$((weak_per * r)); size_key=$weak_key; size_args=(--set "$weak_key=$size"); fi
        over=0
        if [ -n "${STRATSIM_SCALING_CORES:-}" ]; then
            [ "$r" -gt "$STRATSIM_SCALING_CORES" ] && over=1
        elif [ -z "${SLURM_JOB_ID:-}" ]; then
            [ "$r" -gt "$cores" ] && over=1
        else
            [ $(((r + n - 1) / n)) -gt "$cores" ] && over=1
        fi
        for ((k = 1; k <= repeats; k++)); do
            run_dir=$out/n$n-r$r-$k
            echo "scaling.sh: $n node(s), $r rank(s), repeat $k: $stratsim run $config ${size_args[*]} $*" >&2
            "$here/launch.sh" -n "$r" -N "$n" -- "$stratsim" run "$config" --out "$run_dir" --force --quiet "${size_args[@]}" "$@"
            status=$?
            if [ $status -ne 0 ]; then
                echo "scaling.sh: run with $r rank(s) on $n node(s) failed with exit code $status; see $run_dir/manifest.json" >&2
                break 3
            fi
            "$python" - "$run_dir/manifest.json" "$name,$mode,$config,$n,$r,$(((r + n - 1) / n)),$over,$k,$size_key,$size" >> "$csv.tmp" <<'PY' || { status=1; break 3; }
import json, sys
m = json.load(open(sys.argv[1]))
if m.get("status") != "completed":
    sys.exit("scaling.sh: run not completed: %s" % m.get("reason"))
prefix = sys.argv[2]
comm = m.get("communication") or {}
def comm_of(phase):
    verbs = comm.get(phase, {}).values()
    return (sum(v["calls_max"] for v in verbs), sum(v["bytes_max"] for v in verbs),
            sum(v["seconds_mean"] for v in verbs))
total = [sum(c) for c in zip(*[comm_of(p) for p in comm])] or [0, 0, 0]
print("%s,total,%.6f,%d,%d,%.6f" % (prefix, m["wall_seconds"], total[0], total[1], total[2]))
for phase, t in m.get("phases", {}).items():
    calls, nbytes, secs = comm_of(phase)
    print("%s,%s,%.6f,%d,%d,%.6f" % (prefix, phase, t["max"], calls, nbytes, secs))
PY
        done
    done
done
mv "$csv.tmp" "$csv"
echo "scaling.sh: wrote $csv ($(($(wc -l < "$csv") - 1)) rows); plot: \$PYTHON analysis/scaling.py $csv" >&2
exit $status
