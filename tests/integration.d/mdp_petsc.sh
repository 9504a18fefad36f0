# Sourced by tests/run_integration.sh: explicit MDPs from PETSc binary files (issue 9, point 2).
# bin/petsc_write_mdp converts tests/data/mdp_explicit's CSV files with PETSc's own MatView (the
# independent writer); stratsim's reader (src/rlhf/mdp_read_petsc.c) must give CSV results
# byte-identical to the CSV input (transitions with each row's successors in MatView's order), for
# dense and AIJ features, on 1 and 3 ranks; and damaged binary files must be refused with the
# file and the row named, exit 2 on every rank.
PB="$OUT/mdp_petsc"
mkdir -p "$PB"
pb_run() { # pb_run LABEL NP TRANSITIONS FEATURES
  run "pb-$1" $MPI -n "$2" bin/stratsim run tests/data/mdp_explicit.yaml --set rlhf.mdp.transitions="$PWD/$3" \
    --set rlhf.env.file="$PWD/$4" --out "$PB/$1" --quiet
}
if run pb-convert bin/petsc_write_mdp 4 2 2 tests/data/mdp_explicit/transitions.csv tests/data/mdp_explicit/features.csv "$PB" &&
   pb_run csv 2 "$PB/transitions_sorted.csv" tests/data/mdp_explicit/features.csv &&
   pb_run dense-np1 1 "$PB/transitions.petsc" "$PB/features_dense.petsc" &&
   pb_run dense-np3 3 "$PB/transitions.petsc" "$PB/features_dense.petsc" &&
   pb_run aij-np3 3 "$PB/transitions.petsc" "$PB/features_aij.petsc"; then
  good=1
  for x in dense-np1 dense-np3 aij-np3; do
    same_csvs "$PB/csv" "$PB/$x" >>"$OUT/pb-$x.log" 2>&1 || { good=0; ko "mdp petsc: $x differs from the CSV input" "$OUT/pb-$x.log"; }
  done
  [ $good = 1 ] && ok "mdp petsc: PETSc binary transitions and features (dense, AIJ; written by MatView) give CSVs byte-identical to the CSV input on 1 and 3 ranks"
  # damaged copies: python rewrites bytes of the AIJ file (header 16 B, 8 row lengths, 14 columns, 14 values)
  /usr/bin/python3 - "$PB" <<'PY' || ko "mdp petsc: could not write the damaged files"
import struct, sys
d = sys.argv[1]
b = bytearray(open(d + "/transitions.petsc", "rb").read())
M, N, nz = struct.unpack(">iii", b[4:16])
vals = 16 + 4 * M + 4 * nz
cols = 16 + 4 * M
def put(name, data):
    open(d + "/" + name, "wb").write(data)
x = bytearray(b); x[vals:vals + 8] = struct.pack(">d", 0.75); put("bad_sum.petsc", x)           # row (0,0): 0.75 + 0.5
x = bytearray(b); x[vals:vals + 16] = struct.pack(">dd", -0.5, 1.5); put("bad_negative.petsc", x)
x = bytearray(b); x[cols:cols + 8] = struct.pack(">ii", 2, 1); put("bad_order.petsc", x)       # row (0,0): columns 2, 1
put("bad_truncated.petsc", b[:-8])
x = bytearray(b); x[16:20] = struct.pack(">i", 0); x[20:24] = struct.pack(">i", 4); put("bad_empty.petsc", x)  # row (0,0) empty
PY
  pb_bad() { # pb_bad LABEL FILE EXPECTED
    $MPI -n 2 bin/stratsim run tests/data/mdp_explicit.yaml --set rlhf.mdp.transitions="$PWD/$PB/$2" \
      --set rlhf.env.file="$PWD/$PB/features_dense.petsc" --out "$PB/out-$1" --quiet >"$PB/$1.log" 2>&1
    local rc=$?
    if [ $rc = 2 ] && grep -q "$2" "$PB/$1.log" && grep -q -- "$3" "$PB/$1.log" && [ ! -e "$PB/out-$1" ]; then
      ok "mdp petsc: $1 refused (exit 2, '$3', no run directory)"
    else ko "mdp petsc: $1: exit $rc" "$PB/$1.log"; fi
  }
  pb_bad "row sum" bad_sum.petsc "row (s=0, a=0) sums to 1.25"
  pb_bad "negative probability" bad_negative.petsc "probability -0.5 of row (s=0, a=0) is negative"
  pb_bad "columns out of order" bad_order.petsc "column 1 out of order"
  pb_bad "truncated file" bad_truncated.petsc "bytes, expected"
  pb_bad "empty row" bad_empty.petsc "row (s=0, a=0) has no transitions"
  $MPI -n 2 bin/stratsim run tests/data/mdp_explicit.yaml --set rlhf.env.states=5 --set rlhf.mdp.transitions="$PWD/$PB/transitions.petsc" \
    --set rlhf.env.file="$PWD/$PB/features_dense.petsc" --out "$PB/out-shape" --quiet >"$PB/shape.log" 2>&1
  rc=$?
  if [ $rc = 2 ] && grep -q "a 8 x 2 PETSc matrix, expected 10 x 2" "$PB/shape.log"; then ok "mdp petsc: wrong shape refused (exit 2)"
  else ko "mdp petsc: wrong shape: exit $rc" "$PB/shape.log"; fi
fi
