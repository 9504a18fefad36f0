#!/usr/bin/env bash
# SLURM arrays for the full prop34 preset (docs/theory.md): configs/theory/prop34.yaml,
# one array task per sweep point, then a job that collects the pieces and writes the figures
# and the rates table to ${THEORY_OUT:-results/theory}/prop34-rates/.
# usage (from the repository root): [THEORY_SIZE=small] jobs/theory_prop34.sh [SBATCH OPTIONS...]
#   e.g. jobs/theory_prop34.sh -n 4 --time=01:00:00
exec "$(dirname "$0")/theory_submit.sh" prop34 configs/theory/prop34.yaml -- "$@"
