#!/usr/bin/env bash
# SLURM arrays for the full subopt_rate preset (docs/theory.md): configs/theory/subopt_rate.yaml configs/theory/subopt_rate_n.yaml,
# one array task per sweep point, then a job that collects the pieces and writes the figures
# and the rates table to ${THEORY_OUT:-results/theory}/subopt_rate-rates/.
# usage (from the repository root): [THEORY_SIZE=small] jobs/theory_subopt_rate.sh [SBATCH OPTIONS...]
#   e.g. jobs/theory_subopt_rate.sh -n 4 --time=01:00:00
exec "$(dirname "$0")/theory_submit.sh" subopt_rate configs/theory/subopt_rate.yaml configs/theory/subopt_rate_n.yaml -- "$@"
