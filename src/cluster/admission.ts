/**
 * Admission of a control-plane request, shared by the control planes that hold their partition
 * map in memory beside a real or pretend cluster (the in-memory plane, Redis): the checks the
 * simulated cluster makes, in the same order and with the same codes, so the APM sees one
 * contract (see test/cluster/control-plane-contract.ts).
 */
import { applyAction } from '../model/apply-action.ts';
import type { OpCode } from '../model/control-plane.ts';
import { MapError, type PartitionMap } from '../model/partition-map.ts';
import type { PlanAction } from '../model/plan.ts';

/** What admission needs to know of the plane's state. */
export interface AdmissionState {
  readonly map: PartitionMap;
  readonly inFlight: number;
  readonly maxConcurrentOps: number;
  readonly maxPartitions: number;
  /** Partitions held by an operation (or by an unfinished recovery). */
  readonly busy: ReadonlySet<string>;
  /** Ids reserved by running splits and creates. */
  readonly reservedIds: ReadonlySet<string>;
  /** Whether node n exists (and was not removed). */
  nodeExists(n: number): boolean;
  /** Whether node n is up now. */
  nodeUp(n: number): boolean;
}

/** The partitions an action holds while it runs. */
export function actionPartitions(a: PlanAction): string[] {
  return a.kind === 'merge' ? [a.partition, a.with] : [a.partition];
}

/** Why `action` cannot start now, or null when it can. */
export function admission(s: AdmissionState, action: PlanAction): { code: OpCode; reason: string } | null {
  if (s.inFlight >= s.maxConcurrentOps) return { code: 'busy', reason: `maxConcurrentOps (${s.maxConcurrentOps}) reached` };
  const i = s.map.ids.indexOf(action.partition);
  if (i < 0) return { code: 'illegal', reason: `no partition ${action.partition}` };
  for (const p of actionPartitions(action)) {
    if (!s.map.ids.includes(p)) return { code: 'illegal', reason: `no partition ${p}` };
    if (s.busy.has(p)) return { code: 'busy', reason: `partition ${p} is busy with another operation` };
  }
  const src = s.map.nodes[i];
  if (!s.nodeUp(src)) return { code: 'node-down', reason: `node ${src} is down` };
  if (action.kind === 'move' || action.kind === 'create') {
    if (!s.nodeExists(action.node)) return { code: 'illegal', reason: `node ${action.node} does not exist or was removed` };
    if (!s.nodeUp(action.node)) return { code: 'node-down', reason: `node ${action.node} is down` };
  }
  if ((action.kind === 'split' || action.kind === 'create') && s.map.ids.length + s.reservedIds.size >= s.maxPartitions) {
    return { code: 'limit', reason: `maxPartitions (${s.maxPartitions}) reached` };
  }
  if ((action.kind === 'split' || action.kind === 'create') && s.reservedIds.has(action.newId)) return { code: 'busy', reason: `id ${action.newId} is reserved by another operation` };
  try {
    applyAction(s.map, action);
  } catch (err) {
    if (err instanceof MapError) return { code: err.noop ? 'noop' : 'illegal', reason: err.message };
    throw err;
  }
  return null;
}

/** Buckets `[start, end)` an action concerns (the partition, the moving half, or both merged). */
export function actionRange(map: PartitionMap, a: PlanAction): { start: number; end: number } {
  const i = map.ids.indexOf(a.partition);
  const b = map.boundaries;
  return { start: a.kind === 'create' || a.kind === 'split' ? a.at : b[i], end: a.kind === 'merge' ? b[i + 2] : b[i + 1] };
}
