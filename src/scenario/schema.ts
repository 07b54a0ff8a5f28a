/**
 * The scenario-file schema (zod): every core field of DESIGN.md with its default, units parsed
 * into numbers (durations → ms, sizes → bytes, bandwidths → bytes/s). `scenarioJsonSchema()`
 * derives the JSON Schema editors use from the same definition.
 */
import { z } from 'zod';
import { parseBandwidth, parseDuration, parseSize } from '../model/units.ts';

// ---- unit types: input is text (or a bare number for sizes), output is a number ----

const durationText = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== undefined, {
    message: 'not a duration: use a number with a unit ms, s, m, h or d (e.g. 90s, 1d6h, 1.5h)',
  });
/** Duration in ms, with a default. */
const duration = (dflt: string) =>
  durationText
    .meta({ description: 'duration with unit: ms s m h d, combinable (1d6h, 1.5h)' })
    .prefault(dflt as never)
    .transform((v) => parseDuration(v)!);
const durationOpt = () =>
  durationText.transform((v) => parseDuration(v)!).meta({ description: 'duration with unit: ms s m h d, combinable' });
const positiveDuration = (dflt?: string) => {
  const base = dflt === undefined ? durationOpt() : duration(dflt);
  return base.refine((v) => v > 0, { message: 'must be greater than 0' });
};

const sizeText = z
  .union([z.string(), z.number()])
  .refine((v) => parseSize(v) !== undefined, { message: 'not a size: a number of bytes or a number with B, KB, MB or GB' });
const size = (dflt: string | number) => sizeText.prefault(dflt as never).transform((v) => parseSize(v)!);

const bandwidthText = z
  .union([z.string(), z.number()])
  .refine((v) => parseBandwidth(v) !== undefined, { message: 'not a bandwidth: a number with B/s, KB/s, MB/s or GB/s' });
const bandwidth = (dflt: string) => bandwidthText.prefault(dflt as never).transform((v) => parseBandwidth(v)!);

const fraction = z.number().min(0).max(1);
const positive = z.number().positive();
const count = z.number().int().positive();

// ---- keyspace ----

export const KEYSPACE_KINDS = ['user-id', 'geo', 'time-series', 'hashed', 'range'] as const;
const keyspace = z
  .strictObject({
    kind: z.enum(KEYSPACE_KINDS).default('user-id').meta({
      description: 'key universe: user-id | geo | time-series | hashed; with a trace: range (string order) or hashed',
    }),
    keys: count.max(100_000_000).default(100_000).meta({ description: 'size of the key universe' }),
    buckets: z.number().int().min(2).max(65_536).default(4096).meta({ description: 'fine buckets of the key space' }),
  })
  .prefault({} as never);

// ---- workload ----

const zipf = z.strictObject({ s: z.number().positive().max(10).default(1), shuffle: z.boolean().default(true) });
const uniform = z.strictObject({ from: fraction.default(0), to: fraction.default(1) });
const band = z.strictObject({
  center: fraction.default(0.5),
  width: z.number().positive().max(1).default(0.1),
  speed: z.number().min(-100).max(100).default(0).meta({ description: 'key spaces per day toward higher positions' }),
});
const tail = z.strictObject({
  start: z.number().min(0).lt(1).default(0.9),
  perDay: z.number().min(0).max(100).default(0.01),
});
const component = z
  .strictObject({
    share: z.number().positive().max(1),
    zipf: zipf.optional(),
    uniform: uniform.optional(),
    band: band.optional(),
    tail: tail.optional(),
  })
  .superRefine((c, ctx) => {
    const kinds = (['zipf', 'uniform', 'band', 'tail'] as const).filter((k) => c[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: kinds.length === 0 ? 'needs one of zipf, uniform, band, tail' : `has ${kinds.join(' and ')}: give one per entry`,
      });
    }
  });

const shape = z
  .strictObject({
    diurnal: z
      .strictObject({ amplitude: fraction.default(0.5), peak: duration('14h') })
      .optional(),
    weekly: z.strictObject({ amplitude: fraction.default(0.2), peak: z.number().min(0).max(6).default(5) }).optional(),
    growth: z.strictObject({ perDay: z.number().gt(-1).max(10).default(0.1) }).optional(),
    noise: z.strictObject({ cv: z.number().min(0).max(2).default(0.05) }).optional(),
  })
  .prefault({} as never);

const burst = z.strictObject({
  at: durationOpt(),
  duration: positiveDuration(),
  center: fraction,
  width: z.number().positive().max(1),
  multiplier: z.number().min(0).max(10_000),
});
const workloadEvent = z.strictObject({ burst });

const trace = z.strictObject({
  file: z.string().min(1),
  time: z.string().min(1).default('ts'),
  key: z.string().min(1).default('key'),
  weight: z.string().min(1).optional(),
  speed: positive.default(1),
  scale: positive.max(1e6).default(1),
  spread: positiveDuration().optional(),
  start: duration('0s').meta({ description: 'trace time skipped before the replay: t = 0 at the first row plus this' }),
  seedShift: positiveDuration()
    .optional()
    .meta({ description: 'each seed replays another window: the replay starts (seed mod n) × seedShift after start, n being how many windows of the run fit in the trace; needs duration' }),
  keyPattern: z.string().optional(),
  timezone: z.string().optional(),
});

const workload = z
  .strictObject({
    rate: positive.max(1e9).default(1000).meta({ description: 'mean records/s before shaping' }),
    recordBytes: size(512),
    arrivals: z
      .enum(['fast', 'exact'])
      .default('fast')
      .meta({ description: 'per-bucket arrival sampler: fast (table-driven: tabulated Poisson inversion below λ 4, skew-corrected normal above) or exact (true Poisson draws, 2–10× slower)' }),
    shape,
    keys: z.array(component).min(1).default([{ share: 1, uniform: { from: 0, to: 1 } }]),
    events: z.array(workloadEvent).default([]),
    trace: trace.optional(),
  })
  .prefault({} as never);

// ---- cluster ----

const crash = z.strictObject({ node: z.number().int().min(0), at: durationOpt(), duration: positiveDuration() });
const clusterEvent = z.union([
  z.strictObject({ addNode: z.strictObject({ at: durationOpt() }) }),
  z.strictObject({ removeNode: z.strictObject({ at: durationOpt(), node: z.number().int().min(0) }) }),
]);
const cluster = z
  .strictObject({
    nodes: count.max(10_000).default(4),
    nodeCapacity: positive.default(10_000).meta({ description: 'records/s per node' }),
    partitionCapacity: positive.optional().meta({ description: 'records/s cap per partition' }),
    partitions: count.default(16),
    maxPartitions: count.max(65_536).default(1024),
    baseLatency: duration('2ms'),
    retention: duration('30m'),
    moveBandwidth: bandwidth('50MB/s'),
    movePerBucket: durationOpt()
      .optional()
      .meta({ description: 'time a move or create spends per bucket it moves besides sending bytes, serving going on (a real cluster opens, drains and switches every slot: keycast calibrate measures it)' }),
    moveDataSetup: durationOpt()
      .optional()
      .meta({ description: 'time a move or create that carries any state spends before its bytes flow, serving going on (a real cluster\'s first key fetch and MIGRATE round trips, an fsync on each side: keycast calibrate measures it); 0 when absent' }),
    moveLoad: fraction.default(0).meta({ description: "share of a node's serving capacity a move takes while the node sends or receives at the full move bandwidth (in proportion below it): a move competes with serving" }),
    pauses: z
      .strictObject({ split: duration('50ms'), merge: duration('50ms'), move: duration('200ms') })
      .prefault({} as never),
    maxConcurrentOps: count.max(1000).default(4),
    queueLimit: count.optional().meta({ description: 'records per partition; beyond it records are dropped' }),
    faults: z
      .strictObject({
        opFailureRate: fraction.default(0).meta({ description: 'share of operations that fail part-way (code failed)' }),
        slowOpRate: fraction.default(0).meta({ description: 'share of operations that run slowFactor times slower' }),
        slowFactor: z.number().min(1).max(1000).default(10).meta({ description: 'how much slower a slow operation runs' }),
        stuckOpRate: fraction.default(0).meta({ description: 'share of operations that get stuck until the APM cancels them (apm.opTimeout)' }),
        crashes: z.array(crash).default([]),
      })
      .prefault({} as never),
    events: z.array(clusterEvent).default([]),
  })
  .prefault({} as never);

// ---- APM (how every planning policy executes its plans) ----

const apm = z
  .strictObject({
    retries: z.number().int().min(0).max(100).default(5).meta({ description: 'retries per action after a transient failure (failed, timeout, limit) before the plan is given up and rolled back' }),
    backoff: positiveDuration('2s').meta({ description: 'delay before the first retry of an action; doubles per retry' }),
    maxBackoff: positiveDuration('1m').meta({ description: 'longest delay between retries' }),
    opTimeout: positiveDuration('10m').meta({ description: 'an operation running longer than this and 3x its estimated duration is cancelled (code timeout)' }),
    maxPlanActions: count.max(100_000).default(256).meta({ description: 'actions per plan; a larger plan executes its first actions (dependencies kept) and the next decision plans the rest' }),
    maxPlanBytes: size('256GB').meta({ description: 'state bytes a plan moves at most (same cut as maxPlanActions)' }),
    breaker: z
      .strictObject({
        failures: count.max(1000).default(3).meta({ description: 'plans given up in a row that open the circuit breaker (planning pauses)' }),
        cooldown: positiveDuration('5m').meta({ description: 'first pause of an open breaker; doubles each time it reopens' }),
        maxCooldown: positiveDuration('30m'),
      })
      .prefault({} as never),
  })
  .prefault({} as never);

// ---- policies ----

export const MODEL_NAMES = ['seasonal-naive', 'ets', 'arima', 'mstl', 'prophet', 'lstm', 'ensemble', 'auto'] as const;
export const OPTIMIZER_NAMES = ['annealing', 'genetic', 'greedy', 'exact', 'staged'] as const;
const goals = z
  .strictObject({
    imbalance: z.number().min(0).default(1),
    movement: z.number().min(0).default(0.2),
    latency: z.number().min(0).default(0.1),
    partitionCount: count.optional(),
  })
  .prefault({} as never);
/** The SLO percentile when a scenario names none. */
export const DEFAULT_SLO_PERCENTILE = 99;
/** `tailQuantile` of the policies with a tail picture; `whose` says whose p90 band it scales. */
const tailQuantile = (whose: string) =>
  z
    .number()
    .min(0.5)
    .max(0.999)
    .optional()
    .meta({ description: `quantile of a node's per-tick load that plans keep within capacity: the tail picture ${whose} p90 band (and the tick headroom) scaled to this quantile under the normal approximation; higher = more headroom, more moves; default: the scenario's slo.percentile as a fraction (0.99 for p99), within 0.5–0.999 (docs/trust.md, 'Tail quantile')` });
const planning = {
  every: positiveDuration('5m'),
  threshold: z.number().min(0).max(1).default(0.05),
  optimizer: z.enum(OPTIMIZER_NAMES).default('annealing'),
  iterations: count.max(10_000_000).default(5_000).meta({ description: 'optimizer budget per decision (iterations)' }),
  goals,
  churnBudget: z
    .strictObject({ bytesPerHour: sizeText.transform((v) => parseSize(v)!).optional(), stateSharePerHour: fraction.optional() })
    .optional()
    .meta({ description: 'state the plans may send between nodes per rolling hour (bytes and/or share of all state); the PRE honours what is left' }),
  searchWindows: z.number().int().min(1).max(1024).optional().meta({ description: "windows of the picture the PRE's search keeps apart (consecutive ones are averaged in groups beyond it); default 12 (hindsight: every window of the phase, up to 288)" }),
  payback: positiveDuration()
    .optional()
    .meta({ description: "span a plan must pay back its execution over, the picture's last window held until then; default: predictive, oracle and the fair reactive baseline the horizon, or twice it where the stream's key-space shape has held that long (docs/planner.md, 'The payback span'); plain reactive its horizon; hindsight its phase" }),
  priceExecution: z.boolean().default(true).meta({ description: "price a plan while it runs: the old layout serves until each cut-over, moves take `cluster.moveLoad` from their nodes, and the gain must pay back within the horizon; false: as if the new layout held at once" }),
  strategy: z.enum(['chase', 'auto']).optional().meta({ description: "auto: hold a striped layout (equal-width partitions round-robin over the nodes) instead of chasing the load while scores on the observed stream say it serves better, back to chasing when it stops; chase: the PRE at every decision. Default: auto for predictive, oracle/perfect-forecast and the fair reactive baseline (headroom), chase for the others" }),
  warmShare: z.number().min(0).max(1).optional().meta({ description: "share of `iterations` a decision spends when the PRE resumes from the last search's result, which it does while that result still costs no more than every fresh start (default 0.25; hindsight 0; 0: every search cold at the whole budget; docs/planner.md, 'Warm starts')" }),
  skipTolerance: z.number().min(0).max(1).optional().meta({ description: 'skip a decision when nothing moved since the last one that found nothing to do: loads on every node, partition and key-space slice within this share of a node capacity and no node newly or further over capacity (default 0.03; 0: decide every time)' }),
};
export const POLICY_KINDS = ['static', 'reactive', 'reactive-threshold', 'predictive', 'oracle', 'perfect-forecast', 'mean-oracle', 'hindsight'] as const;
/** The oracle's fields: predictive's code path without the KDP's own (models, history). */
const oracleFields = {
  ...planning,
  horizon: positiveDuration('30m'),
  window: positiveDuration('1m'),
  minHistory: duration('0').meta({ description: 'stream seen before the truth is used (reactive start until then, like predictive); 0: from the first decision' }),
  ranges: z.number().int().min(1).max(4096).default(32).meta({ description: 'equal-width ranges the truth is reported over (range shares, the fallback checks)' }),
  blend: duration('1h').meta({ description: "as predictive's: the near windows mix in the observed shape and total by their measured error-optimal weights" }),
  anomalyShare: z.number().min(0).max(1).default(0.25),
  fallbackError: z.number().min(0).max(1).default(0.25),
  tailQuantile: tailQuantile("is the forecast's"),
};
const policy = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('static'),
    partitions: count.optional().meta({ description: "the layout this lane keeps: this many equal-width partitions assigned round-robin over the nodes (default: cluster.partitions, the start every lane shares); a finer one stripes any hot band over every node" }),
  }),
  z.strictObject({
    kind: z.literal('reactive'),
    ...planning,
    every: positiveDuration('1m'),
    window: positiveDuration('1m'),
    horizon: positiveDuration('30m').meta({ description: 'span a plan must pay back its execution over (the observed load is assumed to hold for it)' }),
    headroom: z.boolean().default(false).meta({ description: "the fair baseline: predictive's code path fed persistence (same tail headroom, same checks between decisions); false: the plain reactive policy" }),
    tailQuantile: tailQuantile('is (with `headroom`) the'),
  }),
  z.strictObject({
    kind: z.literal('reactive-threshold'),
    highWater: z.number().positive().max(10).default(0.8),
    lowWater: z.number().min(0).max(10).default(0.2),
    cooldown: duration('5m'),
    every: positiveDuration('1m'),
    window: positiveDuration('1m'),
  }),
  z.strictObject({
    kind: z.literal('predictive'),
    ...planning,
    horizon: positiveDuration('30m'),
    window: positiveDuration('1m'),
    models: z.array(z.enum(MODEL_NAMES)).min(1).default(['auto']),
    history: positiveDuration('2d').meta({ description: 'history the KDP keeps for fitting' }),
    minHistory: positiveDuration('2h').meta({ description: 'stream seen before forecasts are trusted (reactive fallback until then)' }),
    ranges: z.number().int().min(1).max(4096).default(32).meta({ description: 'forecast ranges of the KDP (equal-load groups of buckets)' }),
    blend: duration('1h').meta({ description: 'span within which the planning picture mixes the observed load into the forecast: window k weighs the observed shape and the observed total each by the weight minimising the squared error, from the measured errors of forecast and persistence at that lead' }),
    regret: z.boolean().default(false).meta({ description: 'measure the regret decomposition against the true future (doubles planning time)' }),
    anomalyShare: z.number().min(0).max(1).default(0.25).meta({ description: 'fall back to reactive when strongly flagged ranges carry this share of the forecast load' }),
    fallbackError: z.number().min(0).max(1).default(0.25).meta({ description: 'fall back to reactive when the last forecast of range shares was off by more than this total-variation distance' }),
    tailQuantile: tailQuantile("is the forecast's"),
  }),
  z.strictObject({ kind: z.literal('oracle'), ...oracleFields }),
  z.strictObject({ kind: z.literal('perfect-forecast'), ...oracleFields }),
  z.strictObject({ kind: z.literal('mean-oracle'), ...planning, horizon: positiveDuration('30m') }),
  z.strictObject({
    kind: z.literal('hindsight'),
    ...planning,
    every: positiveDuration('6h').meta({ description: 'phase length: a layout is planned at t = 0 and at each phase start from the realised load (as long as the run: the best fixed layout in hindsight)' }),
    horizon: duration('0').meta({ description: 'span of realised load each decision plans for and must pay back over; 0: the phase (`every`)' }),
    window: positiveDuration('5m').meta({ description: 'window of the realised load picture' }),
    iterations: count.max(10_000_000).default(20_000).meta({ description: 'optimizer budget per decision (iterations); decisions are few' }),
  }),
]);

// ---- whole file ----

export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9-]+$/, { message: 'use lower-case letters, digits and dashes ([a-z0-9-]+)' }),
    description: z.string().default(''),
    seed: z.number().int().min(0).max(2 ** 53 - 1).default(1),
    seeds: count.max(1000).default(1).meta({ description: 'seeds a run simulates (seed, seed+1, …; common random numbers within each): summary.json gains per-seed values, means, 95% intervals and paired ratios' }),
    duration: positiveDuration('1d'),
    warmup: duration('0'),
    tick: positiveDuration('1s'),
    keyspace,
    workload,
    cluster,
    apm,
    slo: z
      .strictObject({ latency: positiveDuration('100ms'), percentile: z.number().gt(0).lt(100).default(DEFAULT_SLO_PERCENTILE) })
      .prefault({} as never),
    policies: z.record(z.string(), policy).optional(),
    expect: z.array(z.string().min(1)).default([]),
    sweep: z
      .strictObject({
        seeds: count.max(10_000).default(1),
        grid: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1)).default({}),
      })
      .prefault({} as never),
  });

/** A validated scenario: units are numbers (ms, bytes, bytes/s). */
export type Scenario = z.output<typeof scenarioSchema>;
export type PolicySpec = z.output<typeof policy>;
export type PolicyKind = PolicySpec['kind'];
export type KeyComponent = z.output<typeof component>;
export type TraceConfig = z.output<typeof trace>;
/** The `apm` section's defaults (src/manager/apm-config.ts has the same as DEFAULT_APM; a test keeps them equal). */
/** A policy kind's spec with every field at its default (what `{ kind }` alone parses to). */
export function policyDefaults(kind: PolicyKind): Record<string, unknown> {
  const r = policy.safeParse({ kind });
  return r.success ? (withTailDefault(r.data, DEFAULT_SLO_PERCENTILE) as Record<string, unknown>) : { kind };
}

/** Kinds that plan with a tail picture: those whose schema has `tailQuantile`. */
const TAIL_KINDS: ReadonlySet<string> = new Set(policy.options.filter((o) => 'tailQuantile' in o.shape).map((o) => o.shape.kind.value));

/**
 * The `tailQuantile` an SLO at `percentile` (%) calls for: the same quantile, within the field's
 * 0.5–0.999. A p99 SLO on ticks of seconds is broken by the ticks a node spends over capacity, so
 * plans keep a node within it in 99 ticks of 100; a p95 SLO needs less headroom, a p99.9 one more.
 */
export const tailQuantileFor = (percentile: number): number => Math.min(0.999, Math.max(0.5, Number((percentile / 100).toPrecision(12))));

/** `spec` with `tailQuantile` from the SLO's percentile where its kind takes one and it names none. */
export function withTailDefault(spec: PolicySpec, percentile: number): PolicySpec {
  if (!TAIL_KINDS.has(spec.kind) || (spec as { tailQuantile?: number }).tailQuantile !== undefined) return spec;
  return { ...spec, tailQuantile: tailQuantileFor(percentile) } as PolicySpec;
}

export function defaultApm(): z.output<typeof apm> {
  return apm.parse({});
}

/** The JSON Schema (2020-12) of scenario files, for editors and `keycast schema`. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...s, title: 'keycast scenario', $id: 'https://keycast.dev/schema/scenario.json' };
}
