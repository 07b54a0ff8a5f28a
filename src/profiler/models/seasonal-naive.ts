/**
 * Seasonal naive: repeats the last full cycle of the primary season (the first listed season the
 * history covers at least once); the last value when no season fits. O(1) per update.
 */
import { registerModel, type Forecaster, type ModelOptions } from '../forecaster.ts';

export class SeasonalNaive implements Forecaster {
  readonly name = 'seasonal-naive' as const;
  private m = 1;
  private ring = new Float64Array(1);
  private n = 0;

  constructor(private readonly opts: ModelOptions) {}

  fit(y: ArrayLike<number>): void {
    const n = y.length;
    this.m = this.opts.seasons.map((s) => Math.round(s)).find((s) => s >= 2 && n >= s) ?? 1;
    this.ring = new Float64Array(this.m);
    this.n = 0;
    for (let i = Math.max(0, n - this.m); i < n; i++) this.update(y[i]);
  }

  update(value: number): void {
    this.ring[this.n % this.m] = value;
    this.n++;
  }

  forecast(h: number): Float64Array {
    const out = new Float64Array(h);
    if (this.n === 0) return out;
    for (let i = 0; i < h; i++) out[i] = this.ring[(this.n + (i % this.m)) % this.m];
    return out;
  }
}

registerModel('seasonal-naive', (o) => new SeasonalNaive(o));
