#!/usr/bin/env bash
# Installs the Debian packages stratsim needs, only those that are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Usage: scripts/install-deps.sh [--slurm | --bench]   (--slurm adds the test dependencies: slurm-wlm
# and munge for the SLURM tests, time for the memory checks, clang (libFuzzer) for the fuzz
# harnesses; --bench adds python3-sklearn and python3-scipy for bench/compare.sh)
set -eu
pkgs="build-essential pkg-config openmpi-bin libopenmpi-dev petsc-dev libyaml-dev libcunit1-dev python3-numpy python3-matplotlib"
[ "${1:-}" = "--slurm" ] && pkgs="$pkgs slurm-wlm munge time clang"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs python3-sklearn python3-scipy"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
  echo "stratsim: missing Debian packages:$missing" >&2
  echo "stratsim: run as root:  apt-get update && $cmd" >&2
  exit 1
fi
echo "stratsim: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$cmd
