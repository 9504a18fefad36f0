# Sourced by tests/run_integration.sh: memory estimates (issue 11). Each experiment's estimate
# (manifest.json memory.estimate_bytes, the largest over ranks) is checked against the measured
# peak (memory.peak_rss_bytes: the largest VmHWM over ranks, read by the binary; cross-checked
# with /usr/bin/time's maximum resident set size) on a small and a medium config on 2 ranks:
# the estimate must lie within a factor 2 of the measured peak (docs/reliability.md).
# Then configs that cannot fit are refused up front, naming the key, before any file is written.
mem_cfg="$OUT/memory-cfg"
mkdir -p "$mem_cfg"
cat >"$mem_cfg/bandit_medium.yaml" <<'YAML'
experiment: bandit
seeds: 1
bandit: {K: 400, d: 60, T: 300, theta_source: random, features: random, mechanism: optgtm, strategy: truthful}
YAML

# mem_check NAME CONFIG [--set k=v]...: run on 2 ranks, compare the estimate with the peaks
mem_check() {
  local name=$1 config=$2
  shift 2
  local dir="$OUT/memory-$name"
  run "memory-$name" /usr/bin/time -f "time_maxrss_kb=%M" $MPI -n 2 bin/stratsim run "$config" \
    --out "$dir" --quiet "$@" || return
  if /usr/bin/python3 - "$dir/manifest.json" "$OUT/memory-$name.log" "$name" >>"$OUT/memory-ratios.txt" \
      2>"$OUT/memory-$name.err" <<'PY'
import json, re, sys
m = json.load(open(sys.argv[1]))["memory"]
est, peak = m["estimate_bytes"], m["peak_rss_bytes"]
tm = [int(x) * 1024 for x in re.findall(r"time_maxrss_kb=(\d+)", open(sys.argv[2]).read())]
assert peak > 0 and est > 0, m
# /usr/bin/time sees the largest process of the tree (a rank or mpirun): not below a rank's VmHWM
assert tm and tm[0] >= 0.9 * peak, (tm, peak)
ratio = est / peak
print("%-16s estimate %7.1f MiB  measured %7.1f MiB  ratio %.2f" % (sys.argv[3], est / 2**20, peak / 2**20, ratio))
assert 0.5 <= ratio <= 2.0, "estimate %.3g vs measured %.3g: outside the factor 2" % (est, peak)
PY
  then ok "memory: $name estimate within a factor 2 of the measured peak RSS ($(tail -n 1 "$OUT/memory-ratios.txt" | awk '{print $NF}'))"
  else ko "memory: $name estimate vs measured peak" "$OUT/memory-$name.err"; fi
}
: >"$OUT/memory-ratios.txt"
mem_check facility-small configs/demo.yaml
mem_check facility-medium configs/demo.yaml --set facility.agents=100000 --set seeds=1 --set 'facility.mechanisms=[median]'
mem_check bandit-small configs/bandit/quick.yaml
mem_check bandit-medium "$mem_cfg/bandit_medium.yaml"
mem_check rlhf-small configs/rlhf/quick.yaml
mem_check rlhf-medium configs/rlhf/quick.yaml --set rlhf.k=20000 --set rlhf.n=10 --set seeds=1 \
  --set rlhf.strategy=exaggerate --set 'rlhf.algorithms=[naive_mle, median_mle]'

# mem_refuse NAME KEY CONFIG [args]...: exit 2 on both ranks, the message names KEY and the
# estimate, and no run directory is created
mem_refuse() {
  local name=$1 key=$2 config=$3
  shift 3
  local dir="$OUT/memory-refused-$name"
  timeout 60 $MPI -n 2 bin/stratsim run "$config" --out "$dir" --quiet "$@" >"$OUT/memory-refused-$name.log" 2>&1
  local rc=$?
  if [ $rc -eq 2 ] && [ ! -e "$dir" ] && grep -q "$key: estimated peak memory per rank" "$OUT/memory-refused-$name.log" &&
     grep -q "largest terms:" "$OUT/memory-refused-$name.log"; then
    ok "memory: $name refused up front (exit 2, names $key)"
  else ko "memory: $name not refused as expected (exit $rc)" "$OUT/memory-refused-$name.log"; fi
}
mem_refuse bandit-K1e5-d1000 bandit.K configs/bandit/quick.yaml --set bandit.K=100000 --set bandit.d=1000 \
  --set bandit.theta_source=random --set limits.memory_per_rank=64G
mem_refuse facility-1e9-agents facility.agents configs/demo.yaml --set facility.agents=1000000000
mem_refuse rlhf-1e9-labelers rlhf.k configs/rlhf/quick.yaml --set rlhf.k=1000000000
mem_refuse explicit-limit limits.memory_per_rank configs/demo.yaml --set limits.memory_per_rank=20MiB

# validate prints the estimate; a malformed limit is a config error naming the key
if bin/stratsim validate configs/demo.yaml >"$OUT/memory-validate.log" 2>&1 &&
   grep -q "estimated peak memory per rank on 1 rank: .*limit" "$OUT/memory-validate.log"; then
  bin/stratsim validate configs/demo.yaml --set limits.memory_per_rank=4X >"$OUT/memory-badlimit.log" 2>&1
  rc=$?
  if [ $rc -eq 2 ] && grep -q "limits.memory_per_rank: expected auto, none or a size" "$OUT/memory-badlimit.log"; then
    ok "memory: validate prints the estimate; a malformed limits.memory_per_rank is refused (exit 2)"
  else ko "memory: malformed limit (exit $rc)" "$OUT/memory-badlimit.log"; fi
else ko "memory: validate prints no estimate" "$OUT/memory-validate.log"; fi
# MDPs (issue 9): the distributed transitions, stored features and the replicated design
mem_check rlhf-mdp-small configs/rlhf/mdp_small.yaml
mem_check rlhf-mdp-medium configs/scaling/mdp_weak.yaml --set rlhf.env.states=100000
