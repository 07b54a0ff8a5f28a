/**
 * Ensemble: the mean of its members' forecasts (default ets, mstl and arima: combinations of
 * statistical models were the robust winners of M4). Members fit and update together.
 */
import { createForecaster, registerModel, ENSEMBLE_MEMBERS, type Forecaster, type ModelOptions } from '../forecaster.ts';

export class Ensemble implements Forecaster {
  readonly name = 'ensemble' as const;
  readonly members: Forecaster[];

  constructor(opts: ModelOptions) {
    const names = (opts.members ?? ENSEMBLE_MEMBERS).filter((n) => n !== 'ensemble');
    this.members = names.map((n) => createForecaster(n, { ...opts, rng: opts.rng.fork(n) }));
  }

  fit(y: ArrayLike<number>): void {
    for (const m of this.members) m.fit(y);
  }

  update(value: number): void {
    for (const m of this.members) m.update(value);
  }

  forecast(h: number): Float64Array {
    return combine(this.members.map((m) => m.forecast(h)), h);
  }
}

/** Elementwise mean of forecasts. */
export function combine(fs: readonly Float64Array[], h: number): Float64Array {
  const out = new Float64Array(h);
  for (const f of fs) for (let i = 0; i < h; i++) out[i] += f[i] / fs.length;
  return out;
}

registerModel('ensemble', (o) => new Ensemble(o));
