/**
 * Named seeded random streams. One root seed is forked into independent streams by name
 * (`fork('workload')`, `fork('faults/reactive')`), so adding a consumer never shifts another's
 * draws. seedrandom derives each stream's seed; the bulk generator is a fast 32-bit PRNG
 * (sfc32) seeded from it, identical in every process.
 */
import seedrandom from 'seedrandom';

/** A deterministic random source. */
export class RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = NaN;

  /** Seeds the stream from any string via seedrandom (ARC4), which gives four 32-bit words. */
  constructor(readonly name: string, private readonly seedText: string) {
    const rng = seedrandom(seedText);
    this.a = rng.int32() >>> 0;
    this.b = rng.int32() >>> 0;
    this.c = rng.int32() >>> 0;
    this.d = rng.int32() >>> 0 || 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer (sfc32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Marsaglia polar method, caches the spare). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** A child stream named `name` under this one. */
  fork(name: string): RandomStream {
    return new RandomStream(`${this.name}/${name}`, `${this.seedText}/${name}`);
  }
}

/** The root of a run's random streams. */
export class RandomSource {
  constructor(readonly seed: number | string) {}

  /**
   * A short stream for one keyed event (e.g. an operation's fault draws): the same key gives the
   * same draws for this seed whoever asks, so lanes that do the same thing face the same luck.
   */
  keyed(key: string): RandomStream {
    return new RandomStream(`keyed/${key}`, `keycast:${this.seed}:keyed:${key}`);
  }

  /** The stream for one concern; the same name always gives the same sequence for this seed. */
  fork(name: string): RandomStream {
    return new RandomStream(name, `keycast:${this.seed}:${name}`);
  }
}

/** A seeded permutation of 0…n−1 (Fisher–Yates from `rng`). */
export function permutation(n: number, rng: RandomStream): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}
