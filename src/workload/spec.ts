/**
 * What the workload needs of a scenario, as plain values (ms, records/s, key-space fractions).
 * Structurally the scenario's `keyspace`/`workload` sections, so workload/ does not import
 * scenario/ (DESIGN.md's import rules).
 */

export interface ShapeSpec {
  readonly diurnal?: { readonly amplitude: number; readonly peak: number };
  readonly weekly?: { readonly amplitude: number; readonly peak: number };
  readonly growth?: { readonly perDay: number };
  readonly noise?: { readonly cv: number };
}

export interface ComponentSpec {
  readonly share: number;
  readonly zipf?: { readonly s: number; readonly shuffle: boolean };
  readonly uniform?: { readonly from: number; readonly to: number };
  readonly band?: { readonly center: number; readonly width: number; readonly speed: number };
  readonly tail?: { readonly start: number; readonly perDay: number };
}

export interface BurstSpec {
  readonly at: number;
  readonly duration: number;
  readonly center: number;
  readonly width: number;
  readonly multiplier: number;
}

export interface TraceSpec {
  readonly file: string;
  readonly time: string;
  readonly key: string;
  readonly weight?: string;
  readonly speed: number;
  readonly scale: number;
  readonly spread?: number;
  /** Trace ms skipped before the replay (0 when absent). */
  readonly start?: number;
  /** Trace ms between the windows successive seeds replay (see TraceWorkload). */
  readonly seedShift?: number;
  readonly keyPattern?: string;
  readonly timezone?: string;
}

export interface KeyspaceSpec {
  readonly kind: 'user-id' | 'geo' | 'time-series' | 'hashed' | 'range';
  readonly keys: number;
  readonly buckets: number;
}

export interface WorkloadSpec {
  readonly rate: number;
  readonly recordBytes: number;
  /** Per-bucket arrival sampler (see arrivals.ts); `fast` when absent. */
  readonly arrivals?: 'fast' | 'exact';
  readonly shape: ShapeSpec;
  readonly keys: readonly ComponentSpec[];
  readonly events: readonly { readonly burst: BurstSpec }[];
  readonly trace?: TraceSpec;
}
