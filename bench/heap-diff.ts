/**
 * What grew between two V8 heap snapshots (bench/heap-growth.ts `--snapshot-at 2,6` writes
 * them): self size and count per constructor (objects), per type otherwise (arrays, strings,
 * numbers, closures), largest growth first. Finds the structures that grow with a run's length.
 *
 *   node --max-old-space-size=4096 --import tsx bench/heap-diff.ts A.heapsnapshot B.heapsnapshot [--top 30]
 */
import * as fs from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self bytes and count per "type:name" (objects by constructor, the rest by type). */
function sizes(file: string): Map<string, { bytes: number; count: number }> {
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((x) => f.indexOf(x));
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + iType]];
    const key = type === 'object' || type === 'closure' ? `${type}:${s.strings[s.nodes[i + iName]]}` : type;
    const e = out.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += s.nodes[i + iSize];
    e.count++;
    out.set(key, e);
  }
  return out;
}

const [a, b] = process.argv.slice(2, 4);
const ti = process.argv.indexOf('--top');
const top = ti > 0 ? Number(process.argv[ti + 1]) : 30;
const A = sizes(a);
const B = sizes(b);
const rows = [...new Set([...A.keys(), ...B.keys()])].map((k) => {
  const x = A.get(k) ?? { bytes: 0, count: 0 };
  const y = B.get(k) ?? { bytes: 0, count: 0 };
  return { k, dBytes: y.bytes - x.bytes, dCount: y.count - x.count, bytes: y.bytes };
});
rows.sort((p, q) => q.dBytes - p.dBytes);
const mb = (x: number) => (x / 2 ** 20).toFixed(2);
const total = (m: Map<string, { bytes: number }>) => [...m.values()].reduce((s, e) => s + e.bytes, 0);
process.stdout.write(`total ${mb(total(A))} → ${mb(total(B))} MB\n`);
for (const r of rows.slice(0, top)) process.stdout.write(`${mb(r.dBytes).padStart(9)} MB  ${String(r.dCount).padStart(9)}  ${mb(r.bytes).padStart(9)} MB  ${r.k}\n`);
