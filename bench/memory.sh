#!/usr/bin/env bash
# The shared memory's speed (dev.aegis.bench.MemoryBench): signed writes/s with 16 writers, then reads and searches
# with the store filled to 1,000,000 items, all on SQLite in a temporary folder (removed afterwards).
#   bench/memory.sh                                  # the full run (~5 minutes on 2 cores)
#   ITEMS=100000 bench/memory.sh                     # a quicker one
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$repo"
mvn -q -B test-compile >/dev/null
cp_file="$repo/target/jmh-classpath.txt"
if [ ! -s "$cp_file" ] || [ "$repo/pom.xml" -nt "$cp_file" ]; then
  mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
fi
exec java -Xmx2g -Ditems="${ITEMS:-1000000}" -Dwriters="${WRITERS:-16}" -Dseconds="${SECONDS_WRITES:-10}" \
  -cp "$repo/target/classes:$repo/target/test-classes:$(cat "$cp_file")" dev.aegis.bench.MemoryBench
