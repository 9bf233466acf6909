#!/usr/bin/env bash
# Runs the JMH micro-benchmarks in src/test/java (dev.aegis.bench and LineReaderBenchmark) with short defaults that
# suit a 2-core machine: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement. Prints JMH's output and its summary, and
# keeps the results as JSON in target/jmh-result.json.
#   bench/jmh.sh                          # everything (~3 minutes)
#   bench/jmh.sh Codec                    # benchmarks whose name matches a regex
#   bench/jmh.sh Pipeline -p guards=8     # extra JMH options after the regex (they override the defaults)
#   bench/jmh.sh -- -lp                   # only JMH options (here: list benchmarks and their parameters)
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$repo"

regex=""
if [ $# -gt 0 ] && [ "$1" = "--" ]; then
  shift
elif [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  regex="$1"
  shift
fi

# Maven's output only when it fails (its quiet mode still prints colour codes)
mvn_quiet() { local out; out="$(mvn -q -B "$@" 2>&1)" || { echo "$out" >&2; exit 1; }; }
echo "jmh: compiling main and test classes" >&2
mvn_quiet test-compile
cp_file="$repo/target/jmh-classpath.txt"
if [ ! -s "$cp_file" ] || [ "$repo/pom.xml" -nt "$cp_file" ]; then
  echo "jmh: resolving the test classpath" >&2
  mvn_quiet org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
fi
classpath="$repo/target/test-classes:$repo/target/classes:$(cat "$cp_file")"

# defaults, each left out when the caller gives the same option
defaults=(-f 1 -wi 3 -i 5 -w 1s -r 1s -rf json -rff "$repo/target/jmh-result.json")
args=()
i=0
while [ $i -lt ${#defaults[@]} ]; do
  opt="${defaults[$i]}" val="${defaults[$((i + 1))]}"
  given=false
  for a in "$@"; do [ "$a" = "$opt" ] && given=true; done
  $given || args+=("$opt" "$val")
  i=$((i + 2))
done

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/java}"
java_bin="${java_bin:-java}"
exec "$java_bin" -cp "$classpath" org.openjdk.jmh.Main ${regex:+"$regex"} "${args[@]}" "$@"
