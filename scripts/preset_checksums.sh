#!/usr/bin/env bash
# The SHA-256 of every CSV file of every preset and every runnable config under tests/data,
# each run on 1 rank with the reductions of tests/preset_sets.sh (results do not depend on the
# rank count: other tests check that).
#   scripts/preset_checksums.sh            print "sha256  config  csv" lines
#   scripts/preset_checksums.sh --check    compare with tests/data/checksums.txt; exit 1 on a change
#   scripts/preset_checksums.sh --record   write tests/data/checksums.txt (only when a change of
#                                          results is intended: say so in the commit)
# A change that should not change results (a refactor, a speed-up) must pass --check.
set -u
cd "$(dirname "$0")/.."
. tests/preset_sets.sh
mode=${1:-print}
case $mode in print | --check | --record) ;; *) echo "usage: $0 [--check|--record]" >&2; exit 2 ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stratsim-checksums.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out="$tmp/sums.txt"
: >"$out"
i=0
for cfg in $(preset_list); do
  i=$((i + 1))
  d="$tmp/run-$i"
  # shellcheck disable=SC2046
  if ! bin/stratsim run "$cfg" $(roundtrip_sets "$cfg") --out "$d" --quiet >"$tmp/log" 2>&1; then
    echo "preset_checksums: $cfg failed:" >&2
    tail -n 5 "$tmp/log" >&2
    exit 1
  fi
  for f in "$d"/*.csv; do
    echo "$(sha256sum <"$f" | cut -c1-64)  $cfg  $(basename "$f")" >>"$out"
  done
done
case $mode in
  print) cat "$out" ;;
  --record) cp "$out" tests/data/checksums.txt && echo "wrote tests/data/checksums.txt ($(wc -l <"$out") CSV files)" ;;
  --check)
    if diff tests/data/checksums.txt "$out" >"$tmp/diff"; then
      echo "preset checksums: $(wc -l <"$out") CSV files of $i configs byte-identical to tests/data/checksums.txt"
    else
      echo "preset checksums: CSV files differ from tests/data/checksums.txt (< recorded, > now):"
      cat "$tmp/diff"
      exit 1
    fi ;;
esac
