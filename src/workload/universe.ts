/**
 * Key universes (`keyspace.kind`): the realistic key string of each rank, in an order that range
 * partitioning can follow. A key's position is rank / keys and its bucket floor(position × B).
 * Strings are built from small seeded @faker-js/faker vocabularies (faker is slow in bulk) and
 * arithmetic on the rank, so `keyAt(r)` is O(1) and the same for the same seed in any process.
 *
 * | kind          | order (rank 0 … keys−1)                              | example key                      |
 * | ------------- | ---------------------------------------------------- | -------------------------------- |
 * | `user-id`     | sequential ids; new users get the highest ids        | `u0042117.Essie_Fadel87`         |
 * | `geo`         | cells by longitude, east (+180°) to west (−180°)     | `g03117:W071.06:Port Wavastad`   |
 * | `time-series` | time slot (1 min) major, then series: newest at top  | `2024-01-01T05:17Z/sensor-godfather-CrdzJ` |
 * | `hashed`      | 32-bit hash order, hash = fmix32(numeric id)         | `lean-diversity.biz#2954210587`  |
 *
 * Invariant: for `user-id`, `geo` and `time-series`, string order (UTF-16 code units) equals
 * rank order, so a range partitioner over the strings sees exactly the positions keycast uses.
 */
// The English locale's own entry: the package's index loads every locale (~0.2 s at start).
import { faker } from '@faker-js/faker/locale/en';
import type { KeyspaceSpec } from './spec.ts';

/** Vocabulary size per word list. */
export const VOCABULARY_SIZE = 1024;
/** Minutes between time slots of a `time-series` universe, and its first slot. */
export const TIME_SERIES_STEP_MS = 60_000;
export const TIME_SERIES_START_MS = Date.UTC(2024, 0, 1);

/** Maps ranks to key strings. */
export interface KeyUniverse {
  readonly kind: KeyspaceSpec['kind'];
  readonly keys: number;
  /** The key string of rank `r` (0 ≤ r < keys). */
  keyAt(r: number): string;
}

interface Vocabulary {
  readonly users: string[];
  readonly cities: string[];
  readonly series: string[];
  readonly domains: string[];
}

const vocabCache = new Map<number, Vocabulary>();

/** Seeded word lists (built once per seed and process). */
export function vocabulary(seed: number): Vocabulary {
  let v = vocabCache.get(seed);
  if (v) return v;
  // faker's English instance (English over the base locale), reseeded: built in one go, no interleaving.
  const f = faker;
  f.seed(seed);
  const list = (make: () => string) => Array.from({ length: VOCABULARY_SIZE }, make);
  const users = list(() => f.internet.username());
  const cities = list(() => f.location.city());
  // Series names must be distinct and sorted so that slot-major order is string order.
  const series = [...new Set(list(() => `${f.word.noun()}-${f.string.alphanumeric(5)}`))].sort();
  const domains = list(() => f.internet.domainName());
  v = { users, cities, series, domains };
  vocabCache.set(seed, v);
  return v;
}

/** Murmur3's 32-bit finalizer: a bijection on 32-bit integers. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The inverse of `fmix32`. */
export function fmix32Inverse(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7ed1b41d);
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, 0xa5cb9243);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a 32-bit hash of a string's UTF-16 code units (the hash of trace keys in a `hashed` keyspace). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The universe of a synthetic keyspace; `seed` seeds the vocabularies. */
export function keyUniverse(keyspace: Pick<KeyspaceSpec, 'kind' | 'keys'>, seed: number): KeyUniverse {
  const K = keyspace.keys;
  const v = vocabulary(seed);
  const width = String(Math.max(0, K - 1)).length;
  const V = VOCABULARY_SIZE;
  switch (keyspace.kind) {
    case 'user-id':
      return { kind: 'user-id', keys: K, keyAt: (r) => `u${pad(r, width)}.${v.users[fmix32(r) % V]}` };
    case 'geo':
      return {
        kind: 'geo',
        keys: K,
        keyAt: (r) => {
          // Cell r covers longitudes (180 − 360(r+1)/K, 180 − 360r/K]; its label is the centre.
          const lon = 180 - (360 * (r + 0.5)) / K;
          const lonText = `${lon >= 0 ? 'E' : 'W'}${Math.abs(lon).toFixed(2).padStart(6, '0')}`;
          return `g${pad(r, width)}:${lonText}:${v.cities[fmix32(r) % V]}`;
        },
      };
    case 'time-series': {
      const S = Math.min(K, v.series.length);
      return {
        kind: 'time-series',
        keys: K,
        keyAt: (r) => {
          const slot = Math.floor(r / S);
          const iso = new Date(TIME_SERIES_START_MS + slot * TIME_SERIES_STEP_MS).toISOString();
          // Fixed-width ISO (years < 10000), minutes resolution: string order is time order.
          return `${iso.slice(0, 16)}Z/sensor-${v.series[r % S]}`;
        },
      };
    }
    case 'hashed':
    case 'range':
      // Rank r sits at hash h_r = ceil(r·2³²/K) (position r/K rounded up to the 32-bit grid); its id
      // is fmix32⁻¹(h_r), so hashing the id gives back the rank's position and bucket.
      return {
        kind: keyspace.kind,
        keys: K,
        keyAt: (r) => {
          const id = fmix32Inverse(Math.ceil((r * 4294967296) / K) >>> 0);
          return `${v.domains[id % V]}#${id}`;
        },
      };
  }
}

/** First rank in bucket `b` of `B` for a universe of `K` keys (ranks of b: [first(b), first(b+1))). */
export function firstRankOfBucket(b: number, K: number, B: number): number {
  return Math.ceil((b * K) / B);
}
