// Reads the JSON lines of bench/peers.sh runs and prints them as tables with the ratios that matter.
//   node bench/ratios.mjs LABELS C1.jsonl [C16.jsonl]
//   node bench/ratios.mjs --rounds LABELS ROUND1.jsonl ROUND2.jsonl ...   (bench/stdio-ab.sh: medians over rounds)
// LABELS has one "label<TAB>target" line per target that peers.sh added; the harness's own targets (direct stdio,
// mcp-proxy, supergateway) are recognised by their command line or port.
import { readFileSync, existsSync } from 'node:fs';

const rounds = process.argv[2] === '--rounds';
const [labelsFile, c1File, c16File] = process.argv.slice(rounds ? 3 : 2);
const labels = new Map(readFileSync(labelsFile, 'utf8').split('\n').filter(Boolean).map(l => {
  const tab = l.indexOf('\t');
  return [l.slice(tab + 1), l.slice(0, tab)];
}));

function label(target) {
  if (labels.has(target)) return labels.get(target);
  if (/^node .*server-everything\/dist\/index\.js stdio$/.test(target)) return 'direct stdio';
  if (target.includes(':39401/')) return 'mcp-proxy http';
  if (target.includes(':39301/')) return 'supergateway http';
  return target;
}

function read(file) {
  if (!file || !existsSync(file)) return null;
  const rows = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line);
    rows.set(label(r.target), r);
  }
  return rows;
}

const ratio = (a, b) => (a && b ? (a / b).toFixed(2) + 'x' : '-');
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

function table(title, rows, extra) {
  console.log(`\n${title}`);
  console.log(pad('target', 22) + lpad('median_us', 10) + lpad('p90_us', 9) + lpad('p99_us', 9) + lpad('calls/s', 9)
    + '  ' + extra.header);
  for (const [name, r] of rows) {
    console.log(pad(name, 22) + lpad(r.median_us, 10) + lpad(r.p90_us, 9) + lpad(r.p99_us, 9) + lpad(r.calls_per_s, 9)
      + '  ' + extra.cell(name, r));
  }
}

if (rounds) {
  const files = process.argv.slice(4).map(read);
  const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
  const keys = ['median_us', 'p90_us', 'p99_us', 'min_us', 'calls_per_s'];
  const summary = new Map();
  for (const name of files[0].keys()) {
    const row = {};
    for (const k of keys) row[k] = median(files.map(f => f.get(name)?.[k]).filter(x => x !== undefined));
    row.spread = files.map(f => f.get(name)?.median_us).join(' / ');
    summary.set(name, row);
  }
  const d = summary.get('direct stdio');
  table(`medians over ${files.length} rounds (C=1); "medians per round" shows the spread`, summary, {
    header: 'median / direct   p99 / direct   medians per round',
    cell: (name, r) => pad(ratio(r.median_us, d?.median_us), 17) + pad(ratio(r.p99_us, d?.p99_us), 15) + r.spread,
  });
  process.exit(0);
}

const c1 = read(c1File);
if (c1) {
  const d = c1.get('direct stdio');
  const proxy = c1.get('mcp-proxy http');
  const sg = c1.get('supergateway http');
  table('C=1 (sequential calls)', c1, {
    header: 'median / direct   p99 / direct   median / mcp-proxy   median / supergateway',
    cell: (name, r) => name.includes('http')
      ? pad('', 17) + pad('', 15) + pad(ratio(r.median_us, proxy?.median_us), 21) + ratio(r.median_us, sg?.median_us)
      : pad(ratio(r.median_us, d?.median_us), 17) + ratio(r.p99_us, d?.p99_us),
  });
}
const c16 = read(c16File);
if (c16) {
  const d = c16.get('direct stdio');
  const proxy = c16.get('mcp-proxy http');
  const sg = c16.get('supergateway http');
  table('C=16 (16 sessions in parallel)', c16, {
    header: 'calls/s vs direct   vs mcp-proxy   vs supergateway',
    cell: (name, r) => pad(ratio(r.calls_per_s, d?.calls_per_s), 20)
      + (name.includes('http') ? pad(ratio(r.calls_per_s, proxy?.calls_per_s), 15)
        + ratio(r.calls_per_s, sg?.calls_per_s) : ''),
  });
}
