#!/usr/bin/env bash
# The `make run` tour: three small runs that show what stratsim is for, each with a one-line
# takeaway and one figure, then the next commands to try. NP ranks (default 2).
# Results: results/tour/{bandit,facility,rlhf}/ (each with manifest.json, CSVs and its figure).
set -euo pipefail
cd "$(dirname "$0")/.."
NP=${NP:-2}
PY=${PYTHON:-/usr/bin/python3}
OUT=${TOUR_OUT:-results/tour}
mkdir -p "$OUT"
start=$(date +%s.%N)
part() { # name config
  scripts/mpirun.sh -n "$NP" bin/stratsim run "$2" --out "$OUT/$1" --force --quiet >"$OUT/$1.log" 2>&1 ||
    { cat "$OUT/$1.log"; exit 1; }
}
echo "stratsim tour: strategic agents inside three learning systems ($NP ranks)"
part bandit configs/tour/bandit.yaml
part facility configs/demo.yaml
part rlhf configs/tour/rlhf.yaml
"$PY" analysis/tour.py "$OUT/bandit" "$OUT/facility" "$OUT/rlhf" | grep -v '\.pdf$'
end=$(date +%s.%N)
printf '\ntour: %.1f s on %s ranks; results and figures in %s/{bandit,facility,rlhf}/\n' "$(echo "$end - $start" | bc)" "$NP" "$OUT"
cat <<'NEXT'
next:
  scripts/mpirun.sh -n 2 bin/stratsim run configs/bandit/paper_fig1.yaml --force   # SLCB Figure 1 (arms learn to game)
  /usr/bin/python3 analysis/bandit_fig1.py results/paper_fig1
  scripts/mpirun.sh -n 2 bin/stratsim run configs/rlhf/table1.yaml --force         # SP-RLHF Table 1
  /usr/bin/python3 analysis/rlhf_table1.py results/table1; /usr/bin/python3 analysis/rlhf_figure.py results/table1
  scripts/mpirun.sh -n 2 bin/stratsim run configs/rlhf/prop33_sw.yaml --force      # a manipulation, exact parameters
  bin/stratsim show-config configs/demo.yaml                                       # every key, defaults filled in
NEXT
