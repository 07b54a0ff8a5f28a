/**
 * Trace timestamps: ISO 8601 (`2001-01-01T00:01`, `2015-02-26 21:42:53`, with or without a
 * zone) or epoch numbers (below 1e11: seconds, else milliseconds). ISO times without a zone are
 * UTC, or local wall-clock time in `timezone` (an IANA Area/City) when one is given.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Numeric epochs below this are seconds; at or above, milliseconds. */
export const EPOCH_SECONDS_BELOW = 1e11;

/** Parses trace time cells to epoch ms; caches the last cell (traces repeat timestamps). */
export class TimeParser {
  private lastText = '';
  private lastMs = NaN;
  private readonly zone: ZoneOffsets | null;

  constructor(timezone?: string) {
    this.zone = timezone ? new ZoneOffsets(timezone) : null;
  }

  /** Epoch ms of `text`, or NaN when it is not a time. */
  parse(text: string): number {
    if (text === this.lastText) return this.lastMs;
    const ms = this.parseUncached(text.trim());
    this.lastText = text;
    this.lastMs = ms;
    return ms;
  }

  /** Epoch ms of a number cell (JSONL numbers). */
  fromNumber(v: number): number {
    return Number.isFinite(v) ? (Math.abs(v) < EPOCH_SECONDS_BELOW ? v * 1000 : v) : NaN;
  }

  private parseUncached(t: string): number {
    if (NUMERIC.test(t)) return this.fromNumber(Number(t));
    const m = ISO.exec(t);
    if (!m) return NaN;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const h = m[4] ? Number(m[4]) : 0;
    const mi = m[5] ? Number(m[5]) : 0;
    const s = m[6] ? Number(m[6]) : 0;
    const frac = m[7] ? Number(m[7]) * 1000 : 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
    const local = Date.UTC(y, mo - 1, d, h, mi, s) + frac;
    if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return NaN; // 2001-02-30
    const z = m[8];
    if (z) {
      if (z === 'Z' || z === 'z') return local;
      const sign = z[0] === '-' ? -1 : 1;
      const digits = z.slice(1).replace(':', '');
      const offMin = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
      return local - sign * offMin * 60_000;
    }
    return this.zone ? this.zone.toUtc(local) : local;
  }
}

/** UTC offsets of an IANA zone, cached per 15 minutes of UTC time. */
class ZoneOffsets {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();

  constructor(tz: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Local minus UTC, in ms, at the UTC instant `utcMs`. */
  offsetAt(utcMs: number): number {
    const slot = Math.floor(utcMs / 900_000);
    let off = this.cache.get(slot);
    if (off !== undefined) return off;
    const at = slot * 900_000;
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    off = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at;
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(slot, off);
    return off;
  }

  /**
   * The UTC instant of local wall-clock time `localMs`. In a spring-forward gap the time is read
   * with the offset before the change; in a fall-back overlap, the first (daylight) occurrence.
   */
  toUtc(localMs: number): number {
    const o1 = this.offsetAt(localMs - 12 * 3_600_000);
    const o2 = this.offsetAt(localMs + 12 * 3_600_000);
    if (o1 === o2) return localMs - o1;
    const u1 = localMs - o1;
    if (this.offsetAt(u1) === o1) return u1;
    const u2 = localMs - o2;
    return this.offsetAt(u2) === o2 ? u2 : u1;
  }
}
