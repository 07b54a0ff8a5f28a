/**
 * The realised arrivals of a run, known ahead for the `hindsight` policy: the scenario's workload
 * replayed once more with the run's seed (a workload's batches depend on its seed alone, never on
 * a lane), folded into windows (model/realised.ts). One pass of generation, done before the run.
 */
import { RandomSource } from '../engine/random.ts';
import { RealisedLoadBuilder, type RealisedLoad } from '../model/realised.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { makeWorkload } from './make-workload.ts';

/** The realised load of `loaded`'s run up to `endMs`, in windows of `windowMs`. */
export function realisedLoad(loaded: LoadedScenario, windowMs: number, endMs: number, opts: { readonly skipBadRows?: boolean } = {}): RealisedLoad {
  const sc = loaded.scenario;
  const workload = makeWorkload(loaded, new RandomSource(sc.seed), { skipBadRows: opts.skipBadRows });
  const out = new RealisedLoadBuilder(windowMs, sc.keyspace.buckets, sc.cluster.nodes);
  try {
    for (let t = 0; t < endMs; t += sc.tick) {
      const batch = workload.nextBatch(t);
      out.add(batch.timeMs, batch.durationMs, batch.counts);
    }
    out.close();
  } finally {
    (workload as { close?: () => void }).close?.();
  }
  return out;
}

/** The realised loads the `hindsight` lanes of a run need, by window length (none without such lanes). */
export function realisedFor(loaded: LoadedScenario, endMs: number, opts: { readonly skipBadRows?: boolean } = {}): Map<number, RealisedLoad> {
  const out = new Map<number, RealisedLoad>();
  for (const [, spec] of loaded.policies) {
    if (spec.kind !== 'hindsight' || out.has(spec.window)) continue;
    out.set(spec.window, realisedLoad(loaded, spec.window, endMs, opts));
  }
  return out;
}
