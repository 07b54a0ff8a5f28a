/**
 * The study's runner, part of the programmatic API (`npm run study`, bench/study.ts). Per
 * scenario of a study folder: the main multi-seed run (its first seed's report under
 * `runs/<name>/`), then one sweep run whose lanes are copies of the swept policies at each
 * aggressiveness setting — each threshold, and each churn budget at the policy's own threshold.
 * One run generates each seed's workload once for every copy, and since every random stream is
 * keyed by a policy's spec and role, not its name, a copy decides exactly as the policy would
 * with that setting in a run of its own (tested).
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadScenario, runScenarioFileSeeds } from './api.ts';
import { specKey } from './experiment/spec-key.ts';
import type { PolicySpec } from './scenario/schema.ts';
import { studyEntry, type FrontPoint, type StudyEntry } from './experiment/study.ts';
import type { SeedStats } from './experiment/seeds.ts';
import type { Summary } from './experiment/summary.ts';

/** Policies whose aggressiveness the study sweeps: the fair reactive baseline and predictive. */
export const SWEPT = ['reactive_fair', 'predictive'] as const;
export const DEFAULT_THRESHOLDS = [0.02, 0.05, 0.1, 0.2];
/** Churn budgets swept, as shares of all state sent between nodes per rolling hour. */
export const DEFAULT_BUDGETS = [0.03, 0.1];

export interface StudyOptions {
  /** Folder of the study's scenarios. */
  readonly dir: string;
  /** Output folder (results.json and index.html are written by the caller; runs/<name>/ here). */
  readonly out: string;
  /** Scenario names to run (empty: all). */
  readonly only?: readonly string[];
  /** `path=value` overrides for every run (those on a swept policy apply to its copies too). */
  readonly sets?: readonly string[];
  readonly seeds?: number;
  readonly thresholds?: readonly number[];
  readonly budgets?: readonly number[];
  readonly workers?: number;
  readonly log?: (line: string) => void;
}

/** One lane of the sweep run: a copy of `policy` at one setting. */
export interface SweepVariant {
  readonly lane: string;
  readonly policy: string;
  /** The threshold the copy runs at; undefined: the policy's own. */
  readonly threshold?: number;
  /** Churn budget (share of all state per hour); undefined: the policy's own. */
  readonly churnBudget?: number;
}

const tag = (x: number) => String(x).replace('.', '_');

/** The sweep's lanes for the swept policies present: every threshold, then every budget. */
export function sweepVariants(present: readonly string[], thresholds: readonly number[], budgets: readonly number[]): SweepVariant[] {
  const out: SweepVariant[] = [];
  for (const policy of SWEPT.filter((p) => present.includes(p))) {
    for (const t of thresholds) out.push({ lane: `${policy}_threshold_${tag(t)}`, policy, threshold: t });
    for (const b of budgets) out.push({ lane: `${policy}_budget_${tag(b)}`, policy, churnBudget: b });
  }
  return out;
}

/**
 * `--set` lines adding the variants as lanes: each a copy of its policy as written in the file,
 * with the setting changed, plus the run's own sets on that policy retargeted to the copy.
 */
export function variantSets(file: string, variants: readonly SweepVariant[], sets: readonly string[] = []): string[] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { policies?: Record<string, Record<string, unknown>> };
  const out: string[] = [];
  for (const v of variants) {
    const spec = { ...(doc.policies?.[v.policy] ?? {}) };
    if (v.threshold !== undefined) spec.threshold = v.threshold;
    if (v.churnBudget !== undefined) spec.churnBudget = { stateSharePerHour: v.churnBudget };
    out.push(`policies.${v.lane}=${JSON.stringify(spec)}`);
    const prefix = `policies.${v.policy}.`;
    for (const s of sets) {
      if (!s.startsWith(prefix)) continue;
      const field = s.slice(prefix.length);
      // the copy's own setting wins over a set of the same field on the original
      if ((v.threshold !== undefined && field.startsWith('threshold=')) || (v.churnBudget !== undefined && field.startsWith('churnBudget'))) continue;
      out.push(`policies.${v.lane}.${field}`);
    }
  }
  return out;
}

const statsOf = (s: Summary, lane: string, metric: 'sloViolationRate' | 'movedBytes'): SeedStats => {
  const st = s.seeds?.policies[lane]?.[metric];
  if (st) return st;
  const v = s.policies[lane][metric];
  return { mean: v, lo: v, hi: v, values: [v] };
};

/** The study's scenario files in `dir` (sorted; restricted to `only` when given). */
export function studyFiles(dir: string, only: readonly string[] = []): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && (only.length === 0 || only.includes(f.replace(/\.yaml$/, ''))))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Runs one scenario of the study: its main runs, its sweep, reduced to a `StudyEntry`. A sweep
 * setting that resolves to the policy's own spec (its own threshold, say: the same `specKey`, the
 * key of its random streams) is not run again: the copy would decide exactly as the main run's
 * lane did, so its point is that lane's figures.
 */
export async function runStudyScenario(file: string, o: StudyOptions, entryFile: string): Promise<StudyEntry> {
  const name = path.basename(file).replace(/\.yaml$/, '');
  const sets = o.sets ?? [];
  const main = await runScenarioFileSeeds(file, { sets, seeds: o.seeds, seedWorkers: o.workers, out: path.join(o.out, 'runs', name) });
  const variants = sweepVariants(Object.keys(main.summary.policies), o.thresholds ?? DEFAULT_THRESHOLDS, o.budgets ?? DEFAULT_BUDGETS);
  const front: Omit<FrontPoint, 'pareto'>[] = [];
  if (variants.length === 0) return studyEntry(entryFile, main.summary, front);
  const vsets = [...sets, ...variantSets(file, variants, sets)];
  const resolved = (loadScenario(file, { sets: vsets, policies: variants.map((v) => v.lane) }).scenario.policies ?? {}) as Record<string, PolicySpec>;
  const own = (loadScenario(file, { sets }).scenario.policies ?? {}) as Record<string, PolicySpec>;
  const fresh = variants.filter((v) => specKey(resolved[v.lane]) !== specKey(own[v.policy]));
  o.log?.(`study: ${name}: sweep, ${fresh.length} lanes (${variants.length - fresh.length} the same as the main run's)`);
  const r = fresh.length ? (await runScenarioFileSeeds(file, { sets: vsets, policies: fresh.map((v) => v.lane), seeds: o.seeds, seedWorkers: o.workers, out: null })).summary : null;
  for (const v of variants) {
    const spec = resolved[v.lane] as PolicySpec & { threshold: number; churnBudget?: { stateSharePerHour?: number } };
    const [summary, lane] = r && fresh.includes(v) ? [r, v.lane] : [main.summary, v.policy];
    front.push({
      policy: v.policy,
      threshold: spec.threshold,
      ...(spec.churnBudget?.stateSharePerHour !== undefined ? { churnBudget: spec.churnBudget.stateSharePerHour } : {}),
      sloViolationRate: statsOf(summary, lane, 'sloViolationRate'),
      movedBytes: statsOf(summary, lane, 'movedBytes'),
    });
  }
  return studyEntry(entryFile, main.summary, front);
}
