#!/usr/bin/env bash
# Runs patchelf's own test suite, through its own `make check`, with
# `xpkgs patchelf` in the place of the patchelf binary its tests call.
#   scripts/patchelf-suite.sh TARBALL WORKDIR
# TARBALL is Debian's patchelf_0.14.3.orig.tar.gz; WORKDIR must be empty or
# absent. Needs autoconf, automake and a C compiler. Prints the suite's
# summary, then one line a test: PASS/FAIL/SKIP/XFAIL/ERROR, and how many
# times it called patchelf (the log is WORKDIR/calls.log). The exit status
# is make check's.
set -euo pipefail
tarball=$(realpath "$1")
work=$(realpath -m "$2")
here=$(cd "$(dirname "$0")/.." && pwd)
main="$here/dist/cli/main.js"
node=$(command -v node)
[[ -f $main ]] || { echo "patchelf-suite: $main is missing; run 'npm run build' first" >&2; exit 2; }
mkdir -p "$work"
tar -xzf "$tarball" -C "$work"
src=$(echo "$work"/patchelf-*/)
cd "$src"
autoreconf -fi >/dev/null 2>&1
./configure -q >/dev/null
mkdir -p src
cc -O2 -Wall -o src/patchelf -DNODE="\"$node\"" -DMAIN="\"$main\"" "$here/test/patchelf-suite/wrapper.c"
: >"$work/calls.log"
status=0
XPKGS_PATCHELF_LOG="$work/calls.log" make -C tests check -j"${JOBS:-2}" >"$work/make-check.log" 2>&1 || status=$?
sed -n '/^# TOTAL/,/^# ERROR/p' tests/test-suite.log 2>/dev/null || true
for t in tests/*.trs; do
  name=$(basename "$t" .sh.trs)
  result=$(sed -n 's/^:test-result: //p' "$t")
  calls=$(grep -cx "$name.sh" "$work/calls.log" || true)
  echo "$result $name $calls"
done | sort -k2
exit $status
