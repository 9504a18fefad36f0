#!/usr/bin/env bash
# Submits the full configs/theory/ presets of one claim as SLURM arrays (one array per config,
# one task per sweep point, through jobs/submit_sweep.sh), then a dependent job that collects
# the pieces and runs analysis/rates.py on them. Used by jobs/theory_<claim>.sh.
#
# usage (from the repository root):
#   jobs/theory_submit.sh CLAIM CONFIG... [-- SBATCH OPTIONS...]
# Environment:
#   THEORY_OUT   parent of the run directories (default results/theory); runs go to
#                $THEORY_OUT/<name>/point-<I>/, the collected runs to $THEORY_OUT/<name>/all,
#                the figures and table to $THEORY_OUT/<claim>-rates/
#   THEORY_SIZE  full (default) or small: small submits each CONFIG's *_small.yaml version
#                (the make-test size; tests/slurm/theory.sh runs jobs/theory_ktimes.sh so)
#   THEORY_LOGS  directory of the rates job's log (default logs; created)
#   STRATSIM, STRATSIM_ARRAY_MAX as for jobs/submit_sweep.sh
set -u
die() { echo "theory_submit.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: jobs/theory_submit.sh CLAIM CONFIG... [-- SBATCH OPTIONS...]"
claim=$1; shift
configs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do configs+=("$1"); shift; done
[ $# -gt 0 ] && shift
sbatch_opts=("$@")
out=${THEORY_OUT:-results/theory}
logs=${THEORY_LOGS:-logs}
case ${THEORY_SIZE:-full} in
    full) ;;
    small) for i in "${!configs[@]}"; do configs[i]=${configs[i]%.yaml}_small.yaml; done ;;
    *) die "THEORY_SIZE must be full or small, not '${THEORY_SIZE}'" ;;
esac
for c in "${configs[@]}"; do [ -r "$c" ] || die "cannot read config $c"; done
mkdir -p "$logs" || die "cannot create $logs"
stratsim=${STRATSIM:-bin/stratsim}
ids=()
collect=""
runs=()
for c in "${configs[@]}"; do
    name=$(basename "$c" .yaml)
    if [ ${#sbatch_opts[@]} -gt 0 ]; then
        id=$(jobs/submit_sweep.sh "${sbatch_opts[@]}" -- "$c" --set output.dir="$out") || die "submitting $c failed"
    else
        id=$(jobs/submit_sweep.sh "$c" --set output.dir="$out") || die "submitting $c failed"
    fi
    ids+=("$id")
    collect+="$stratsim collect $out/$name/point-* --out $out/$name/all --force && "
    runs+=("$out/$name/all")
    echo "theory_submit.sh: $c -> array job $id" >&2
done
dep=$(IFS=:; echo "${ids[*]}")
# after every array task succeeded: merge the pieces, fit the rates
sbatch --parsable --dependency=afterok:"$dep" --job-name="stratsim-rates-$claim" --output="$logs/stratsim-rates-%j.out" \
    --wrap "${collect}/usr/bin/python3 analysis/rates.py ${runs[*]} --out $out/$claim-rates"
