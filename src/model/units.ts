/**
 * Units shared by every input keycast reads (scenario files, `keycast plan` snapshots, CLI flags)
 * and the one byte formatter of the project. Durations need a unit (`ms s m h d`, combinable, decimals
 * allowed: `1d6h`, `1.5h`, `200ms`; a bare `0` is allowed). Sizes: a bare number is bytes,
 * `B KB MB GB` are binary (1 KB = 1024 B). Bandwidths: `B/s KB/s MB/s GB/s` (bare number = B/s).
 */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

export const DURATION_PATTERN = /^\s*(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)\s*)+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/g;

/** Milliseconds of a duration string; `undefined` when it is not one. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return text === 0 ? 0 : undefined;
  if (text.trim() === '0') return 0;
  if (!DURATION_PATTERN.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(DURATION_PART)) ms += Number(m[1]) * DURATION_UNITS[m[2]];
  return ms;
}

/** Bytes of a size (`512`, `1KB`, `1.5 MB`); `undefined` when it is not one. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * SIZE_UNITS[m[2] ?? 'B'];
}

/** Bytes per second of a bandwidth (`50MB/s`); `undefined` when it is not one. */
export function parseBandwidth(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)\/s\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * SIZE_UNITS[m[2]];
}

/** `90000` → `1m30s`: a compact, exact rendering of milliseconds for messages and reports. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [u, f] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const n = Math.floor(rest / f);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * f;
    }
  }
  if (rest > 0) out += `${Number(rest.toFixed(3))}ms`;
  return out;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Bytes in binary units labelled as such: `1.5 KiB`, `512 B`, `3.00 GiB` (three significant
 * digits from KiB up). The project's one byte formatter: reports, tables, the terminal, `compare`
 * and the plan output all print bytes through it.
 */
export function formatBytes(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  let x = Math.abs(v);
  let i = 0;
  while (x >= 1024 && i < BYTE_UNITS.length - 1) {
    x /= 1024;
    i++;
  }
  const s = i === 0 ? String(Math.round(x)) : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  return `${v < 0 ? '−' : ''}${s} ${BYTE_UNITS[i]}`;
}
