#!/usr/bin/env node
// Judges a conformance run against a baseline. Used by run.sh; not meant to be called directly.
//
//   node evaluate.mjs RESULTS_DIR BASELINE_FILE SCENARIO...
//
// RESULTS_DIR holds the CLI's per-scenario result folders (server-<scenario>-<timestamp>/checks.json).
// A scenario passes when none of its checks has status FAILURE (SUCCESS/WARNING/INFO/SKIPPED are fine).
// A scenario with no checks.json (it threw inside the CLI, or the run hit its time limit) counts as
// failed; the reason is taken from CONFORMANCE_LOG (the CLI output) when it is there.
//
// Baseline file: one entry a line, "<scenario> <reason...>" or "<scenario>:<check-id> <reason...>".
// Blank lines and lines starting with '#' are ignored. Every entry needs a reason.
//   - whole-scenario entry: the scenario is expected to fail; it is reported XFAIL and left out of
//     the "N passed, N failed" count. If it passes it is reported XPASS (stale entry).
//   - per-check entry: that check may fail (scenario still counted, as PASS if nothing else failed).
//     If that check now succeeds, the entry is reported STALE.
// CHECK_BASELINE_ONLY=1: only validate the baseline file (exit 2 if malformed) and stop.
// Exit: 0 = no unexpected failure and no stale entry (or STALE_OK=1), 1 = otherwise, 2 = bad input.
//
// Prints one line per scenario, then a final line exactly "N passed, N failed".

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [resultsDir, baselineFile, ...scenarios] = process.argv.slice(2);
const staleOk = process.env.STALE_OK === '1';
if (!resultsDir || !baselineFile || scenarios.length === 0) {
  console.error('usage: evaluate.mjs RESULTS_DIR BASELINE_FILE SCENARIO...');
  process.exit(2);
}

// ---- baseline
const wholesale = new Map(); // scenario -> reason
const perCheck = new Map(); // scenario -> Map(checkId -> reason)
if (existsSync(baselineFile)) {
  const lines = readFileSync(baselineFile, 'utf8').split('\n');
  let bad = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(\S+)\s+(\S.*)$/.exec(line);
    if (!m) {
      console.error(`${baselineFile}:${i + 1}: entry without a reason: ${line}`);
      bad = true;
      return;
    }
    const [, key, reason] = m;
    const colon = key.indexOf(':');
    if (colon < 0) {
      wholesale.set(key, reason);
    } else {
      const sc = key.slice(0, colon);
      if (!perCheck.has(sc)) perCheck.set(sc, new Map());
      perCheck.get(sc).set(key.slice(colon + 1), reason);
    }
  });
  for (const sc of perCheck.keys()) {
    if (wholesale.has(sc)) {
      console.error(`${baselineFile}: ${sc} is listed both wholesale and per check`);
      bad = true;
    }
  }
  for (const sc of [...wholesale.keys(), ...perCheck.keys()]) {
    if (process.env.PARTIAL_RUN !== '1' && !scenarios.includes(sc)) console.log(`NOTICE baseline entry for a scenario that was not run: ${sc}`);
  }
  if (bad) process.exit(2);
} else {
  console.error(`baseline file not found: ${baselineFile}`);
  process.exit(2);
}

if (process.env.CHECK_BASELINE_ONLY === '1') process.exit(0);

// ---- results: newest result folder per scenario
const dirs = existsSync(resultsDir) ? readdirSync(resultsDir) : [];
function checksFor(scenario) {
  const prefix = `server-${scenario}-`;
  // Timestamp suffix is ISO-like (YYYY-...), so guard against scenario names that prefix others.
  const mine = dirs.filter((d) => d.startsWith(prefix) && /^\d{4}-/.test(d.slice(prefix.length))).sort();
  const last = mine.at(-1);
  if (!last || !existsSync(join(resultsDir, last, 'checks.json'))) return null;
  try {
    return JSON.parse(readFileSync(join(resultsDir, last, 'checks.json'), 'utf8'));
  } catch {
    return null;
  }
}

// Scenarios that threw inside the CLI leave no checks.json; the CLI logs
// "Failed to run scenario <name>: <error>" instead. Pick that message up when present.
const logFile = process.env.CONFORMANCE_LOG;
const crashMessages = new Map();
if (logFile && existsSync(logFile)) {
  for (const m of readFileSync(logFile, 'utf8').matchAll(/^Failed to run scenario (\S+): (.*)$/gm)) {
    crashMessages.set(m[1], m[2].trim());
  }
}

let passed = 0;
let failed = 0;
let unexpected = 0;
let stale = 0;
let xfail = 0;
const summary = [];
const out = (s) => {
  summary.push(s);
  console.log(s);
};

for (const sc of scenarios) {
  const checks = checksFor(sc);
  const failing = checks ? checks.filter((c) => c.status === 'FAILURE') : null;
  const failIds = failing ? [...new Set(failing.map((c) => c.id))] : ['<no result>'];
  const scenarioFailed = !checks || failing.length > 0;

  if (wholesale.has(sc)) {
    if (scenarioFailed) {
      xfail++;
      out(`XFAIL ${sc} (baselined: ${wholesale.get(sc)})`);
    } else {
      stale++;
      out(`XPASS ${sc} (in baseline but passed: remove the entry)`);
    }
    continue;
  }

  const allowed = perCheck.get(sc) ?? new Map();
  const unexcused = failIds.filter((id) => !allowed.has(id));
  for (const [id] of allowed) {
    const occurrences = checks ? checks.filter((c) => c.id === id) : [];
    if (occurrences.length > 0 && occurrences.every((c) => c.status === 'SUCCESS')) {
      stale++;
      out(`STALE ${sc}:${id} (in baseline but succeeded: remove the entry)`);
    }
  }
  if (unexcused.length === 0) {
    passed++;
    const excused = failIds.filter((id) => allowed.has(id));
    const notes = [];
    if (excused.length) notes.push(`baselined checks failed: ${excused.join(', ')}`);
    if (!checks.some((c) => c.status === 'SUCCESS')) notes.push('vacuous: no check succeeded, all skipped/info/warning');
    out(`PASS  ${sc}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  } else {
    failed++;
    unexpected++;
    const msgs = (failing ?? [])
      .filter((c) => unexcused.includes(c.id))
      .map((c) => `${c.id}: ${(c.errorMessage ?? '').replace(/\s+/g, ' ').slice(0, 160)}`);
    const why = crashMessages.has(sc)
      ? `scenario aborted: ${crashMessages.get(sc).slice(0, 160)}`
      : 'no result: scenario did not complete';
    out(`FAIL  ${sc} (${checks ? msgs.join(' | ') : why})`);
  }
}

if (stale > 0) {
  out(`NOTICE ${stale} baseline entr${stale === 1 ? 'y' : 'ies'} no longer fail${staleOk ? ' (STALE_OK=1: not an error)' : ': update the baseline'}`);
}
out(`baseline: ${xfail} expected failure(s) of ${wholesale.size} whole-scenario entr${wholesale.size === 1 ? 'y' : 'ies'}`);
out(`${passed} passed, ${failed} failed`);
writeFileSync(join(resultsDir, '..', 'summary.txt'), summary.join('\n') + '\n');
process.exit(unexpected > 0 || (stale > 0 && !staleOk) ? 1 : 0);
