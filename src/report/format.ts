/**
 * How numbers read on every page and terminal: bytes in binary units labelled as such (KiB, MiB,
 * GiB: DESIGN.md's KB/MB/GB are binary), durations in the unit a person would say (ms, s, min, h),
 * shares as percentages, counts with thousands separators. One place, so table, charts, terminal
 * and `compare` agree.
 */
import { formatBytes } from '../model/units.ts';

/** Bytes per GiB, the unit of the charts' byte axes. */
export const GIB = 1024 ** 3;

/** A latency or duration in ms as people say it: `0.42 ms`, `12.3 ms`, `1.8 s`, `4.2 min`, `3.5 h`. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const a = Math.abs(ms);
  if (a < 1) return `${+ms.toFixed(3)} ms`;
  if (a < 1000) return `${+ms.toPrecision(3)} ms`;
  if (a < 60_000) return `${+(ms / 1000).toPrecision(3)} s`;
  if (a < 3_600_000) return `${+(ms / 60_000).toPrecision(3)} min`;
  return `${+(ms / 3_600_000).toPrecision(3)} h`;
}

/** A share (0..1) as a percentage with enough digits to tell small ones apart. */
export function fmtPct(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const p = v * 100;
  const a = Math.abs(p);
  return `${a === 0 ? '0' : a < 0.01 ? p.toFixed(4) : a < 1 ? p.toFixed(3) : a < 10 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** A plain number with separators and at most `d` decimals (`12,345.7`). */
export function fmtNum(v: number, d = 2): string {
  return Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 }) : String(v);
}

/** A signed relative change (`−95.2%`, `+3.1%`). */
export function fmtChange(r: number): string {
  if (!Number.isFinite(r)) return r > 0 ? '+∞' : r < 0 ? '−∞' : '—';
  const p = r * 100;
  const a = Math.abs(p);
  const s = a >= 10 ? a.toFixed(0) : a >= 1 ? a.toFixed(1) : a.toFixed(2);
  return `${p < 0 ? '−' : '+'}${s}%`;
}

/** A ratio as a multiplier (`3.2×`, `0.05×`). */
export function fmtTimes(r: number): string {
  if (!Number.isFinite(r)) return r > 0 ? '∞×' : '—';
  return `${+r.toPrecision(r >= 10 ? 3 : 2)}×`;
}

/** A metric value by its name's convention: `…Ms` durations, `…Bytes` bytes, `…Rate`/shares as %, else a number. */
export function fmtMetric(name: string, v: number): string {
  if (Number.isNaN(v)) return '—';
  if (/Ms$/.test(name)) return fmtMs(v);
  if (/Bytes$/.test(name)) return formatBytes(v);
  if (/(Rate|thrashing|coverage80)$/.test(name)) return fmtPct(v);
  return fmtNum(v, Math.abs(v) >= 100 ? 0 : 4);
}

/**
 * Vega expressions for log-axis tick labels people read: latency ticks 1 ms, 10 ms, 100 ms, 1 s,
 * 10 s, 1 min, 10 min, 1 h (the values are ms).
 */
export const MS_TICKS = [0.01, 0.1, 1, 10, 100, 1000, 10_000, 60_000, 600_000, 3_600_000, 36_000_000];
export const MS_LABEL_EXPR =
  "datum.value >= 3600000 ? format(datum.value / 3600000, '~g') + ' h' : datum.value >= 60000 ? format(datum.value / 60000, '~g') + ' min' : datum.value >= 1000 ? format(datum.value / 1000, '~g') + ' s' : format(datum.value, '~g') + ' ms'";
/** Ticks of a log axis within [lo, hi] (ms), from MS_TICKS. */
export function msTicks(lo: number, hi: number): number[] {
  const t = MS_TICKS.filter((v) => v >= lo / 1.001 && v <= hi * 1.001);
  return t.length >= 2 ? t : MS_TICKS.filter((v) => v >= lo / 10 && v <= hi * 10);
}
