/**
 * A progress bar on stderr for long runs (cli-progress), shown only on a terminal and never with
 * --json or in CI, so logs stay clean. It shows the elapsed time, an ETA (from the rate so far,
 * after a few seconds; seconds carried into minutes properly, never `2m60s`) and what is running.
 */
import cliProgress from 'cli-progress';

/** A duration as a clock reading: `45s`, `2m05s`, `1h02m`. */
export function fmtClock(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** The ETA from elapsed time and fraction done: `…` until 3 s and 1% have passed. */
export function etaText(elapsedMs: number, fraction: number): string {
  if (elapsedMs < 3000 || fraction < 0.01) return '…';
  if (fraction >= 1) return '0s';
  return fmtClock((elapsedMs * (1 - fraction)) / fraction);
}

const show = (enabled = true) => enabled && process.stderr.isTTY && !process.env.CI;

export async function withProgress<T>(enabled: boolean, label: string, work: (onProgress: (fraction: number) => void) => T | Promise<T>): Promise<T> {
  if (!show(enabled)) return work(() => {});
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {elapsed} elapsed, eta {eta}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const t0 = Date.now(); // clock-ok: progress display only
  bar.start(1000, 0, { elapsed: '0s', eta: '…' });
  try {
    return await work((f) => {
      const el = Date.now() - t0; // clock-ok
      bar.update(Math.round(f * 1000), { elapsed: fmtClock(el), eta: etaText(el, f) });
    });
  } finally {
    bar.stop();
  }
}

/** A bar for counted work (runs of a sweep or a capacity search); silent off a terminal. `what` says what runs now. */
export function progressBar(label: string): { update: (done: number, total: number, what?: string) => void; stop: () => void } {
  if (!show()) return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | null = null;
  let t0 = 0;
  return {
    update: (done, total, what = '') => {
      const el = bar ? Date.now() - t0 : 0; // clock-ok: progress display only
      const payload = { elapsed: fmtClock(el), eta: etaText(el, total > 0 ? done / total : 0), what: what ? ` | ${what}` : '' };
      if (!bar) {
        t0 = Date.now(); // clock-ok
        bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} runs | {elapsed} elapsed, eta {eta}{what}`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total, done, payload);
      } else bar.update(done, payload);
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}
