# Shared set-up for bench/peers.sh and bench/stdio-ab.sh; sourced, not run. Defines:
#   bench_setup           installs the harness in $work, checks the jar, makes $tmp with a gateway config $cfg
#   add_target LABEL KIND TARGET   appends to the targets array and to $tmp/labels.tsv (KIND: --stdio or --http)
#   add_aegis_stdio       the gateway as it ships (bin/aegis), over stdio
#   add_variants          one more aegis target per entry of $VARIANTS (see below)
#   add_baseline          the bare Java proxies of dev.aegis.bench.BareProxy, one per mode in $BASELINE_MODES
#                         (default "raw jackson": bytes as they come; Jackson parse + write; "spin" also exists)
#   add_direct            server-everything itself over stdio (peers.sh gets it from the harness instead)
# VARIANTS: entries separated by ';', each a list of JVM options (-XX:...) and NAME=value environment settings for
# bin/aegis, e.g. 'AEGIS_JAR=/tmp/patched.jar' or '-XX:TieredStopAtLevel=4 -Xlog:gc:file=/tmp/gc.log'.
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
shared="${SHARED_BENCH:-$repo/../shared/bench}"
work="${BENCH_DIR:-/tmp/aegis-bench}"
everything="$work/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
targets=()
pids=()

say() { echo "bench: $*" >&2; }
# Maven's output only when it fails (its quiet mode still prints colour codes)
mvn_quiet() { local out; out="$(cd "$repo" && mvn -q -B "$@" 2>&1)" || { echo "$out" >&2; exit 1; }; }

bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}

bench_setup() {
  # the harness, installed outside the read-only shared folder
  [ -f "$shared/peers.sh" ] || { say "no harness at $shared (set SHARED_BENCH)"; exit 2; }
  if [ -d "$work/node_modules" ] && cmp -s "$shared/package-lock.json" "$work/package-lock.json"; then
    say "reusing the harness in $work"
  else
    say "installing the harness in $work (npm ci)"
    rm -rf "$work"
    mkdir -p "$work"
    cp "$shared/package.json" "$shared/package-lock.json" "$work/"
    chmod u+w "$work"/*
    (cd "$work" && npm ci --no-audit --no-fund --silent >/dev/null)
  fi
  for f in "$shared"/*.mjs "$shared"/peers.sh; do
    cp -f "$f" "$work/" && chmod u+w "$work/$(basename "$f")"
  done
  chmod +x "$work/peers.sh"

  jar="$repo/target/aegis.jar"
  if [ ! -f "$jar" ]; then
    say "building $jar"
    mvn_quiet package -DskipTests
  elif [ -n "$(find "$repo/src/main" -newer "$jar" -type f -print -quit)" ]; then
    say "note: $jar is older than src/main; rebuild with: mvn -q -B package -DskipTests"
  fi

  tmp="$(mktemp -d /tmp/aegis-bench-run.XXXXXX)"
  trap bench_cleanup EXIT
  mkdir -p "$tmp/home"
  : > "$tmp/labels.tsv"
  cfg="$tmp/aegis.yaml"
  # The sandbox is chosen explicitly (the default would run the server under strict): off, so that these numbers
  # compare with the direct target and with earlier runs; BENCH_SANDBOX=strict measures the sandboxed server
  # (its start-up cost: SandboxStartBench, docs/benchmarks.md).
  cat > "$cfg" <<EOF
servers:
  everything:
    command: node
    args: ["$everything", "stdio"]
    prefix: false
    sandbox: ${BENCH_SANDBOX:-false}
EOF
}

add_target() {
  targets+=("$2" "$3")
  printf '%s\t%s\n' "$1" "$3" >> "$tmp/labels.tsv"
}

# The harness starts stdio targets with a minimal environment (PATH, HOME, ...), so settings go on the command line;
# AEGIS_HOME keeps the exchange log of the run in $tmp/home.
add_aegis_stdio() {
  add_target "aegis stdio" --stdio "env AEGIS_HOME=$tmp/home $repo/bin/aegis gateway --config $cfg"
}

add_direct() {
  add_target "direct stdio" --stdio "node $everything stdio"
}

add_variants() {
  [ -n "${VARIANTS:-}" ] || return 0
  local i=0 v tok envs opts
  IFS=';' read -r -a variants <<< "$VARIANTS"
  for v in "${variants[@]}"; do
    i=$((i + 1))
    envs="AEGIS_HOME=$tmp/home" opts=()
    for tok in $v; do
      if [[ "$tok" =~ ^[A-Z_][A-Z0-9_]*= ]]; then envs="$envs $tok"; else opts+=("$tok"); fi
    done
    # JVM options travel in an @argfile: one word on the harness's command line
    if [ ${#opts[@]} -gt 0 ]; then
      printf '%s\n' "${opts[@]}" > "$tmp/jvm-$i.args"
      envs="$envs AEGIS_JAVA_OPTS=@$tmp/jvm-$i.args"
    fi
    add_target "aegis v$i" --stdio "env $envs $repo/bin/aegis gateway --config $cfg"
    say "variant v$i: bin/aegis with $v"
  done
}

add_baseline() {
  # BareProxy needs only Jackson: compiled on its own, so it works while the rest of the tree does not compile
  local cp_file="$repo/target/jmh-classpath.txt" classpath mode
  if [ ! -s "$cp_file" ] || [ "$repo/pom.xml" -nt "$cp_file" ]; then
    mvn_quiet org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
  fi
  classpath="$tmp/classes:$(cat "$cp_file")"
  javac -d "$tmp/classes" -cp "$classpath" "$repo/src/test/java/dev/aegis/bench/BareProxy.java"
  for mode in ${BASELINE_MODES:-raw jackson}; do
    # the JVM options of bin/aegis, so the difference to the gateway is the gateway's own work
    cat > "$tmp/bare-$mode" <<EOF
#!/bin/sh
exec java -XX:+UseSerialGC -Xms64m -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$classpath" \\
  dev.aegis.bench.BareProxy $mode node "$everything" stdio
EOF
    chmod +x "$tmp/bare-$mode"
    add_target "bare java $mode" --stdio "$tmp/bare-$mode"
  done
}
