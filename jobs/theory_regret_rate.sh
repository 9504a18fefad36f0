#!/usr/bin/env bash
# SLURM arrays for the full regret_rate presets (docs/theory.md): configs/theory/regret_rate.yaml regret_rate_K.yaml regret_rate_d.yaml,
# one array task per sweep point, then a job that collects the pieces and writes the figures
# and the rates table to ${THEORY_OUT:-results/theory}/regret_rate-rates/.
# usage (from the repository root): [THEORY_SIZE=small] jobs/theory_regret_rate.sh [SBATCH OPTIONS...]
#   e.g. jobs/theory_regret_rate.sh -n 4 --time=01:00:00
exec "$(dirname "$0")/theory_submit.sh" regret_rate configs/theory/regret_rate.yaml configs/theory/regret_rate_K.yaml configs/theory/regret_rate_d.yaml -- "$@"
