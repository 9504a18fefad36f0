#!/usr/bin/env bash
# SLURM arrays for the full sp_rate preset (docs/theory.md): configs/theory/sp_rate.yaml configs/theory/sp_rate_exaggerate.yaml configs/theory/sp_rate_grid.yaml configs/theory/sp_rate_d.yaml configs/theory/sp_rate_d_exaggerate.yaml,
# one array task per sweep point, then a job that collects the pieces and writes the figures
# and the rates table to ${THEORY_OUT:-results/theory}/sp_rate-rates/.
# usage (from the repository root): [THEORY_SIZE=small] jobs/theory_sp_rate.sh [SBATCH OPTIONS...]
#   e.g. jobs/theory_sp_rate.sh -n 4 --time=01:00:00
exec "$(dirname "$0")/theory_submit.sh" sp_rate configs/theory/sp_rate.yaml configs/theory/sp_rate_exaggerate.yaml configs/theory/sp_rate_grid.yaml configs/theory/sp_rate_d.yaml configs/theory/sp_rate_d_exaggerate.yaml -- "$@"
