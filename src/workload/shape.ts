/**
 * Rate shaping (DESIGN.md "Workload semantics"): t = 0 is midnight of day 0;
 * diurnal `1 + a·cos(2π(t − peak)/1d)`, weekly `1 + a·cos(2π(t − (peak + 0.5)·1d)/7d)`,
 * growth `(1 + perDay)^(t/1d)`. Noise is drawn per tick by the generator (mean 1, given cv).
 */
import type { ShapeSpec } from './spec.ts';

const DAY_MS = 86_400_000;

/** Deterministic part of the shape factor at `tMs` (noise excluded). */
export function shapeFactor(shape: ShapeSpec, tMs: number): number {
  let f = 1;
  if (shape.diurnal) f *= 1 + shape.diurnal.amplitude * Math.cos((2 * Math.PI * (tMs - shape.diurnal.peak)) / DAY_MS);
  if (shape.weekly) f *= 1 + shape.weekly.amplitude * Math.cos((2 * Math.PI * (tMs - (shape.weekly.peak + 0.5) * DAY_MS)) / (7 * DAY_MS));
  if (shape.growth) f *= Math.pow(1 + shape.growth.perDay, tMs / DAY_MS);
  return f;
}

/** σ and the mean correction of a log-normal factor with mean 1 and coefficient of variation `cv`. */
export function lognormalParams(cv: number): { sigma: number; mu: number } {
  const s2 = Math.log(1 + cv * cv);
  return { sigma: Math.sqrt(s2), mu: -s2 / 2 };
}
