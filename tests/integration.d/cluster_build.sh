# Sourced by tests/run_integration.sh (issue 10: a build and docs that work on a cluster).

# --- every config that a doc or a script names exists -------------------------------------
named_missing=
for f in $(grep -rhoE "configs/[A-Za-z0-9_/.-]+\.yaml" README.md docs jobs scripts analysis bench Makefile 2>/dev/null | sort -u); do
  [ -e "$f" ] || named_missing="$named_missing $f"
done
if [ -z "$named_missing" ]; then ok "every config named in README, docs/, jobs/, scripts/, analysis/, bench/ exists"
else echo "missing:$named_missing" >"$OUT/configs-named.log"; ko "configs named but missing:$named_missing" "$OUT/configs-named.log"; fi

# --- make build needs no CUnit and builds no test binary; PETSc from PETSC_DIR -----------------
# A dry run (-n) of a fresh tree: what `make build` would compile and link.
if make -n -B BUILD="$OUT/mk" BIN="$OUT/mk/bin" build >"$OUT/make-build.log" 2>&1 &&
   ! grep -qE "tests/unit|test_unit|cunit|install-deps" "$OUT/make-build.log" &&
   grep -q "$OUT/mk/bin/stratsim" "$OUT/make-build.log"; then
  ok "make build compiles bin/stratsim without CUnit, test binaries or the dependency script"
else ko "make build pulls in tests, CUnit or the dependency script" "$OUT/make-build.log"; fi
# (run for real, the shell tracing each command: with DEPS=1 the trace shows the script)
if make --no-print-directory .SHELLFLAGS=-xc DEPS=0 deps deps-test >"$OUT/make-deps0.log" 2>&1 &&
   grep -q "0 = 0" "$OUT/make-deps0.log" && ! grep -q "install-deps" "$OUT/make-deps0.log"; then
  ok "make test DEPS=0 skips scripts/install-deps.sh"
else ko "make test DEPS=0 still runs the dependency script" "$OUT/make-deps0.log"; fi
petsc_prefix=$(pkg-config --variable=prefix petsc 2>/dev/null)
if [ -n "$petsc_prefix" ] && [ -r "$petsc_prefix/lib/petsc/conf/petscvariables" ]; then
  want=$(PETSC_DIR=$petsc_prefix scripts/petsc-var.sh PETSC_WITH_EXTERNAL_LIB)
  if make -n -B PETSC_DIR="$petsc_prefix" PETSC_ARCH= BUILD="$OUT/mk" BIN="$OUT/mk/bin" "$OUT/mk/bin/stratsim" \
       >"$OUT/make-petsc.log" 2>&1 && [ -n "$want" ] && grep -qF -- "$want" "$OUT/make-petsc.log"; then
    ok "PETSC_DIR=$petsc_prefix links with PETSc's own PETSC_WITH_EXTERNAL_LIB"
  else ko "PETSC_DIR link line is not PETSc's PETSC_WITH_EXTERNAL_LIB" "$OUT/make-petsc.log"; fi
fi

# --- analysis/scaling.py: numbers from a known tidy CSV; a clear message without matplotlib ---
mkdir -p "$OUT/scalingpy"
cat >"$OUT/scalingpy/scaling.csv" <<'CSV'
study,mode,config,nodes,ranks,ranks_per_node,oversubscribed,repeat,size_key,size,phase,seconds,comm_calls,comm_bytes,comm_seconds
s,strong,c.yaml,1,1,1,0,1,,,total,8.0,0,0,0.0
s,strong,c.yaml,1,1,1,0,2,,,total,10.0,0,0,0.0
s,strong,c.yaml,1,1,1,0,3,,,total,9.0,0,0,0.0
s,strong,c.yaml,2,4,2,0,1,,,total,3.0,10,80,1.5
s,strong,c.yaml,2,4,2,0,2,,,total,2.5,10,80,1.0
CSV
# median t1 = 9, median t4 = 2.75: speedup 9/2.75 = 3.27273, efficiency 0.818182, best 2.5, MPI share 1.25/2.75
if "${PYTHON:-/usr/bin/python3}" analysis/scaling.py "$OUT/scalingpy/scaling.csv" --no-plot >"$OUT/scalingpy.log" 2>&1 &&
   grep -q "^s,strong,2,4,2,0,,total,2,2.75,2.5,3.27273,0.818182,1.25,0.454545,10,80$" "$OUT/scalingpy/scaling_summary.csv"; then
  ok "analysis/scaling.py: median, best, speedup, efficiency and MPI share of a known study"
else ko "analysis/scaling.py summary" "$OUT/scalingpy.log"; fi
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  if "${PYTHON:-/usr/bin/python3}" analysis/scaling.py "$OUT/scalingpy/scaling.csv" >>"$OUT/scalingpy.log" 2>&1 &&
     [ -s "$OUT/scalingpy/scaling.png" ] && [ -s "$OUT/scalingpy/scaling_phases.png" ]; then
    ok "analysis/scaling.py draws scaling.png and scaling_phases.png"
  else ko "analysis/scaling.py plots" "$OUT/scalingpy.log"; fi
fi
# An interpreter without matplotlib (python3 -S skips site-packages, where Debian puts it).
if PYTHON="/usr/bin/python3 -S" sh -c '$PYTHON analysis/scaling.py "$1"' _ "$OUT/scalingpy/scaling.csv" \
     >"$OUT/scalingpy-nompl.log" 2>&1; then
  ko "analysis/scaling.py without matplotlib should fail" "$OUT/scalingpy-nompl.log"
elif grep -q "need matplotlib.*--no-plot" "$OUT/scalingpy-nompl.log"; then
  ok "analysis/scaling.py without matplotlib says what is missing and how to do without"
else ko "analysis/scaling.py without matplotlib: unclear message" "$OUT/scalingpy-nompl.log"; fi

# --- communication accounting: -log_view prints the table; the manifest has the counts --------
if run comm-logview $MPI -n 2 bin/stratsim run tests/data/facility_ranks.yaml --out "$OUT/comm" --quiet -log_view &&
   grep -q "^stratsim communication per phase and verb (2 ranks" "$OUT/comm-logview.log" &&
   grep -qE "^facility_dynamics +(sum_i64|max_i64|min_i64|sum_xsum)" "$OUT/comm-logview.log"; then
  ok "-log_view prints the communication per phase and verb"
else ko "-log_view communication table" "$OUT/comm-logview.log"; fi
# Independent evidence: config broadcast = the config file's bytes (ss_comm_bcast_buffer); on
# 1 rank nothing is counted; the node list is this host with 2 ranks.
if /usr/bin/python3 - "$OUT/comm/manifest.json" tests/data/facility_ranks.yaml "$(hostname)" >"$OUT/comm-manifest.log" 2>&1 <<'PY'
import json, os, sys
m = json.load(open(sys.argv[1]))
c = m["communication"]
bcast = c["other"]["bcast"]
assert bcast["bytes_max"] >= os.path.getsize(sys.argv[2]), bcast
assert all(v["calls_max"] > 0 and v["seconds_max"] >= v["seconds_mean"] >= 0 for p in c.values() for v in p.values()), c
assert m["nodes"] == [sys.argv[3]] and m["ranks_per_node"] == [2], (m["nodes"], m["ranks_per_node"])
PY
then ok "manifest communication counts: config broadcast >= file size, node list = this host x 2"
else ko "manifest communication/nodes" "$OUT/comm-manifest.log"; fi
if run comm-1rank $MPI -n 1 bin/stratsim run tests/data/facility_ranks.yaml --out "$OUT/comm1" --quiet &&
   grep -q '"communication": {}' "$OUT/comm1/manifest.json"; then
  ok "1 rank: no communication counted"
else ko "1 rank counts communication" "$OUT/comm1/manifest.json"; fi
