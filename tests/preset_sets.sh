# Sourced by tests/integration.d/roundtrip.sh and scripts/preset_checksums.sh: the list of
# configs whose results are pinned, and the size reductions under which the slow ones run.
# Running every preset in full would take many minutes on 2 cores, so the slow presets run with
# the reductions given by --set below. Fast presets run in full.

# Every preset, then every runnable config under tests/data (the bad inputs live in
# tests/data/bad/ and tests/data/bad_*.yaml).
preset_list() {
  local f
  for f in configs/*.yaml configs/*/*.yaml configs/rlhf/study/*.yaml tests/data/*.yaml; do
    case $f in tests/data/bad_*) continue ;; esac
    [ -f "$f" ] && echo "$f"
  done
}

# The --set reductions of a slow preset (empty: run in full).
roundtrip_sets() {
  case $1 in
  configs/bandit/paper_fig1.yaml) echo "--set seeds=1 --set bandit.T=2000 --set bandit.epochs=2" ;;
  configs/facility/agents.yaml) echo "--set seeds=1 --set facility.agents=1001" ;;
  configs/scaling/mdp_states.yaml) echo "--set rlhf.env.states=500" ;;
  # theory presets (cluster-sized): one seed, the swept size pinned to a small value
  configs/theory/*_small.yaml) ;;
  configs/theory/regret_rate.yaml) echo "--set seeds=1 --set bandit.T=1000" ;;
  configs/theory/regret_rate_K.yaml) echo "--set seeds=1 --set bandit.T=1000 --set bandit.epochs=2 --set bandit.K=2" ;;
  configs/theory/regret_rate_d.yaml) echo "--set seeds=1 --set bandit.T=1000 --set bandit.epochs=2 --set bandit.d=2" ;;
  configs/theory/ktimes*.yaml) echo "--set seeds=1 --set rlhf.k=3" ;;
  configs/theory/subopt_rate.yaml) echo "--set seeds=1 --set rlhf.k=3" ;;
  configs/theory/sp_rate_d*.yaml) echo "--set seeds=1 --set rlhf.d=2" ;;
  configs/theory/sp_rate*.yaml) echo "--set seeds=1 --set rlhf.n=25" ;;
  configs/theory/subopt_rate_n.yaml) echo "--set seeds=1 --set rlhf.data=exact" ;;
  configs/rlhf/table1.yaml | configs/rlhf/mdp_table.yaml | configs/rlhf/study/*.yaml)
    echo "--set seeds=1 --set rlhf.spsa.steps=2 --set rlhf.n=20" ;;
  esac
}

