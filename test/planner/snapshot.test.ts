/** The `keycast plan` snapshot format and command. */
import { describe, expect, it, vi, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/model/index.ts';
import { parseSnapshot, planRepartition, planResultJson, formatPlanTable, seededRng } from '../../src/planner/index.ts';
import { runPlan } from '../../src/cli/commands/plan.ts';

const CONTRACT = join(__dirname, '../../examples/snapshot.json');
const small = {
  buckets: 8,
  load: [1, 1, 1, 1, 1, 1, 20, 20],
  partitions: { boundaries: [0, 4, 8], nodes: [0, 1] },
  cluster: { nodes: 2, nodeCapacity: 100, maxPartitions: 8, moveBandwidth: '10MB/s', pauses: { split: '20ms', move: 100 } },
  goals: { imbalance: 1, movement: 0.1, latency: 0 },
  threshold: 0.05,
};

function problemsOf(text: string): string[] {
  try {
    parseSnapshot(text, 'snap.json');
  } catch (e) {
    if (e instanceof InputError) return e.problems.map((p) => `${p.line ?? '-'}:${p.col ?? '-'} ${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('snapshot', () => {
  it('parses the contract fixture and small snapshots with units', () => {
    let input = parseSnapshot(readFileSync(CONTRACT, 'utf8'), CONTRACT);
    expect(input.map.buckets).toBe(256);
    input = parseSnapshot(JSON.stringify(small), 's.json');
    expect(input.cluster.moveBandwidth).toBe(10 * 1024 * 1024);
    expect(input.cluster.pauses).toEqual({ split: 20, move: 100 });
    expect(input.windows).toHaveLength(1);
  });

  it('plans around inactive nodes: none takes a partition, and bad ids are problems', () => {
    // Three nodes, node 1 removed, two nodes' worth of load on node 0: it goes to node 2, never to the empty node 1.
    const snap = { ...small, partitions: { boundaries: [0, 3, 6, 8], nodes: [0, 0, 2] }, cluster: { ...small.cluster, nodes: 3, inactive: [1] }, load: [25, 25, 25, 25, 25, 25, 25, 25] };
    const input = parseSnapshot(JSON.stringify(snap), 's.json');
    expect(input.cluster.inactive).toEqual([1]);
    const res = planRepartition(input, { rng: seededRng(3), iterations: 3000 });
    expect(res.plan.actions.length).toBeGreaterThan(0);
    for (const a of res.plan.actions) if ('node' in a) expect(a.node).not.toBe(1);
    expect(res.plan.after.nodes).not.toContain(1);
    // Without the mark the empty node 1 is where the search sends load.
    const open = planRepartition(parseSnapshot(JSON.stringify({ ...snap, cluster: { ...snap.cluster, inactive: undefined } }), 's.json'), { rng: seededRng(3), iterations: 3000 });
    expect(open.plan.after.nodes).toContain(1);
    expect(problemsOf(JSON.stringify({ ...snap, cluster: { ...snap.cluster, inactive: [3] } }))).toEqual([expect.stringMatching(/cluster\.inactive: must be an array of node ids below cluster\.nodes \(3\)$/)]);
    expect(problemsOf(JSON.stringify({ ...snap, cluster: { ...snap.cluster, inactive: [0, 1, 2] } }))).toEqual([expect.stringMatching(/cluster\.inactive: must leave at least one node active$/)]);
  });

  it('reports every problem with its line and column, and did-you-mean for misspelt fields', () => {
    const text = JSON.stringify({ ...small, load: [1, 2], treshold: 0.1, goals: { imbalance: -1, movement: 0, latency: 0 } }, null, 2);
    const ps = problemsOf(text);
    expect(ps).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^3:\d+ load: has 2 values, want buckets = 8$/),
        expect.stringMatching(/^\d+:\d+ treshold: unknown field \(did you mean threshold\?\)$/),
        expect.stringMatching(/^\d+:\d+ goals\.imbalance: must be ≥ 0$/),
      ]),
    );
    expect(problemsOf('{ "buckets": 8,\n  "load": [1, }')[0]).toMatch(/^2:\d+ : invalid JSON/);
    expect(problemsOf(JSON.stringify({ ...small, partitions: { boundaries: [0, 5, 4, 8], nodes: [0, 1] } }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/partitions\.boundaries\[2\]: must be greater/), expect.stringMatching(/partitions\.nodes: has 2 values for 3/)]),
    );
  });

  it('renders the contract JSON, also when nothing is proposed', () => {
    const input = parseSnapshot(JSON.stringify({ ...small, threshold: 1 }), 's.json');
    const r = planRepartition(input, { rng: seededRng(1), iterations: 2000, earlyExit: false });
    const j = planResultJson(r) as Record<string, any>;
    expect(j.proposed).toBe(false);
    expect(j.actions).toEqual([]);
    expect(j.partitions.boundaries).toEqual([0, 4, 8]);
    for (const k of ['maxPartitionLoad', 'maxNodeLoad', 'movedBytes', 'imbalance']) expect(typeof j.predicted[k]).toBe('number');
    expect(typeof j.savings).toBe('number');
    expect(j.candidate.actions.length).toBeGreaterThan(0);
    expect(formatPlanTable(r)).toMatch(/not proposed/);
  });
});

describe('keycast plan', () => {
  afterEach(() => vi.restoreAllMocks());
  const capture = () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    return () => out;
  };

  it('prints the contract JSON for the contract snapshot', async () => {
    const out = capture();
    expect(await runPlan({ input: CONTRACT, json: true, optimizer: 'annealing', iterations: 3000, seed: 1 })).toBe(0);
    const j = JSON.parse(out());
    expect(typeof j.proposed).toBe('boolean');
    expect(j.partitions.boundaries[0]).toBe(0);
    expect(j.partitions.boundaries.at(-1)).toBe(256);
    expect(j.partitions.nodes).toHaveLength(j.partitions.boundaries.length - 1);
    expect(j.actions.every((a: { kind: string }) => ['split', 'merge', 'move', 'create'].includes(a.kind))).toBe(true);
  });

  it('prints a table by default, with every optimizer', async () => {
    for (const optimizer of ['annealing', 'genetic', 'greedy', 'exact']) {
      const out = capture();
      expect(await runPlan({ input: CONTRACT, json: false, optimizer, iterations: 1000, seed: 1 })).toBe(0);
      expect(out()).toMatch(/max partition load/);
      vi.restoreAllMocks();
    }
  });

  it('bad input is an InputError naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-plan-'));
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ ...small, cluster: { nodes: 0, nodeCapacity: 1 } }));
    await expect(runPlan({ input: f, json: true, optimizer: 'annealing', iterations: 10, seed: 1 })).rejects.toBeInstanceOf(InputError);
    await expect(runPlan({ input: join(dir, 'missing.json'), json: true, optimizer: 'annealing', iterations: 10, seed: 1 })).rejects.toThrow(/cannot read/);
    await expect(runPlan({ input: CONTRACT, json: true, optimizer: 'annealing', iterations: 10, seed: 1, 'time-budget': 'soon' })).rejects.toThrow(/not a duration/);
    await expect(runPlan({ input: CONTRACT, json: true, optimizer: 'annealing', iterations: 10, seed: -3 })).rejects.toThrow(/--seed: should be a whole number ≥ 0, not -3/);
  });

  it('reports every bad element of an array (up to ten, then a count), and loads too large to sum', () => {
    const load = [1, 1, 1, -5, 1, -1, 1, 1];
    expect(problemsOf(JSON.stringify({ ...small, load }))).toEqual([expect.stringMatching(/ load\[3\]: must be a number ≥ 0$/), expect.stringMatching(/ load\[5\]: must be a number ≥ 0$/)]);
    const many = { ...small, buckets: 16, load: new Array(16).fill(-1), partitions: { boundaries: [0, 8, 16], nodes: [0, 1] } };
    const ps = problemsOf(JSON.stringify(many));
    expect(ps).toHaveLength(11);
    expect(ps[10]).toMatch(/ load: 6 more values are not numbers ≥ 0$/);
    expect(problemsOf(JSON.stringify({ ...small, partitions: { boundaries: [0, 4, 8], nodes: [-1, 1.5] } }))).toEqual([expect.stringMatching(/partitions\.nodes\[0\]: must be an integer ≥ 0$/), expect.stringMatching(/partitions\.nodes\[1\]: must be an integer ≥ 0$/)]);
    expect(problemsOf(JSON.stringify({ ...small, load: [1e308, 1e308, 1, 1, 1, 1, 1, 1] }))).toEqual([expect.stringMatching(/ load: values too large: their sum is not a finite number$/)]);
  });
});
