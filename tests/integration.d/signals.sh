# Sourced by tests/run_integration.sh: interrupted runs end cleanly (issue 7, point 7).
# Each experiment runs on 4 ranks with a task far longer than the test (minutes); once its
# manifest says "running" (and a moment more, so the signal lands inside a task), a signal is
# sent, and the run must: stop on every rank within seconds at a safe point inside the task
# (the manifest's reason names it: "at SPSA step 12 of 5000 in task 0 (point 0, seed 0)"),
# write "status": "interrupted" with the signal and tasks_done (or "checkpointed" when the loop
# saved an in-task state: an SPSA step, a bandit epoch; docs/checkpoint.md), and leave no CSV,
# no .tmp file and no lock.
#
# How the signal reaches the ranks (Open MPI 4.1, checked on this machine):
# - SIGUSR1 to mpirun is forwarded to every rank at once (ess_base_forward_signals); the ranks
#   exit 3 and so does mpirun.
# - SIGTERM or SIGINT to mpirun is not forwarded: mpirun sends SIGTERM to every rank about 1 s
#   later and SIGKILL 1 s after that (odls_base_sigkill_timeout, default 1; raising it delays
#   the SIGTERM too; these tests raise it to 3 s, see sig_case). stratsim's safe points come
#   every ~0.1 s, so it stops in time, records SIGTERM (even for a SIGINT to mpirun), and mpirun exits 1 (its own code, not the ranks').
# - Ctrl-C in a terminal hits only mpirun: Open MPI puts every rank in a process group of its
#   own, so the ranks see the SIGTERM above. SLURM (time limit, scancel, srun's Ctrl-C) signals
#   every task directly; that is tested by signalling the ranks (mpirun's children): SIGINT or
#   SIGTERM, exit 3 from every rank and from mpirun.

# sig_case LABEL SIGNAL HOW WANT_SIGNAL WANT_RC WANT_WHERE CONFIG [ARGS...]
# HOW: mpirun (signal mpirun) or ranks (signal every rank). WANT_WHERE: the safe point's name
# (a regular expression: the SPSA run's policy solves use the planner, whose passes are safe
# points too).
sig_case() {
  local label=$1 sig=$2 how=$3 want_sig=$4 want_rc=$5 want_where=$6 i ranks alive rc t0 t1
  shift 6
  local dir="$OUT/sig-$label" log="$OUT/sig-$label.log"
  # (mpirun's grace between its SIGTERM and SIGKILL raised from 1 s to 3 s: on 2 cores at load
  # 10-19, 4 ranks once did not reach a planner pass's safe point within 1 s in CI)
  OMPI_MCA_odls_base_sigkill_timeout=3 $MPI -n 4 bin/stratsim run "$@" --out "$dir" --quiet >"$log" 2>&1 &
  local mpi=$!
  for i in $(seq 300); do
    grep -q '"status": "running"' "$dir/manifest.json" 2>/dev/null && break
    sleep 0.1
  done
  sleep 2
  # $MPI may be mpirun itself or a wrapper whose child is mpirun (scripts/mpirun.sh); the ranks
  # are mpirun's children
  local launcher
  launcher=$(pgrep -P "$mpi" -x mpirun | head -1)
  ranks=$(pgrep -P "${launcher:-$mpi}" -x stratsim -d ' ')
  t0=$(date +%s.%N)
  if [ "$how" = mpirun ]; then kill -"$sig" "$mpi"; else kill -"$sig" $ranks; fi
  # every rank gone within 20 s (the uninterrupted runs take minutes)
  for i in $(seq 200); do
    alive=0
    for r in $ranks; do kill -0 "$r" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  t1=$(date +%s.%N)
  if [ $alive = 1 ]; then
    kill -KILL $ranks "$mpi" 2>/dev/null
    wait "$mpi"
    ko "signals $label: ranks still running 20 s after SIG$sig" "$log"
    return
  fi
  wait "$mpi"
  rc=$?
  if [ "$rc" != "$want_rc" ]; then ko "signals $label: exit code $rc, expected $want_rc" "$log"; return; fi
  if /usr/bin/python3 - "$dir" "$want_sig" "$want_where" >"$OUT/sig-$label.check" 2>&1 <<'PY'
import json, os, re, sys
d, sig, where = sys.argv[1:]
m = json.load(open(os.path.join(d, "manifest.json")))
# "checkpointed": the loop saved an in-task state (an SPSA step, a bandit epoch; checkpoint.md)
assert m["status"] in ("interrupted", "checkpointed"), m["status"]
# (a checkpoint holds every finished task: a fast first task may end before the signal, session 6)
assert m["status"] == "interrupted" or m["tasks_checkpointed"] == m["tasks_done"], m
assert m["signal"] == sig, m["signal"]
assert isinstance(m["tasks_done"], int) and 0 <= m["tasks_done"] < m["tasks"], (m["tasks_done"], m["tasks"])
assert re.match("interrupted by " + sig + " at (" + where + ") [0-9]+ of [0-9]+", m["reason"]), m["reason"]
assert " in task " in m["reason"], m["reason"]
left = sorted(f for f in os.listdir(d) if f.endswith(".csv") or ".tmp" in f or f == ".stratsim.lock")
assert not left, left
ckpt = ["checkpoint.bin"] if m["status"] == "checkpointed" else []
assert sorted(os.listdir(d)) == sorted(["config.yaml", "manifest.json"] + ckpt), os.listdir(d)
PY
  then
    grep -q "stratsim: interrupted by $want_sig" "$log" || { ko "signals $label: no message on stderr" "$log"; return; }
    ok "signals $label: SIG$sig to $how: every rank stopped in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s, exit $rc, manifest \"$(sed -n 's/^  "status": "\(.*\)",$/\1/p' "$dir/manifest.json")\" ($(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reason"])' "$dir/manifest.json")), no CSV/tmp/lock"
  else ko "signals $label: manifest or files" "$OUT/sig-$label.check"; fi
}

# Long tasks: 10^6 agents' best-response dynamics (minutes per task); a bandit horizon of
# 2*10^6 rounds; 50000 SPSA steps (a task of 2*10^5 rounds, or 5000 steps, once ended within the 2 s
# before the signal in CI); planner passes over a 10^4-state MDP (H = 10).
sig_facility=(configs/facility/agents.yaml --set seeds=2 --set facility.agents=1000001 --set facility.mechanisms=[mean])
sig_bandit=(configs/bandit/quick.yaml --set bandit.T=2000000 --set seeds=1)
sig_rlhf=(configs/rlhf/quick.yaml --set seeds=1 --set rlhf.n=100 --set rlhf.spsa.steps=50000)
sig_mdp=(configs/scaling/mdp_states.yaml --set rlhf.env.states=10000 --set seeds=3)

sig_case facility-term TERM mpirun SIGTERM 1 "best-response round" "${sig_facility[@]}"
sig_case facility-int INT ranks SIGINT 3 "best-response round" "${sig_facility[@]}"
sig_case facility-hup HUP ranks SIGHUP 3 "best-response round" "${sig_facility[@]}"
sig_case bandit-term TERM mpirun SIGTERM 1 "bandit round|bandit epoch" "${sig_bandit[@]}"
sig_case bandit-int INT ranks SIGINT 3 "bandit round|bandit epoch" "${sig_bandit[@]}"
sig_case rlhf-term TERM mpirun SIGTERM 1 "SPSA step|planner pass" "${sig_rlhf[@]}"
sig_case rlhf-int INT ranks SIGINT 3 "SPSA step|planner pass" "${sig_rlhf[@]}"
sig_case mdp-term TERM ranks SIGTERM 3 "planner pass" "${sig_mdp[@]}"
sig_case mdp-int INT mpirun SIGTERM 1 "planner pass" "${sig_mdp[@]}"
sig_case bandit-usr1 USR1 mpirun SIGUSR1 3 "bandit round|bandit epoch" "${sig_bandit[@]}"
sig_case rlhf-usr1 USR1 mpirun SIGUSR1 3 "SPSA step|planner pass" "${sig_rlhf[@]}"
# a bandit epoch boundary: short rollouts (T = 2000), many epochs
sig_case bandit-epoch-usr1 USR1 mpirun SIGUSR1 3 "bandit round|bandit epoch" configs/bandit/quick.yaml --set bandit.epochs=100000 --set seeds=1
