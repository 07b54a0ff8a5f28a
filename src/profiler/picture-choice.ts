/**
 * Which key-space picture the KDP issues at each lead: the range-based one (range forecasts
 * spread by their shapes) or the drift one (`drift.ts`). Both are recorded for every window a
 * forecast covers and scored against the window's actual micro-group shares when it closes (a
 * prequential backtest); the drift picture is used at a lead once it has at least 10 scores there
 * and a lower smoothed error.
 */

/** Scores needed at a lead before the drift picture may be used there. */
const MIN_SCORES = 10;
/** Weight of the newest score once the first 10 are averaged. */
const ALPHA = 0.05;

interface Issued {
  readonly lead: number;
  readonly ranges: Float64Array;
  readonly drift: Float64Array;
}

/** Smoothed total-variation error of each picture at one lead. */
interface LeadError {
  ranges: number;
  drift: number;
  n: number;
}

export class PictureChoice {
  private readonly issued = new Map<number, Issued[]>();
  private readonly errors: LeadError[] = [];

  /** Records both pictures (micro-group shares) issued for the window starting at `startMs` at `lead`. */
  record(startMs: number, lead: number, ranges: Float64Array, drift: Float64Array): void {
    let list = this.issued.get(startMs);
    if (!list) this.issued.set(startMs, (list = []));
    list.push({ lead, ranges, drift });
  }

  /** True when pictures were issued for the window starting at `startMs` and are not yet scored. */
  has(startMs: number): boolean {
    return this.issued.has(startMs);
  }

  /** Scores the pictures issued for the window starting at `startMs` against its `actual` shares (null: nothing to score, forget them). */
  score(startMs: number, actual: Float64Array | null): void {
    const list = this.issued.get(startMs);
    if (!list) return;
    this.issued.delete(startMs);
    if (!actual) return;
    for (const it of list) {
      let er = 0;
      let ed = 0;
      for (let g = 0; g < actual.length; g++) {
        er += Math.abs(actual[g] - it.ranges[g]);
        ed += Math.abs(actual[g] - it.drift[g]);
      }
      const e = (this.errors[it.lead] ??= { ranges: 0, drift: 0, n: 0 });
      const a = e.n < MIN_SCORES ? 1 / (e.n + 1) : ALPHA;
      e.ranges += a * (er / 2 - e.ranges);
      e.drift += a * (ed / 2 - e.drift);
      e.n++;
    }
  }

  /** True when the drift picture has backtested better than the range-based one at `lead`. */
  prefersDrift(lead: number): boolean {
    const e = this.errors[lead];
    return e !== undefined && e.n >= MIN_SCORES && e.drift < e.ranges;
  }
}
