#!/usr/bin/env bash
# Regenerates every documented figure that an RLHF run produces (any number the RLHF MLE or
# policy solver influences), into OUTDIR, in the docs' own formats, so that after a change to
# the RLHF computation the docs can be diffed against OUTDIR and updated in one pass.
# Timing figures (docs/performance.md, docs/scaling*) and bandit/facility figures are not
# regenerated, except the tour's transcript, which runs all three parts (3 s).
#
# usage (from anywhere; runs from the repository root, after make build):
#   scripts/regen_rlhf_docs.sh [--list] [--only ITEM[,ITEM...]] OUTDIR
# Items, fastest first (--list: wall time on 2 ranks of the 2-core machine at load 4-8 from
# other jobs, niced; whole run 37 min wall, 23 min CPU, so ~12-15 min on 2 idle cores):
#   exact tour mdp_small theory_fast table1 heldout theory_sp planner mdp_table study
# Environment: NP (ranks, default 2, as every doc states), PYTHON (/usr/bin/python3),
#   NICE (a prefix for every run, e.g. NICE="nice -n 10"; default none).
# Writes:
#   OUTDIR/<nn>_<item>.md   per doc section, the regenerated table/values in the doc's format
#                           (each file starts with the doc file and section it belongs to)
#   OUTDIR/figures/         docs/figures/ files (rlhf_table1.png, rlhf_table1_heldout.png,
#                           study_*.png) under the docs' names
#   OUTDIR/theory/          docs/theory/ files of the RLHF claims (rates.md rows, rates.csv,
#                           prop34.md/.csv, rates_thm_*.png/.pdf, rates_prop_3_4_*.png/.pdf)
#   OUTDIR/runs/<name>/     the run directories; OUTDIR/logs/ their logs
#   OUTDIR/times.txt        wall time, load and status per item
# A failed run is reported (FAIL in times.txt and on stdout) and the other items still run;
# the exit status is 1 if any run or analysis failed.
set -u
cd "$(dirname "$0")/.." || exit 2
ITEMS="exact tour mdp_small theory_fast table1 heldout theory_sp planner mdp_table study"
declare -A EST=([exact]="8 s" [tour]="8 s" [mdp_small]="4 s" [theory_fast]="45 s" [table1]="70 s"
    [heldout]="70 s" [planner]="6 min" [study]="18 min" [mdp_table]="11 min" [theory_sp]="4 min")
usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
only=""
while [ $# -gt 0 ]; do
    case $1 in
        --list) for i in $ITEMS; do printf '%-12s %s\n' "$i" "${EST[$i]}"; done; exit 0 ;;
        --only) only=",$2,"; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "regen_rlhf_docs.sh: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || usage
OUT=$1
for i in ${only//,/ }; do case " $ITEMS " in *" $i "*) ;; *) echo "regen_rlhf_docs.sh: no item '$i' ($ITEMS)" >&2; exit 2;; esac; done
[ -x bin/stratsim ] || { echo "regen_rlhf_docs.sh: bin/stratsim missing: make build first" >&2; exit 2; }
NP=${NP:-2}
PY=${PYTHON:-/usr/bin/python3}
NICE=${NICE:-}
mkdir -p "$OUT/runs" "$OUT/logs" "$OUT/figures" "$OUT/theory" || exit 2
OUT=$(cd "$OUT" && pwd)
failed=0
want() { [ -z "$only" ] || [[ $only == *",$1,"* ]]; }

# run NAME CONFIG [ARGS...]: one stratsim run into OUTDIR/runs/NAME on NP ranks
run() {
    local name=$1 cfg=$2; shift 2
    if $NICE scripts/mpirun.sh -n "$NP" bin/stratsim run "$cfg" --out "$OUT/runs/$name" --force --quiet "$@" \
        >"$OUT/logs/$name.log" 2>&1; then
        grep -q '"warnings"' "$OUT/runs/$name/manifest.json" 2>/dev/null &&
            echo "  warning in $name: $(grep -A2 '"warnings"' "$OUT/runs/$name/manifest.json" | tail -n +2 | head -1)"
        return 0
    fi
    echo "  FAIL: $name ($cfg $*), log $OUT/logs/$name.log"; failed=1; return 1
}
# py LOGNAME ARGS...: an analysis step; its stdout goes to the section, failures are counted
py() { local log=$1; shift; "$PY" "$@" 2>"$OUT/logs/$log.err" || { echo "  FAIL: $PY $* ($OUT/logs/$log.err)" >&2; failed=1; }; }

# The solves' certificates (docs/mdp.md, docs/rlhf.md): per algorithm, uncertified solves,
# pricing passes (min-max, median) and the largest relative gap, from rlhf_solves.csv.
solves() {
    "$PY" - "$@" <<'PY'
import csv, os, sys
sys.path.insert(0, "analysis")
import plotkit as pk
for run in sys.argv[1:]:
    path = os.path.join(run, "rlhf_solves.csv")
    if not os.path.exists(path):
        print("(no rlhf_solves.csv in %s)" % run); continue
    rows = list(csv.DictReader(open(path)))
    print("\nsolves of %s: %d reported, %d not certified, largest relative gap %.2g" % (
        os.path.basename(run), len(rows), sum(r["converged"] != "1" for r in rows),
        max([float(r["relative_gap"]) for r in rows] or [0])))
    print("| algorithm | solves | not certified | passes min-max (upper median) | largest relative gap |")
    print("|---|---|---|---|---|")
    for a in dict.fromkeys(r["algorithm"] for r in rows):
        rs = [r for r in rows if r["algorithm"] == a]
        p = sorted(int(r["passes"]) for r in rs)
        print("| %s | %d | %d | %d-%d (%d) | %.2g |" % (pk.name(a), len(rs), sum(r["converged"] != "1" for r in rs),
              p[0], p[-1], p[len(p) // 2], max(float(r["relative_gap"]) for r in rs)))
PY
}

# Paired comparisons between rules behind the claims of docs/results.md (s.e. of differences
# paired by seed): truthful SubOpt of A minus B, and degradation of A minus B, per n.
pairs() {
    "$PY" - "$1" <<'PY'
import csv, itertools, sys
sys.path.insert(0, "analysis")
import plotkit as pk
rows = list(csv.DictReader(open(sys.argv[1] + "/rlhf_runs.csv")))
c = {}
for r in rows:
    c.setdefault((int(r["n"]), r["algorithm"]), {}).setdefault(r["seed"], {})[r["condition"]] = float(r["subopt"])
algs = list(dict.fromkeys(r["algorithm"] for r in rows))
def f(xs):
    m, se, _ = pk.mean_se(xs)
    return "%+.3f ± %.3f (%+.1f s.e.)" % (m, se, m / se if se else float("nan"))
print("\n| n | A - B (paired by seed) | truthful SubOpt | degradation (strategic - truthful) |")
print("|---|---|---|---|")
for n in sorted({k[0] for k in c}):
    for a, b in itertools.combinations(algs, 2):
        sa, sb = c[(n, a)], c[(n, b)]
        seeds = sorted(set(sa) & set(sb), key=int)
        t = [sa[s]["truthful"] - sb[s]["truthful"] for s in seeds]
        d = [(sa[s]["strategic"] - sa[s]["truthful"]) - (sb[s]["strategic"] - sb[s]["truthful"]) for s in seeds]
        print("| %d | %s - %s | %s | %s |" % (n, pk.name(a), pk.name(b), f(t), f(d)))
PY
}

# section NN ITEM TITLE: starts OUTDIR/NN_ITEM.md and times the item; end_section closes it
section() {
    SEC="$OUT/$1_$2.md"; ITEM=$2; T0=$(date +%s.%N)
    printf '# %s\n\n' "$3" >"$SEC"
    echo "== $2: $3"
}
end_section() {
    local t; t=$(echo "$(date +%s.%N) - $T0" | bc)
    printf '%-12s %7.1f s  load %s  %s\n' "$ITEM" "$t" "$(cut -d' ' -f1-3 /proc/loadavg)" \
        "$([ "$failed" = 0 ] && echo ok || echo 'FAIL (some step so far)')" | tee -a "$OUT/times.txt"
}

START=$(date +%s.%N)
: >"$OUT/times.txt"
echo "regen_rlhf_docs: $(git describe --always --dirty 2>/dev/null) on $NP ranks into $OUT"

if want exact; then
    section 01 exact "docs/rlhf.md, 'Choices where MODELS is silent': Median and Exact parameters (labeler 0's utilities, exact parameters); docs/results.md last bullet (k = 3 gains 0.1)"
    for c in exact_median_k2 exact_median_k3 prop33_sw prop33_maxmin; do run "$c" "configs/rlhf/$c.yaml"; done
    for m in upper mean; do run "prop33_sw_$m" configs/rlhf/prop33_sw.yaml --set rlhf.median=$m; done
    "$PY" - "$OUT/runs" >>"$SEC" <<'PY'
import csv, json, os, sys
for c in ("exact_median_k2", "exact_median_k3", "prop33_sw", "prop33_sw_upper", "prop33_sw_mean", "prop33_maxmin"):
    d = os.path.join(sys.argv[1], c)
    if not os.path.exists(d + "/rlhf_labelers.csv"):
        print("%s: no results" % c); continue
    man = json.load(open(d + "/manifest.json"))
    med = (man.get("config") or {}).get("sweep", {}).get("rlhf.median")
    print("\n`configs/rlhf/%s.yaml`%s\n\n| point | algorithm | labeler 0 truthful -> strategic | gain | max_gain |\n|---|---|---|---|---|" % (
        c.replace("_upper", "").replace("_mean", ""), " --set " + " ".join(man.get("overrides") or []) if man.get("overrides") else ""))
    mg = {(r.get("point", "0"), r["algorithm"]): r["max_gain"] for r in csv.DictReader(open(d + "/rlhf_runs.csv")) if r["condition"] == "strategic"}
    for r in csv.DictReader(open(d + "/rlhf_labelers.csv")):
        if r["labeler"] == "0":
            p = r.get("point", "0")
            lab = "median = %s" % med[int(p)] if med else p
            print("| %s | %s | %.17g -> %.17g | %.17g | %s |" % (lab, r["algorithm"], float(r["utility_truthful"]),
                  float(r["utility_strategic"]), float(r["gain"]), mg.get((p, r["algorithm"]))))
PY
    end_section
fi

if want tour; then
    section 02 tour "README.md, 'Two commands': the make run transcript (scripts/tour.sh; the RLHF line is part 3)"
    { echo '```'; echo '$ make run'; TOUR_OUT="$OUT/runs/tour" NP=$NP $NICE scripts/tour.sh 2>"$OUT/logs/tour.err" |
        sed "s|$OUT/runs/tour|results/tour|g" || { echo "  FAIL: scripts/tour.sh" >&2; failed=1; }; echo '```'; } >>"$SEC"
    end_section
fi

if want mdp_small; then
    section 03 mdp_small "docs/mdp.md, 'Pricing passes on the presets' (40-80 passes at d = 6 on tests/data/rlhf_ranks.yaml and mdp_small); README 'mdp_small ~1 s'"
    run mdp_small configs/rlhf/mdp_small.yaml && run rlhf_ranks tests/data/rlhf_ranks.yaml &&
        solves "$OUT/runs/mdp_small" "$OUT/runs/rlhf_ranks" >>"$SEC"
    end_section
fi

# docs/theory.md: the RLHF claims (Thm 4.2, Thm 3.5, Prop. 3.4 here; Thm 4.1 in theory_sp).
# rates.py fits per claim, so its rows equal those of one run over every preset.
rates() { # OUTSUB RUN...
    local sub=$1; shift
    py "rates_$sub" analysis/rates.py "$@" --data --out "$OUT/theory/$sub" >"$OUT/logs/rates_$sub.out" &&
        { echo; echo "docs/theory.md table rows (and docs/theory/rates.md):"; echo; cat "$OUT/theory/$sub/rates.md"; } >>"$SEC"
    cp "$OUT/theory/$sub"/rates_*.png "$OUT/theory/$sub"/rates_*.pdf "$OUT/theory/" 2>/dev/null
    # the seed means per size that docs/theory.md's prose quotes (the figures' plotted numbers)
    "$PY" - "$OUT/theory/$sub" >>"$SEC" <<'PY'
import glob, json, os, sys
sys.path.insert(0, "analysis")
import plotkit as pk
print("\nseed means per size (mean ± s.e.), from the figures' data:")
for f in sorted(glob.glob(os.path.join(sys.argv[1], "rates_*.json"))):
    d = json.load(open(f))
    print("\n%s (%s):" % (d.get("claim"), os.path.basename(f)[:-5]))
    for s in d["series"]:
        pts = ", ".join("%g: %.3g ± %.2g" % (x, m, se if se == se else 0) for x, m, se in zip(s["x"], s["mean"], s["se"]))
        print("- %s%s: %s" % (pk.name(s["series"]), " (%s)" % s["other"] if s.get("other") else "", pts))
PY
}
if want theory_fast; then
    section 04 theory_fast "docs/theory.md: Thm 4.2 (subopt_rate, subopt_rate_n), Thm 3.5 (ktimes, ktimes_exaggerate), Prop. 3.4 (prop34; docs/theory/prop34.md)"
    ok=1
    for c in prop34 ktimes subopt_rate ktimes_exaggerate subopt_rate_n; do run "$c" "configs/theory/$c.yaml" || ok=0; done
    if [ $ok = 1 ]; then
        rates fast "$OUT"/runs/{subopt_rate,subopt_rate_n,ktimes,ktimes_exaggerate,prop34}
        cp "$OUT/theory/fast/prop34.md" "$OUT/theory/fast/prop34.csv" "$OUT/theory/" 2>/dev/null &&
            { echo; echo "docs/theory.md Prop. 3.4 table (docs/theory/prop34.md):"; echo; cat "$OUT/theory/prop34.md"; } >>"$SEC"
        echo "(plotted numbers per size and series: $OUT/theory/fast/*.json)" >>"$SEC"
    fi
    end_section
fi

# table_item NN ITEM TITLE RUNNAME FIGURE [--set ...]: the Table 1 layout, the paired
# comparisons behind the claims, the figure
table_item() {
    local nn=$1 item=$2 title=$3 name=$4 fig=$5; shift 5
    section "$nn" "$item" "$title"
    if run "$name" configs/rlhf/table1.yaml "$@"; then
        py "$name" analysis/rlhf_table1.py "$OUT/runs/$name" >>"$SEC"
        pairs "$OUT/runs/$name" >>"$SEC"
        solves "$OUT/runs/$name" >>"$SEC"
        py "${name}_fig" analysis/rlhf_figure.py "$OUT/runs/$name" >/dev/null &&
            cp "$OUT/runs/$name/rlhf_figure.png" "$OUT/figures/$fig"
    fi
    end_section
}
want table1 && table_item 05 table1 "docs/results.md, 'The preset's Table 1' (table, the claims' paired differences, figures/rlhf_table1.png)" table1 rlhf_table1.png
want heldout && table_item 06 heldout "docs/results.md, 'The preset with held-out labels' (table, bullets, figures/rlhf_table1_heldout.png)" table1_heldout rlhf_table1_heldout.png --set rlhf.labels.heldout=true

if want theory_sp; then
    section 07 theory_sp "docs/theory.md: Thm 4.1 (sp_rate, sp_rate_exaggerate, sp_rate_grid; sp_rate_d, sp_rate_d_exaggerate) and the n = infinity extra measurement"
    run sp_exact_exaggerate configs/theory/sp_rate_exaggerate.yaml --set rlhf.data=exact --set rlhf.n=100 &&
    run sp_exact_grid configs/theory/sp_rate_grid.yaml --set rlhf.data=exact --set rlhf.n=100 &&
        "$PY" - "$OUT/runs/sp_exact_exaggerate" "$OUT/runs/sp_exact_grid" >>"$SEC" <<'PY'
import csv, sys
sys.path.insert(0, "analysis")
import plotkit as pk
best = {}
for d in sys.argv[1:]:
    for r in csv.DictReader(open(d + "/rlhf_labelers.csv")):
        if r["strategic"] == "1":
            k = (r["algorithm"], int(r["seed"]))
            best[k] = max(best.get(k, 0.0), float(r["gain"]))
print("n = infinity (rlhf.data=exact, grid + exaggeration): best found gain of labeler 0 per rule, seed mean, seeds with a gain\n")
print("| rule | seed mean | seeds with gain > 0 |\n|---|---|---|")
for a in dict.fromkeys(k[0] for k in best):
    g = [v for k, v in best.items() if k[0] == a]
    print("| %s | %.4f | %d of %d |" % (pk.name(a), sum(g) / len(g), sum(v > 0 for v in g), len(g)))
PY
    ok=1
    for c in sp_rate_exaggerate sp_rate_d_exaggerate sp_rate_grid sp_rate_d sp_rate; do run "$c" "configs/theory/$c.yaml" || ok=0; done
    [ $ok = 1 ] && rates sp "$OUT"/runs/{sp_rate,sp_rate_exaggerate,sp_rate_grid,sp_rate_d,sp_rate_d_exaggerate}
    echo "(plotted numbers per size and series, the seed means the prose quotes: $OUT/theory/sp/*.json)" >>"$SEC"
    end_section
fi

if want planner; then
    section 08 planner "docs/mdp.md, 'The planner': automatic smoothing (passes to a certified 1e-6 gap on the benchmark (b) instance, bin/bench_mdp solve, 1 rank) and the relative gap's floor (configs/scaling/mdp_states.yaml at S = 4000)"
    { echo "| S | rule | alpha | passes | relative gap |"; echo "|---|---|---|---|---|"; } >>"$SEC"
    for c in "20000 fixed 0.5" "20000 fixed 0.7" "20000 fixed 0.8" "20000 fixed 0.9" "20000 auto 0.5" "20000 auto 0.7" \
             "20000 auto 0.9" "100000 fixed 0.7"; do
        set -- $c
        if $NICE bin/bench_mdp solve -S "$1" -A 10 -H 10 -d 32 -b 4 -alpha "$3" -alpha_rule "$2" >"$OUT/logs/bench_mdp_$1_$2_$3.log" 2>&1; then
            echo "| $1 | $2 | $3 | $(grep -o '[0-9]* pricing passes' "$OUT/logs/bench_mdp_$1_$2_$3.log" | cut -d' ' -f1) | $(grep -o 'rel[a-z_ ]*gap[ =:]*[0-9.e+-]*' "$OUT/logs/bench_mdp_$1_$2_$3.log" | head -1) |" >>"$SEC"
        else echo "  FAIL: bench_mdp $c ($OUT/logs/bench_mdp_$1_$2_$3.log)"; failed=1; fi
    done
    run mdp_states_4000 configs/scaling/mdp_states.yaml --set rlhf.env.states=4000 && {
        solves "$OUT/runs/mdp_states_4000"
        echo; echo "SubOpt (truthful, strategic; docs/mdp.md: ~9.5):"
        cat "$OUT/runs/mdp_states_4000/rlhf_table.csv"; } >>"$SEC"
    end_section
fi

if want mdp_table; then
    section 09 mdp_table "docs/mdp.md, 'Table 1 protocol in an MDP (H = 5)' (table, certificates, passes); docs/results.md 'RLHF in MDPs'"
    if run mdp_table configs/rlhf/mdp_table.yaml; then
        "$PY" - "$OUT/runs/mdp_table" >>"$SEC" <<'PY'
import csv, sys
sys.path.insert(0, "analysis")
import plotkit as pk
print("| n | algorithm | truthful | strategic | difference |\n|---|---|---|---|---|")
for r in csv.DictReader(open(sys.argv[1] + "/rlhf_table.csv")):
    print("| %s | %s | %.3f ± %.3f | %.3f ± %.3f | %+.3f ± %.3f |" % (r["n"], pk.name(r["algorithm"]),
          float(r["truthful_mean"]), float(r["truthful_se"]), float(r["strategic_mean"]), float(r["strategic_se"]),
          float(r["difference_mean"]), float(r["difference_se"])))
PY
        solves "$OUT/runs/mdp_table" >>"$SEC"
    fi
    end_section
fi

if want study; then
    section 10 study "docs/results.md, 'What the effect depends on (the study)' (degradation tables, figures/study_*.png); docs/results.md held-out paragraph (study_heldout); docs/mdp.md kink paragraphs (study L and B solves)"
    ok=1
    runs=()
    for c in base states actions L law spread norm B heldout gain cf steps; do
        run "study_$c" "configs/rlhf/study/$c.yaml" || ok=0
        runs+=("$OUT/runs/study_$c")
    done
    if [ $ok = 1 ]; then
        py study analysis/rlhf_study.py "${runs[@]}" --out "$OUT/figures" | grep -v '^wrote\|\.pdf$\|\.png$' >>"$SEC"
        rm -f "$OUT"/figures/study_*.pdf
        for r in "${runs[@]}"; do
            { echo; echo "### $(basename "$r"): truthful / strategic / difference per point"; echo; } >>"$SEC"
            py "$(basename "$r")" analysis/rlhf_table1.py "$r" | grep -v "paper's numbers are not shown\|^$" >>"$SEC"
        done
        solves "$OUT/runs/study_L" "$OUT/runs/study_B" >>"$SEC"
    fi
    end_section
fi

printf 'total %.1f s on %s ranks; sections in %s/*.md, figures in %s/figures and %s/theory\n' \
    "$(echo "$(date +%s.%N) - $START" | bc)" "$NP" "$OUT" "$OUT" "$OUT" | tee -a "$OUT/times.txt"
exit $failed
