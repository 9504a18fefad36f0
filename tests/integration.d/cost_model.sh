# Sourced by tests/run_integration.sh (issue 10): analysis/cost_model.py on a hand-made study
# with known answers (no cluster, no MPI run).
#   calibration, 2 ranks on 2 nodes: 8-byte allreduce 10 us, 2 MiB allreduce 20 us + 2 MiB x 1 ns
#     -> alpha = 10 us, beta = 1e-9 s/B;
#   phase p: 1.0 s on 1 rank; on 2 nodes x 1 rank 100 allreduces of 8 B and 10 ghost exchanges
#     of 10^7 B (kind neighbor) per rank, measured 0.6 s.
#   model at 2 ranks: 1.0/2 + 100 (a + 8 b) + 10 (1 a + 10^7 b) = 0.5 + 0.0010008 + 0.1001 = 0.6011008
#   projection at 16 nodes (HDR a = 1.5 us, b = 1/25e9): allreduce 100 x 4 (a + 8 b) = 6.00128e-4;
#     ghosts with A b = 40 (config.yaml): m = 10^7 g(16)/g(2), g(P) = (1 - exp(-40/P)) (P-1)/P,
#     10 x (15 a + m / 25e9); compute 1/16 = 0.0625.
cm=$OUT/costmodel
rm -rf "$cm"
mkdir -p "$cm/study/n1-r1-1" "$cm/study/n2-r2-1"
cat >"$cm/calib.csv" <<'CSV'
ranks,nodes,verb,kind,bytes,seconds
2,2,sum_i64,allreduce,8,0.00001
2,2,sum_i64,allreduce,2097152,0.002117152
CSV
cat >"$cm/study/n1-r1-1/manifest.json" <<'JSON'
{"wall_seconds": 1.1, "phases": {"p": {"max": 1.0}}, "communication": {}}
JSON
cat >"$cm/study/n2-r2-1/manifest.json" <<'JSON'
{"wall_seconds": 0.7, "phases": {"p": {"max": 0.6}}, "communication": {"p": {
 "sum_i64": {"kind": "allreduce", "calls_max": 100, "calls_total": 200, "bytes_max": 800, "bytes_total": 1600, "seconds_max": 0.01, "seconds_mean": 0.01},
 "vec_scatter": {"kind": "neighbor", "calls_max": 10, "calls_total": 20, "bytes_max": 100000000, "bytes_total": 200000000, "seconds_max": 0.001, "seconds_mean": 0.001}}}}
JSON
printf 'rlhf:\n  env:\n    actions: 10\n  mdp:\n    successors: 4\n' >"$cm/study/n2-r2-1/config.yaml"
if "${PYTHON:-/usr/bin/python3}" analysis/cost_model.py "$cm/calib.csv" "$cm/study" --out "$cm/out" >"$cm/log" 2>&1 &&
   "${PYTHON:-/usr/bin/python3}" - "$cm/out" >>"$cm/log" 2>&1 <<'PY'
import csv, math, sys
d = sys.argv[1]
chk = {(r["ranks"], r["phase"]): r for r in csv.DictReader(open(d + "/model_check.csv"))}
r = chk[("2", "p")]  # 4 significant digits in the CSV
assert abs(float(r["model_s"]) - 0.6011008) < 1e-4 and abs(float(r["model_comm_s"]) / 0.1011008 - 1) < 1e-3, r
a, b = 1.5e-6, 1 / 25e9
g = lambda p: (1 - math.exp(-40 / p)) * (p - 1) / p
want = 100 * 4 * (a + 8 * b) + 10 * (15 * a + 1e7 * g(16) / g(2) * b)
proj = {(r["study"], r["phase"], r["nodes"]): r for r in csv.DictReader(open(d + "/projection.csv"))}
row = proj[("study", "p", "16")]
assert abs(float(row["compute_s"]) - 0.0625) < 1e-9 and abs(float(row["comm_s"]) / want - 1) < 1e-3, (row, want)
assert any(r[0].startswith("bench:mdp") for r in proj), "large benchmarks missing"
PY
then ok "analysis/cost_model.py: known model and projection of a hand-made study (allreduce and ghost exchange)"
else ko "analysis/cost_model.py on a hand-made study" "$cm/log"; fi
