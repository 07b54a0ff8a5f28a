/**
 * A progress bar on stderr for long runs (cli-progress), shown only on a terminal and never with
 * --json or in CI, so logs stay clean.
 */
import cliProgress from 'cli-progress';

export async function withProgress<T>(enabled: boolean, label: string, work: (onProgress: (fraction: number) => void) => T | Promise<T>): Promise<T> {
  const show = enabled && process.stderr.isTTY && !process.env.CI;
  if (!show) return work(() => {});
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | eta {eta_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0);
  try {
    return await work((f) => bar.update(Math.round(f * 1000)));
  } finally {
    bar.stop();
  }
}

/** A bar for counted work (runs of a sweep or a capacity search); silent off a terminal. */
export function progressBar(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  const show = process.stderr.isTTY && !process.env.CI;
  if (!show) return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    update: (done, total) => {
      if (!bar) {
        bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} runs | eta {eta_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total, done);
      } else bar.update(done);
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}
