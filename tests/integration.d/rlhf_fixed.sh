# Sourced by tests/run_integration.sh: the RLHF `fixed` strategy end to end (config -> CSV),
# against known answers from the other strategies, on 2 ranks:
# - reporting the true parameters (one row per strategic labeler, from a CSV file) gives the
#   truthful run's numbers exactly (every CSV, the strategy column aside);
# - reporting exaggerate's reports (k rows, computed here from the formula, bit for bit as the
#   C code does) gives the exaggerate run's numbers exactly;
# - a bad reports file is refused before anything runs: file:line in the message, exit 2.
fixed_base=tests/data/rlhf_fixed.yaml
fixed_dir=$OUT/rlhf-fixed
mkdir -p "$fixed_dir"
# the true parameters of labelers 1 and 3; exaggerate's reports (alpha 0.5) for all k rows
if /usr/bin/python3 - "$fixed_base" "$fixed_dir" >"$fixed_dir/make.log" 2>&1 <<'PY'
import math, re, sys
text = open(sys.argv[1]).read()
rows = re.search(r"thetas: \[\[(.*)\]\]", text).group(1).split("], [")
theta = [[float(v) for v in r.split(",")] for r in rows]
k, d, strategic, alpha, B = len(theta), len(theta[0]), [1, 3], 0.5, 1.0
with open(sys.argv[2] + "/truth.csv", "w") as f:
    for i in strategic:
        f.write(",".join(repr(v) for v in theta[i]) + "\n")
mean = [math.fsum(t[j] for t in theta) / k for j in range(d)]  # exact sum, as ss_xsum
with open(sys.argv[2] + "/exaggerate.csv", "w") as f:
    for i, t in enumerate(theta):
        r = list(t)
        if i in strategic:
            for j in range(d):
                others = (float(k) * mean[j] - t[j]) / float(k - 1)
                r[j] = t[j] + alpha * (t[j] - others)
            nrm = 0.0
            for v in r:
                nrm += v * v
            nrm = math.sqrt(nrm)
            if nrm > B:
                r = [v * (B / nrm) for v in r]
        f.write(",".join(repr(v) for v in r) + "\n")
PY
then :; else ko "rlhf fixed: computing the reports" "$fixed_dir/make.log"; fi

# every CSV of A equals B's, the `strategy` column aside
fixed_same_but_strategy() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import csv, glob, os, sys
a, b = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(a + "/*.csv"))
assert files and len(files) == len(glob.glob(b + "/*.csv")), "file sets differ"
for f in files:
    ra = list(csv.reader(open(f)))
    rb = list(csv.reader(open(os.path.join(b, os.path.basename(f)))))
    keep = [i for i, h in enumerate(ra[0]) if h != "strategy"]
    strip = lambda rows: [[r[i] for i in keep] for r in rows]
    assert ra[0] == rb[0] and strip(ra) == strip(rb), "differs: " + os.path.basename(f)
print("ok", len(files), "files")
PY
}

fixed_known() {
  local label=$1 other=$2 file=$3
  if run "rlhf-fixed-$label-ref" $MPI -n 2 bin/stratsim run "$fixed_base" $other --out "$fixed_dir/$label-ref" --quiet &&
    run "rlhf-fixed-$label" $MPI -n 2 bin/stratsim run "$fixed_base" --set "rlhf.fixed.file=$file" \
      --out "$fixed_dir/$label" --quiet; then
    if fixed_same_but_strategy "$fixed_dir/$label-ref" "$fixed_dir/$label" >"$fixed_dir/$label.check" 2>&1; then
      ok "rlhf fixed: $label reports give the $label run's CSVs exactly"
    else ko "rlhf fixed: $label reports differ from the $label run" "$fixed_dir/$label.check"; fi
  fi
}
fixed_known truthful "--set rlhf.strategy=truthful" "$fixed_dir/truth.csv"
fixed_known exaggerate "--set rlhf.strategy=exaggerate --set rlhf.exaggerate.alpha=0.5" "$fixed_dir/exaggerate.csv"

# a bad row: file:line, exit 2 on every rank, nothing written
printf '0.5,-0.5,0.5\n0.1,0.2\n' >"$fixed_dir/bad.csv"
$MPI -n 2 bin/stratsim run "$fixed_base" --set "rlhf.fixed.file=$fixed_dir/bad.csv" --out "$fixed_dir/bad" \
  >"$fixed_dir/bad.log" 2>&1
fixed_rc=$?
if [ "$fixed_rc" -eq 2 ] && grep -q "$fixed_dir/bad.csv:2: rlhf.fixed.file: expected d = 3 values" "$fixed_dir/bad.log" &&
  ! ls "$fixed_dir/bad"/*.csv >/dev/null 2>&1; then
  ok "rlhf fixed: a bad reports row is refused (file:line, exit 2, no results)"
else ko "rlhf fixed: bad reports file (exit $fixed_rc)" "$fixed_dir/bad.log"; fi
# the two known answers are different answers (the exaggeration moved the policies)
if [ -d "$fixed_dir/truthful-ref" ] && [ -d "$fixed_dir/exaggerate-ref" ] &&
  ! fixed_same_but_strategy "$fixed_dir/truthful-ref" "$fixed_dir/exaggerate-ref" >/dev/null 2>&1; then
  ok "rlhf fixed: the truthful and exaggerate answers differ (the checks can fail)"
else ko "rlhf fixed: truthful and exaggerate runs gave the same CSVs"; fi
