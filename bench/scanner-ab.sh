#!/usr/bin/env bash
# Compares the scanner at an older revision with the working tree, in one JVM (dev.aegis.bench.ScannerAB): the ratio
# of neighbouring rounds stays steady on a VM whose speed drifts, where two separate JMH runs do not.
#   bench/scanner-ab.sh HEAD~3          # that revision against the working tree, 16 rounds (~40 s)
#   bench/scanner-ab.sh a7c3126 24      # more rounds
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$repo"
rev="${1:?usage: bench/scanner-ab.sh REVISION [ROUNDS]}"
rounds="${2:-16}"
work="$(mktemp -d)"
trap 'git -C "$repo" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mvn_quiet() { local out; out="$(mvn -q -B "$@" 2>&1)" || { echo "$out" >&2; exit 1; }; }
echo "scanner-ab: compiling the working tree" >&2
mvn_quiet test-compile
cp_file="$repo/target/jmh-classpath.txt"
if [ ! -s "$cp_file" ] || [ "$repo/pom.xml" -nt "$cp_file" ]; then
  mvn_quiet org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
fi
cp -r "$repo/target/classes" "$work/new"
echo "scanner-ab: compiling $rev" >&2
git worktree add -q --detach "$work/old" "$rev"
(cd "$work/old" && mvn_quiet -o compile)
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/java}"
"${java_bin:-java}" -cp "$repo/target/test-classes:$(cat "$cp_file")" dev.aegis.bench.ScannerAB \
  "$work/old/target/classes" "$work/new" "$rounds"
