#!/usr/bin/env bash
# The libFuzzer harnesses (tests/fuzz/fuzz_*.c), built by `make fuzz-build` into build/fuzz/bin.
#   tests/fuzz/run.sh smoke      replay the regression corpus (tests/fuzz/regress/<harness>/),
#                                then fuzz each harness for FUZZ_SMOKE_SECONDS (default 10)
#   tests/fuzz/run.sh fuzz [S]   fuzz each harness for S seconds (default 300), printing the
#                                executions, coverage and any crash (build/fuzz/artifacts/)
# Seeds: configs/, tests/data and tests/fuzz/seeds/config YAML files (config; tests/fuzz/seeds/data
# for the data readers),
# grown in build/fuzz/corpus/; the dictionary holds every schema key (bin/stratsim schema).
# A crash: fix it, then copy its artifact into tests/fuzz/regress/<harness>/ (a regression input).
set -u
cd "$(dirname "$0")/../.."
mode=${1:-smoke}
seconds=${2:-300}
[ "$mode" = smoke ] && seconds=${FUZZ_SMOKE_SECONDS:-10}
B=build/fuzz
mkdir -p "$B/corpus/config" "$B/corpus/data" "$B/artifacts"
# (fast unwinding: the harnesses never start MPI, so no Open MPI leak needs full stacks; 5x faster)
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=tests/lsan.supp

# the dictionary: schema keys (full paths and each path's last part), YAML tokens, values
dict="$B/config.dict"
{
  bin/stratsim schema --markdown | sed -n 's/^| `\([a-zA-Z0-9_.]*\)`.*/\1/p' | while read -r k; do
    printf '"%s"\n"%s:"\n' "$k" "${k##*.}"
  done
  for t in 'sweep:' 'experiment: rlhf' 'experiment: bandit' 'experiment: facility' '#--set' \
           '[' ']' '{' '}' ': ' '- ' '\x0a  ' '&a' '*a' '!!str' 'true' 'null' '1e308' '-0' 'nan' \
           '4294967296' '9223372036854775808' '[[1, 2], [3, 4]]'; do printf '"%s"\n' "$t"; done
} | sort -u >"$dict"
cp -n configs/*.yaml configs/*/*.yaml tests/data/*.yaml tests/fuzz/seeds/config/* "$B/corpus/config/" 2>/dev/null
cp -n tests/fuzz/seeds/data/* "$B/corpus/data/" 2>/dev/null

status=0
for h in config data; do
  bin_h="$B/bin/fuzz_$h"
  [ -x "$bin_h" ] || { echo "fuzz: $bin_h missing (make fuzz-build)"; exit 2; }
  regress=(tests/fuzz/regress/$h/*)
  if [ -e "${regress[0]}" ]; then
    if "$bin_h" "${regress[@]}" >"$B/replay-$h.log" 2>&1; then
      echo "fuzz $h: replayed ${#regress[@]} regression inputs: no crash"
    else echo "fuzz $h: a regression input crashes (see $B/replay-$h.log)"; tail -n 30 "$B/replay-$h.log"; status=1; fi
  fi
  extra=()
  [ $h = config ] && extra=(-dict="$dict" -max_len=8192)
  [ $h = data ] && extra=(-max_len=2048)
  "$bin_h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$B/artifacts/$h-" "${extra[@]}" "$B/corpus/$h" >"$B/fuzz-$h.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/fuzz-$h.log")
  cov=$(grep -o 'cov: [0-9]*' "$B/fuzz-$h.log" | tail -n 1)
  ft=$(grep -o 'ft: [0-9]*' "$B/fuzz-$h.log" | tail -n 1)
  corpus=$(ls "$B/corpus/$h" | wc -l)
  if [ $rc -eq 0 ]; then
    echo "fuzz $h: ${execs:-?} executions in ${seconds} s, ${cov:-cov: ?} edges, ${ft:-ft: ?} features, corpus $corpus: no crash"
  else
    echo "fuzz $h: CRASH after ${execs:-?} executions (exit $rc): $(ls -t "$B/artifacts" | head -n 1)"
    grep -E "ERROR|SUMMARY|runtime error|#[0-9] " "$B/fuzz-$h.log" | head -n 20
    status=1
  fi
done
exit $status
