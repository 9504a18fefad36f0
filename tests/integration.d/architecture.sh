# Sourced by tests/run_integration.sh: the layering of docs/architecture.md holds
# (scripts/check_arch.py: includes go down the layers, MPI only in src/par, no function over 80
# lines, no new circle between object files), every public header compiles on its own, and the
# check itself catches each kind of violation, planted in a copy of the tree.
if python3 scripts/check_arch.py --objects >"$OUT/arch.log" 2>&1; then
  ok "architecture: $(tail -n 1 "$OUT/arch.log")"
else
  ko "architecture: scripts/check_arch.py --objects" "$OUT/arch.log"
fi

arch_headers() {
  local h bad=0
  for h in include/stratsim/*.h; do
    echo "#include \"stratsim/$(basename "$h")\"" >"$OUT/arch_header.c"
    if ! mpicc -Iinclude -Ibuild/gen -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
      $(pkg-config --cflags PETSc 2>/dev/null || echo -I/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real/include) \
      -fsyntax-only "$OUT/arch_header.c" >>"$OUT/arch_headers.log" 2>&1; then
      echo "not self-contained: $h" >>"$OUT/arch_headers.log"
      bad=1
    fi
  done
  return $bad
}
: >"$OUT/arch_headers.log"
if arch_headers; then ok "architecture: every include/stratsim header compiles on its own"
else ko "architecture: a public header does not compile on its own" "$OUT/arch_headers.log"; fi

# plant one violation of each kind in a copy of src/, include/ and scripts/: each must fail
arch_planted() {
  local kind=$1 d="$OUT/arch_tree"
  rm -rf "$d" && mkdir -p "$d" && cp -r src include scripts "$d"/
  case $kind in
    upward) echo '#include "stratsim/rlhf.h"' >>"$d/src/util/rng.c" ;;
    family) echo '#include "stratsim/bandit.h"' >>"$d/src/rlhf/lp.c" ;;
    mpi) printf 'static void f(void) { MPI_Barrier(0); }\n' >>"$d/src/rlhf/lp.c" ;;
    long) { echo 'static int long_one(void) {'; for i in $(seq 85); do echo "  int v$i = $i;"; done; echo '  return 0; }'; } >>"$d/src/core/timer.c" ;;
  esac
  ! (cd "$d" && python3 scripts/check_arch.py >"../arch_$kind.log" 2>&1)
}
for kind in upward family mpi long; do
  if arch_planted $kind; then ok "architecture: a planted '$kind' violation is caught"
  else ko "architecture: a planted '$kind' violation was not caught" "$OUT/arch_$kind.log"; fi
done
rm -rf "$OUT/arch_tree"
