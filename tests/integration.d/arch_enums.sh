# Sourced by tests/run_integration.sh: the enumerations of the configs come from the registry
# (issue 8). A mistyped value of an enumeration-family key is refused before anything runs, on
# 2 ranks: exit 2, exactly one "stratsim: error:" line naming file:line:col and the key, the
# registry's names as the choices, the nearest name suggested, and no run directory written.
# Then the schema's choices of each such key are the registry's names (stratsim schema).
ENUMS=$OUT/arch-enums
rm -rf "$ENUMS"
mkdir -p "$ENUMS"

# enum_case NAME YAML WANT...: the config (one file) fails as described; WANT are substrings
enum_case() {
  local name=$1 yaml=$2 rc n why=
  shift 2
  printf '%s\n' "$yaml" >"$ENUMS/$name.yaml"
  timeout 60 $MPI -n 2 bin/stratsim run "$ENUMS/$name.yaml" --out "$ENUMS/$name.out" --quiet \
    >"$ENUMS/$name.stdout" 2>"$ENUMS/$name.err" </dev/null
  rc=$?
  n=$(grep -c '^stratsim: error:' "$ENUMS/$name.err")
  [ "$rc" -eq 124 ] && why="$why; timed out (a rank hung)"
  [ "$rc" -ne 2 ] && why="$why; exit $rc, want 2"
  [ "$n" -ne 1 ] && why="$why; $n 'stratsim: error:' lines, want 1"
  [ -e "$ENUMS/$name.out" ] && why="$why; a run directory was written"
  local w
  for w in "$@"; do grep -qF -- "$w" "$ENUMS/$name.err" || why="$why; message lacks: $w"; done
  if [ -z "$why" ]; then ok "enumeration $name: refused before anything ran, one message: $(sed -n 's/^stratsim: error: [^ ]*arch-enums.//p' "$ENUMS/$name.err" | head -c 150) (exit 2, 2 ranks)"
  else ko "enumeration $name:${why#;}" "$ENUMS/$name.err"; fi
}

enum_case rlhf-env-model $'experiment: rlhf\nrlhf:\n  env:\n    model: mpd' \
  "arch-enums/rlhf-env-model.yaml:4:12: rlhf.env.model: expected one of auto|contextual|mdp" "did you mean 'mdp'?"
enum_case rlhf-population $'experiment: rlhf\nrlhf:\n  population: {model: cluster}' \
  "rlhf-population.yaml:3:23: rlhf.population.model: expected one of gaussian|clusters|explicit|ktimes" \
  "did you mean 'clusters'?"
enum_case bandit-contexts $'experiment: bandit\nbandit:\n  contexts: idd' \
  "bandit-contexts.yaml:3:13: bandit.contexts: expected one of shared|iid" "did you mean 'iid'?"
enum_case bandit-theta-source $'experiment: bandit\nbandit:\n  theta_source: randon' \
  "bandit-theta-source.yaml:3:17: bandit.theta_source: expected one of given|random" "did you mean 'random'?"
enum_case facility-median $'experiment: facility\nfacility:\n  median: uper' \
  "facility-median.yaml:3:11: facility.median: expected one of lower|upper|mean" "did you mean 'upper'?"
enum_case experiment $'experiment: rlfh' \
  "experiment.yaml:1:13: experiment: expected one of facility|rlhf|bandit" "did you mean 'rlhf'?"
# a registered name that its plug-in refuses (the SOCP set is not implemented): still exit 2
enum_case momle-socp $'experiment: rlhf\nrlhf:\n  momle: {set: socp}' \
  "momle-socp.yaml:3:16: rlhf.momle.set: expected box, found socp"

# the schema lists the registry's names for every enumeration key (docs/config.md is made
# from the same schema; a unit test keeps it in step)
if bin/stratsim schema --markdown >"$ENUMS/schema.md" 2>"$ENUMS/schema.err"; then
  why=
  for row in 'rlhf.env.model`|auto|contextual|mdp' 'rlhf.population.model`|gaussian|clusters|explicit|ktimes' \
             'rlhf.median`|lower|upper|mean' 'facility.median`|lower|upper|mean' 'bandit.radius`|authors|abbasi|fixed' \
             'bandit.contexts`|shared|iid' 'bandit.theta_source`|given|random' 'rlhf.data`|comparisons|exact' \
             'rlhf.mdp.features`|store|regenerate' 'rlhf.population.norm`|ball|sphere' 'rlhf.momle.set`|box|socp' \
             'experiment`|facility|rlhf|bandit'; do
    key=${row%%\`*} want=${row#*\`|}
    line=$(grep -F "| \`$key\` |" "$ENUMS/schema.md" | head -n 1)
    case $line in *"${want//|/\\|}"* | *"$want"*) ;; *) why="$why; $key: '$want' not in: $line" ;; esac
  done
  if [ -z "$why" ]; then ok "enumerations: the schema's choices of 12 enumeration keys are the registry's names"
  else ko "enumerations: schema choices:${why#;}"; fi
else ko "enumerations: stratsim schema --markdown failed" "$ENUMS/schema.err"; fi
