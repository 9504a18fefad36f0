#!/usr/bin/env bash
# SLURM arrays for the full ktimes preset (docs/theory.md): configs/theory/ktimes.yaml configs/theory/ktimes_exaggerate.yaml,
# one array task per sweep point, then a job that collects the pieces and writes the figures
# and the rates table to ${THEORY_OUT:-results/theory}/ktimes-rates/.
# usage (from the repository root): [THEORY_SIZE=small] jobs/theory_ktimes.sh [SBATCH OPTIONS...]
#   e.g. jobs/theory_ktimes.sh -n 4 --time=01:00:00
exec "$(dirname "$0")/theory_submit.sh" ktimes configs/theory/ktimes.yaml configs/theory/ktimes_exaggerate.yaml -- "$@"
