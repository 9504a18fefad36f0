# Sourced by tests/run_integration.sh: agreement inside the collectives (docs/errors.md).
# 1. The ranks of one bandit rollout group run the same batches: with K = 100, d = 10 on 3 ranks
#    in one group the ranks own 34, 33, 33 arms, from which each once sized its batch (711 or
#    728 rollouts) and the run hung (the batch size is now each group's minimum, agreed in the
#    reduction that ends the protocol's setup). Its CSV files must equal the 1-rank run's.
# 2. scripts/check_arch.py fails on an agreement call outside src/par and the driver (an
#    agreement-only verb in simulator code, ss_comm_agree in core), and on a config key read
#    that is not in the schema or has the wrong type (the getters' last resort stays
#    unreachable), each planted in a copy of the tree.
agree_batches() {
  local args=(tests/data/alloc_bandit.yaml --set bandit.K=100 --set bandit.d=10 --set bandit.T=20
              --set 'bandit.theta=[1,1,1,1,1,1,1,1,1,1]' --set bandit.rollout_groups=1 --quiet)
  rm -rf "$OUT/agree-b1" "$OUT/agree-b3"
  run agree-b1 $MPI -n 1 bin/stratsim run "${args[@]}" --out "$OUT/agree-b1" || return
  run agree-b3 timeout 120 $MPI -n 3 bin/stratsim run "${args[@]}" --out "$OUT/agree-b3" || return
  if same_csvs "$OUT/agree-b1" "$OUT/agree-b3" >"$OUT/agree-b.log"; then
    ok "agreement: one rollout group over 3 ranks with uneven arm counts runs the same batches (CSV files = 1 rank's)"
  else ko "agreement: one rollout group over 3 ranks differs from 1 rank" "$OUT/agree-b.log"; fi
}
agree_batches

agree_planted() {
  local kind=$1 d="$OUT/agree_tree"
  rm -rf "$d" && mkdir -p "$d" && cp -r src include scripts docs "$d"/
  case $kind in
    check) printf 'int ss_par_check(ss_comm *c, ss_err *e);\nstatic int f(ss_comm *c, ss_err *e) { return ss_par_check(c, e); }\n' >>"$d/src/rlhf/lp.c" ;;
    agree) printf 'static int f(ss_comm *c, ss_err *e) { return ss_comm_agree(c, e); }\n' >>"$d/src/core/timer.c" ;;
    phase) printf 'static int f(ss_comm *c, ss_err *e) { return ss_par_phase_end(c, e); }\n' >>"$d/src/bandit/fixed.c" ;;
    key) printf 'static long long f(const ss_config *c) { return ss_cfg_int(c, "bandit.no_such_key"); }\n' >>"$d/src/bandit/fixed.c" ;;
    type) printf 'static long long f(const ss_config *c) { return ss_cfg_int(c, "rlhf.lambda"); }\n' >>"$d/src/rlhf/lp.c" ;;
  esac
  ! (cd "$d" && python3 scripts/check_arch.py >"../agree_$kind.log" 2>&1)
}
for kind in check agree phase key type; do
  if agree_planted $kind; then ok "agreement: check_arch catches a planted '$kind' violation"
  else ko "agreement: check_arch missed a planted '$kind' violation" "$OUT/agree_$kind.log"; fi
done
rm -rf "$OUT/agree_tree"
