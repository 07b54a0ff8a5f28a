/**
 * The predictive policy's picture arithmetic, per bucket of a window: the blend of the observed
 * load with the forecast (`blendPicture`) and the tail at a quantile from the p90 band
 * (`tailPicture`). Kept apart from predictive.ts, which decides when and from what to build a
 * picture; these are pure functions over the buckets, tested on their own.
 */
import { quantileNormal } from 'vega-statistics';
import { totalLoad } from '../model/load.ts';

/**
 * The tail picture at quantile `q` from the picture's expected load `windows` and its p90 tail
 * `upper`: each bucket's excess over its expected load scaled by z_q / z₀.₉ (the normal
 * approximation the bands are built with), and never below the expected load. The blend of
 * shapes (`blendPicture`) normalises the tail as a shape of its own, so a bucket whose band is
 * narrower than the picture's average can come out with a blended tail below its blended mean;
 * scaled up by z_q / z₀.₉ that could even turn negative. A tail at any quantile ≥ 0.5 is at least
 * the mean, so such a bucket's tail is its expected load.
 */
export function tailPicture(windows: readonly Float64Array[], upper: readonly Float64Array[], q: number): Float64Array[] {
  const k = tailScale(q);
  return upper.map((u, i) => tailOf(windows[i], u, 1, null, 0, k, null));
}

/** z_q / z₀.₉, exactly 1 at q = 0.9 (w + (x − w) · 1 may differ from x in the last bit). */
function tailScale(q: number): number {
  return q === 0.9 ? 1 : quantileNormal(q, 0, 1) / quantileNormal(0.9, 0, 1);
}

/** The blend weights of each forecast window: `shape[k]` on the observed shape, `level[k]` on the observed total. */
export interface BlendWeights {
  readonly shape: readonly number[];
  readonly level: readonly number[];
}

/**
 * The forecast picture: window 0 what is observed, window k + 1 forecast window k blended with it
 * (`blendPicture`), and the tail at quantile `q` of each (`tailPicture`) from `observedUp` and
 * the forecast's p90 tails blended alike. The same values as those two functions give, computed
 * with each observed total summed once and each tail written in the pass that blends it (a
 * decision builds this picture over every bucket of some thirty windows).
 */
export function forecastPicture(observed: Float64Array, observedUp: Float64Array, expected: readonly Float64Array[], upper: readonly Float64Array[], weights: BlendWeights, q: number): { windows: Float64Array[]; upper: Float64Array[] } {
  const k = tailScale(q);
  const so = totalLoad(observed);
  const soUp = observedUp === observed ? so : totalLoad(observedUp);
  const windows = [observed];
  const tails = [tailOf(observed, observedUp, 1, null, 0, k, null)];
  for (let i = 0; i < expected.length; i++) {
    const a = weights.shape[i];
    const b = weights.level[i];
    const w = blendPicture(observed, expected[i], a, b, so);
    windows.push(w);
    const [wo, wf, mixed] = blendFactors(a, b, soUp, totalLoad(upper[i]));
    tails.push(tailOf(w, observedUp, wo, mixed ? upper[i] : null, wf, k, upper[i]));
  }
  return { windows, upper: tails };
}

/**
 * The weights of observed and forecast in a blended window (see `blendPicture`): per bucket
 * wo · obs + wf · fc when `mixed`, else the forecast itself (both weights 0).
 */
function blendFactors(a: number, b: number, so: number, sf: number): [number, number, boolean] {
  if (a === 0 && b === 0) return [0, 1, false];
  if (!(so > 0 && sf > 0)) return [a, 1 - a, true];
  const level = b * so + (1 - b) * sf;
  return [(a * level) / so, ((1 - a) * level) / sf, true];
}

/**
 * One tail window (`tailPicture`'s arithmetic) from expected `w` and the upper load: wo · obs +
 * wf · mix when `mix` is given, else `alone` (the forecast's own p90), else `obs`.
 */
function tailOf(w: Float64Array, obs: Float64Array, wo: number, mix: Float64Array | null, wf: number, k: number, alone: Float64Array | null): Float64Array {
  const out = new Float64Array(w.length);
  for (let b = 0; b < w.length; b++) {
    const x = mix !== null ? wo * obs[b] + wf * mix[b] : alone !== null ? alone[b] : obs[b];
    out[b] = !(x >= w[b]) ? w[b] : k === 1 ? x : w[b] + (x - w[b]) * k;
  }
  return out;
}

/**
 * Picture window from the observed load `obs` and the forecast `fc`: the shapes mixed with
 * weight `a` on the observation, scaled to the totals mixed with weight `b` on the observed one
 * (the forecast itself when both are 0; the plain mix when either total is 0).
 */
export function blendPicture(obs: Float64Array, fc: Float64Array, a: number, b: number, so = totalLoad(obs)): Float64Array {
  if (a === 0 && b === 0) return fc;
  const [wo, wf] = blendFactors(a, b, so, totalLoad(fc));
  const out = new Float64Array(fc.length);
  // a plain loop, not typed-array `map` with a callback: this runs over every bucket of every window
  for (let i = 0; i < fc.length; i++) out[i] = wo * obs[i] + wf * fc[i];
  return out;
}
