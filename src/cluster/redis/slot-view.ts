/**
 * Parsing of what a Redis master says about slots: the `myself` line of `CLUSTER NODES` (the
 * slots it owns and the ones it has open, MIGRATING to or IMPORTING from a peer), the config
 * epoch of every node (whose claim on a slot wins), and the
 * `CLUSTER SLOTS` table as an owner per slot. Pure functions, so the control plane's recovery and
 * verification, and `keycast cluster status`, read the cluster the same way.
 */
import { SLOTS } from './slot-tags.ts';

/** What one master says of itself: its id, owned slots and open slots (slot → peer id). */
export interface MyselfView {
  readonly id: string;
  readonly owned: Set<number>;
  readonly migrating: Map<number, string>;
  readonly importing: Map<number, string>;
}

/** Parses the `myself` line of `CLUSTER NODES`. */
export function parseMyself(nodesText: string): MyselfView {
  const line = nodesText.split('\n').find((l) => l.includes('myself'));
  if (!line) throw new Error('CLUSTER NODES has no myself line');
  const f = line.trim().split(' ');
  const owned = new Set<number>();
  const migrating = new Map<number, string>();
  const importing = new Map<number, string>();
  for (const x of f.slice(8)) {
    let m = /^(\d+)(?:-(\d+))?$/.exec(x);
    if (m) {
      const a = Number(m[1]);
      const b = m[2] ? Number(m[2]) : a;
      for (let s = a; s <= b; s++) owned.add(s);
      continue;
    }
    m = /^\[(\d+)->-(\w+)\]$/.exec(x);
    if (m) migrating.set(Number(m[1]), m[2]);
    m = /^\[(\d+)-<-(\w+)\]$/.exec(x);
    if (m) importing.set(Number(m[1]), m[2]);
  }
  return { id: f[0], owned, migrating, importing };
}

/** The masters listed by `CLUSTER NODES` (failed-address ones left out), ordered by port then host. */
export function parseMasters(nodesText: string): { id: string; host: string; port: number }[] {
  return nodesText
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.trim().split(' '))
    .filter((f) => f[2].split(',').includes('master') && !f[2].includes('noaddr'))
    .map((f) => {
      const addr = /^([^:]+):(\d+)/.exec(f[1])!;
      return { id: f[0], host: addr[1], port: Number(addr[2]) };
    })
    .sort((a, b) => a.port - b.port || a.host.localeCompare(b.host));
}

/** The config epoch of every node `CLUSTER NODES` lists, by node id (the seventh field of each line). */
export function parseConfigEpochs(nodesText: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of nodesText.split('\n')) {
    const f = l.trim().split(' ');
    if (f.length >= 8 && /^\d+$/.test(f[6])) out.set(f[0], Number(f[6]));
  }
  return out;
}

/** A `CLUSTER SLOTS` row: first slot, last slot, [host, port, id] of the master. */
export type SlotsRow = [number, number, [string, number, string?]];

/** Owner per slot from a `CLUSTER SLOTS` table, as an index given by `indexOf` (−1: unowned or unknown). */
export function ownersFromTable(table: readonly SlotsRow[], indexOf: (host: string, port: number) => number): Int32Array {
  const out = new Int32Array(SLOTS).fill(-1);
  for (const r of table) out.fill(indexOf(r[2][0], r[2][1]), r[0], r[1] + 1);
  return out;
}
