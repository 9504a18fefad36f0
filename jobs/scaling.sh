#!/usr/bin/env bash
# Strong scaling: run one config at 1, 2, 4, ... ranks, up to the allocation, and write a
# tidy CSV `ranks,wall_seconds` (wall_seconds read from each run's manifest.json).
#
# usage (from the repository root):
#   jobs/scaling.sh CONFIG [STRATSIM RUN ARGS]...          inside an allocation (sbatch
#                                                          jobs/scaling.sbatch, salloc) or
#                                                          outside SLURM via scripts/mpirun.sh
# e.g.
#   sbatch -n 16 jobs/scaling.sbatch configs/facility/large.yaml --set seeds=4
#   STRATSIM_SCALING_MAX=2 jobs/scaling.sh configs/demo.yaml
#
# Rank counts: powers of two up to MAX, plus MAX itself if it is not one. MAX is
# $SLURM_NTASKS inside SLURM, else the number of cores; STRATSIM_SCALING_MAX overrides.
# Inside SLURM each point is an `srun --mpi=pmix -n R` step (with -N R when R is smaller
# than the node count); outside SLURM it is `scripts/mpirun.sh -n R`.
# Run dirs: OUT/ranks-R/, the table: OUT/scaling.csv, where OUT is STRATSIM_SCALING_OUT or
# results/scaling/<config name>-<job id or date>. The first failing run ends the script
# with its exit code; the rows so far are kept.
#
# Environment: STRATSIM (default bin/stratsim), STRATSIM_SRUN_FLAGS, STRATSIM_SCALING_MAX,
# STRATSIM_SCALING_OUT. Timings are meant to be read, not asserted.
set -u

die() { echo "scaling.sh: $*" >&2; exit 2; }
python=/usr/bin/python3
stratsim=${STRATSIM:-bin/stratsim}
[ $# -ge 1 ] || die "usage: jobs/scaling.sh CONFIG [STRATSIM RUN ARGS]..."
config=$1; shift
[ -x "$stratsim" ] || die "$stratsim not found in $PWD (run from the repository root, or set STRATSIM)"
[ -r "$config" ] || die "cannot read config $config"
for a in "$@"; do
    case $a in --out|--out=*|--sweep-index|--sweep-index=*) die "$a is not allowed here (each rank count has its own --out)";; esac
done

if [ -n "${SLURM_JOB_ID:-}" ]; then
    max=${STRATSIM_SCALING_MAX:-${SLURM_NTASKS:-1}}
    nnodes=${SLURM_JOB_NUM_NODES:-${SLURM_NNODES:-1}}
    tag=${SLURM_JOB_ID}
else
    max=${STRATSIM_SCALING_MAX:-$(nproc)}
    tag=$(date +%Y%m%d-%H%M%S)
fi
[ "$max" -ge 1 ] 2>/dev/null || die "bad maximum rank count '$max'"
name=$(basename "$config"); name=${name%.*}
out=${STRATSIM_SCALING_OUT:-results/scaling/$name-$tag}
mkdir -p "$out" || die "cannot create $out"
csv=$out/scaling.csv

counts=()
for ((r = 1; r <= max; r *= 2)); do counts+=("$r"); done
[ "${counts[-1]}" -eq "$max" ] || counts+=("$max")

read -r -a srun_flags <<< "${STRATSIM_SRUN_FLAGS:-}"
export OPENBLAS_NUM_THREADS=1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

echo "ranks,wall_seconds" > "$csv.tmp"
status=0
for r in "${counts[@]}"; do
    run_dir=$out/ranks-$r
    if [ -n "${SLURM_JOB_ID:-}" ]; then
        nodes=()
        [ "$r" -lt "$nnodes" ] && nodes=(-N "$r")
        launcher=(srun --mpi=pmix --kill-on-bad-exit=1 -n "$r" "${nodes[@]}" "${srun_flags[@]}")
    else
        launcher=("$(dirname "${BASH_SOURCE[0]}")/../scripts/mpirun.sh" -n "$r")
    fi
    echo "scaling.sh: $r rank(s): ${launcher[*]} $stratsim run $config --out $run_dir --force --quiet $*" >&2
    "${launcher[@]}" "$stratsim" run "$config" --out "$run_dir" --force --quiet "$@"
    status=$?
    if [ $status -ne 0 ]; then
        echo "scaling.sh: run at $r rank(s) failed with exit code $status; see $run_dir/manifest.json" >&2
        break
    fi
    wall=$("$python" -c 'import json, sys
m = json.load(open(sys.argv[1]))
if m.get("status") != "completed" or m.get("wall_seconds") is None:
    sys.exit("not completed: %s" % m.get("reason"))
print(m["wall_seconds"])' "$run_dir/manifest.json") || { status=1; break; }
    echo "$r,$wall" >> "$csv.tmp"
done
mv "$csv.tmp" "$csv"
echo "scaling.sh: wrote $csv" >&2
cat "$csv"
exit $status
