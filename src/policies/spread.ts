/**
 * The spread strategy of a planning policy (`strategy: auto`). Where moving state is slow next to
 * how fast the hot keys move, chasing the load with re-cuts and moves loses to a layout that never
 * has to move: fine equal-width partitions placed round-robin over the nodes, which spread any
 * contiguous hot range over every node wherever it goes (what hash partitioning does, keeping key
 * ranges). Which of the two suits the stream at hand is measured, as the KDP picks its models: at
 * every decision the window just observed is scored under the layout the cluster has and under
 * each striped candidate — the share of the traffic expected to wait: a record waits in the ticks
 * its node is over capacity or its partition over `partitionCapacity`, loads spread around the
 * window's mean by the policy's measured tick noise (spread-score.ts `expectedWaiting`), so a
 * layout just under capacity in the mean is not scored free — with exponential forgetting. A candidate is scored as
 * the strategy would run it, its stripes re-placed between nodes after each window as held stripes
 * are (shadow-stripes.ts), not as round-robin left them; the traffic of buckets that alone exceed
 * what one partition can serve, which waits under any layout, is left out of every score
 * (spread-score.ts). When chasing does not keep up (a fifth or more of its plans are overtaken by
 * the next one before they finish, or a day of scores whatever its plans do: plans that land but
 * not where the load is lose too, and a day covers the load's daily cycle, where fewer hours may
 * hold only quiet ones) and, after enough evidence, the best candidate scores at most
 * `ratio` of the actual layout (and the actual one is over `floor`), and the migration, priced as
 * the APM would run it (migration-cost.ts), waits fewer records over the payback span than chasing
 * on, the policy migrates to its round-robin stripes (the held ones are then placed for the
 * policy's own picture) and holds them: the PRE is not asked while the layout holds (when the
 * best count's migration needs more than `maxPartitions`, the best that fits, split in place).
 * When a hot range narrower than a stripe appears (`hotShare` of the traffic in stripes that alone
 * exceed a node, or a partition's own capacity), which only finer cuts serve, it splits its
 * stripes where they are into a finer candidate count that serves it (no state moves; placement
 * then moves the halves), or goes back to chasing if none does. The held layout is not compared
 * with chasing's old score: the two would be measured over different hours (a daily peak against
 * a night). A crashed node freezes the strategy (its partitions wait whatever the layout); nodes
 * joining or leaving for good re-place the held stripes (restripe.ts). Under a churn budget the
 * migration is priced at the budget's pace (`pace`), and the policy runs it in cuts that fit.
 *
 * The score is a proxy of the SLO (the window's mean rates and the tick noise, not per-tick
 * queues), applied alike to both sides; nodes sending or receiving state (the actual layout's, a
 * candidate's placement) lose `moveLoad` of capacity.
 */
import { equalPartitionMap, onInactiveNode, sameCut, type PartitionMap } from '../model/partition-map.ts';
import { bestFitting, expectedWaiting, hotOf, impactOf, overloadOf, Scores, servable, splitAvoidable } from './spread-score.ts';
import { Z90 } from './truth-source.ts';
import type { Plan, PlanAction } from '../model/plan.ts';
import { deriveActions } from '../planner/derive-actions.ts';
import { restripe, splitInPlace, stripeCounts, stripes } from './restripe.ts';
import type { Placement } from './stripe-placement.ts';
import { migrationCost } from './migration-cost.ts';
import { totalLoad } from '../model/load.ts';
import { ShadowStripes } from './shadow-stripes.ts';
import { countSafe } from '../planner/count-safe.ts';
import { loadAwareOrder } from '../planner/load-order.ts';
import type { PolicyContext } from './policy.ts';
import type { PlanCounts, StrategyReport } from '../model/policy-outcome.ts';

export type Strategy = 'chase' | 'auto';

/** The strategy's settings (not scenario fields; README, "Policies", gives their values). */
export interface SpreadSettings {
  /** Half-life of the scores' forgetting, ms. */
  readonly halfLifeMs: number;
  /** Evidence (scored time since the last switch) needed before switching, ms. */
  readonly minEvidenceMs: number;
  /** Switch when the best candidate scores at most this share of the actual layout. */
  readonly ratio: number;
  /** ... and the actual layout has at least this share of its traffic over capacity. */
  readonly floor: number;
  /** Span a migration's gain must pay back its cost over, ms. */
  readonly paybackMs: number;
  /** Leave a held layout when this share of the traffic is in partitions that alone exceed a node's capacity. */
  readonly hotShare: number;
  /** Share of chasing's ended plans superseded before they finished at which it no longer keeps up. */
  readonly supersededShare: number;
  /** Ended plans chasing's record needs before it can be judged as not keeping up. */
  readonly minEndedPlans: number;
  /**
   * Scored time after which chasing is judged by its waiting alone, its plans finished or not: a
   * day, so that the scores hold the load's daily peak (over quiet hours every candidate scores
   * nothing) and the start's overload, which chasing clears, weighs little in them.
   */
  readonly settledMs: number;
  /** Candidates: the largest this many stripe counts that divide the key space evenly. */
  readonly candidates: number;
}

export const SPREAD_SETTINGS: SpreadSettings = { halfLifeMs: 6 * 3_600_000, minEvidenceMs: 2 * 3_600_000, ratio: 0.25, floor: 0.0005, paybackMs: 6 * 3_600_000, hotShare: 0.01, minEndedPlans: 4, supersededShare: 0.2, settledMs: 24 * 3_600_000, candidates: 4 };

/** What the strategy tells a decision: let the PRE plan, hold the layout (`placeable`: in place, no plan runs, its stripes may be re-placed, stripe-placement.ts), or run a migration. */
export type SpreadStep = { readonly kind: 'chase' } | { readonly kind: 'hold'; readonly placeable?: boolean } | { readonly kind: 'migrate'; readonly plan: Plan };

export class SpreadStrategy {
  private readonly rates: Float64Array;
  /** The window's rates without the buckets that alone exceed what a partition can serve (see `splitAvoidable`). */
  private readonly avoidable: Float64Array;
  /** State bytes per bucket, read into one buffer (the migration's cost). */
  private readonly state: Float64Array;
  /** The last pair derived, with the rates it was ordered on (`scoredAt`): a switch checks it, then runs it. */
  private last: { base: PartitionMap; target: PartitionMap; ratesAt: number; d: ReturnType<SpreadStrategy['derived']> } | null = null;
  private candidates: PartitionMap[] | null = null;
  /** Each candidate as the strategy would have placed its stripes (shadow-stripes.ts): what is scored. */
  private shadows: ShadowStripes[] = [];
  /** The active nodes the candidates were built for (rebuilt, scores reset, when they change). */
  private candKey = '';
  /** Node index bound of the candidates' nodes (loads are indexed by node). */
  private dim = 0;
  /** The APM's plan counts when the scores were last reset (chasing's record is counted from there). */
  private plansAtReset: PlanCounts | null = null;
  private scoredAt = -Infinity;
  private scores: Scores | null = null;
  private mode: 'chase' | 'spread' = 'chase';
  private target: PartitionMap | null = null;
  /** A finer stripe count to split the held stripes into once in place (see `step`), or null. */
  private goal: number | null = null;
  private since = 0;
  private seq = 0;
  readonly report: StrategyReport = { switches: 0, spreadMs: 0, placements: 0, placedStripes: 0, events: [] };

  constructor(
    private readonly ctx: PolicyContext,
    private readonly everyMs: number,
    private readonly settings: SpreadSettings = SPREAD_SETTINGS,
    /** The policy's savings threshold, which the candidates' placements must clear as the held stripes' do. */
    private readonly threshold = 0.05,
    /** The policy's tick noise: the p90 relative excess of a tick's load over its window's mean (0: unknown). */
    private readonly noise: () => number = () => 0,
    /** What a churn budget lets the policy send, bytes/s (Infinity: no budget). */
    private readonly pace: () => number = () => Infinity,
  ) {
    this.rates = new Float64Array(ctx.buckets);
    this.avoidable = new Float64Array(ctx.buckets);
    this.state = new Float64Array(ctx.buckets);
  }

  /** Whether `planId` is one of this strategy's migrations (the APM's stale-plan re-check leaves them alone). */
  owns(planId: string): boolean {
    return planId.startsWith(`${this.ctx.name}-spread-`);
  }

  /** Scores the window just observed, maybe switches, and says what the decision does. */
  step(nowMs: number, base: PartitionMap, busy: boolean, activePlanId: string | undefined, transferring: ReadonlySet<number>, plans: PlanCounts): SpreadStep {
    const nodes = this.ctx.control.activeNodes();
    // Partitions on a node that is down (crashed, or removed and not yet drained): no layout can
    // serve them until it is back or drained, so nothing is scored or switched meanwhile.
    const current = this.ctx.control.currentMap();
    if (onInactiveNode(base, nodes) || onInactiveNode(current, nodes)) return { kind: this.mode === 'spread' ? 'hold' : 'chase' };
    // Nodes added or removed for good: the held stripes are re-placed (restripe.ts), if enough.
    if (this.mode === 'spread' && !sameSet(nodes, this.target!.nodes)) {
      if (this.target!.nodes.length < 2 * nodes.length) return this.leave(nowMs, `the nodes changed (now ${nodes.join(', ')})`);
      const next = restripe(this.target!, nodes, eq(current.boundaries, this.target!.boundaries) ? current.nodes : undefined);
      const moved = next.nodes.filter((n, i) => n !== this.target!.nodes[i]).length;
      if (this.report.events.length < 100) this.report.events.push({ timeMs: nowMs, to: 'restripe', reason: `the nodes changed (now ${nodes.join(', ')}): ${moved} of ${next.nodes.length} stripes re-placed` });
      this.target = next;
    }
    const N = nodes.length;
    this.score(nowMs, nodes, transferring);
    const s = this.scores;
    if (!s) return { kind: 'chase' };
    if (this.mode === 'chase') {
      // After a day of scores chasing is judged by its waiting alone, its plans finished or not.
      const judged = s.evidenceMs >= this.settings.settledMs || !this.keepsUp(plans);
      const best = judged ? this.best(N, base) : null;
      if (best === null) return { kind: 'chase' };
      const [a, b, k] = [s.share(s.actual), s.share(s.cand[best]), this.candidates![best].ids.length];
      this.enter(nowMs, this.candidates![best], `actual layout ${pct(a)} of traffic waiting, ${k} stripes ${pct(b)} (last ${hours(s.evidenceMs)})`);
      // A finer count that scored lower but whose migration did not fit: split into it once held.
      const g = this.candidates![bestFitting(s.cand, () => true)!].ids.length;
      this.goal = g > k && g % k === 0 ? g : null;
    } else if (!eq(this.ctx.control.currentMap().boundaries, this.target!.boundaries)) {
      // Migrating to the stripes: the held layout is judged from when it is in place (not re-placing them).
      s.reset();
      this.plansAtReset = null;
    } else if (this.goal !== null && !busy) {
      const split = splitInPlace(this.target!, this.goal, this.ctx.buckets);
      if (this.fits(base, split)) this.refine(nowMs, split, `the best-scoring ${this.goal} stripes, whose migration did not fit maxPartitions`);
      this.goal = null;
    } else if (s.evidenceMs >= this.settings.minEvidenceMs && s.share(s.hot) >= this.settings.hotShare && !busy) {
      const why = `held layout: ${pct(s.share(s.hot))} of traffic in stripes each over what a partition can serve`;
      const finer = this.finer(base);
      if (!finer) return this.leave(nowMs, why);
      this.refine(nowMs, finer, why);
    }
    if (sameCut(base, this.target!)) return { kind: 'hold', placeable: !busy };
    if (busy && activePlanId !== undefined && this.owns(activePlanId)) return { kind: 'hold' };
    return { kind: 'migrate', plan: this.migration(nowMs, base) };
  }

  /** Holds the placement's stripes (stripe-placement.ts) from now, and the migration to them from `base`. */
  replace(nowMs: number, base: PartitionMap, placed: Placement): Plan {
    if (nowMs >= this.ctx.warmupMs) {
      this.report.placements++;
      this.report.placedStripes += placed.moves;
    }
    this.target = placed.map;
    return this.migration(nowMs, base);
  }

  /**
   * Whether chasing keeps up: under `supersededShare` of the plans that ended since the last
   * switch (or fewer than `minEndedPlans` of them) were superseded by a newer plan before they
   * finished. Where moves are fast plans finish before the next decision; where a move takes
   * longer than the load it follows stays put, the next plans overtake them. (Plans the re-check
   * aborts or failures roll back say nothing about it.) Asked only before `settledMs` of scores:
   * after it, plans that land but not where the load is lose too, and the scores alone decide.
   */
  private keepsUp(plans: PlanCounts): boolean {
    const ended = (c: PlanCounts) => c.completed + c.superseded + c.aborted + c.rolledBack;
    if (!this.plansAtReset) this.plansAtReset = { ...plans };
    const n = ended(plans) - ended(this.plansAtReset);
    return n < this.settings.minEndedPlans || plans.superseded - this.plansAtReset.superseded < this.settings.supersededShare * n;
  }

  /** Measured ms spent in spread mode, counted to the end of the run. */
  finish(): StrategyReport {
    if (this.mode === 'spread') this.report.spreadMs += Math.max(0, this.ctx.endMs - Math.max(this.since, this.ctx.warmupMs));
    this.mode = 'chase';
    return this.report;
  }

  /** Scores the last `every` once per `every` (a decision between regular ones scores nothing). */
  private score(nowMs: number, nodes: readonly number[], transferring: ReadonlySet<number>): void {
    const key = nodes.join(',');
    if (!this.candidates || this.candKey !== key) {
      this.candKey = key;
      this.dim = Math.max(...nodes) + 1;
      const c = this.ctx.cluster;
      const ks = stripeCounts(this.ctx.buckets, nodes.length, c.maxPartitions, this.settings.candidates);
      this.candidates = ks.map((k) => stripes(this.ctx.buckets, k, nodes));
      this.shadows = this.candidates.map((c) => new ShadowStripes(c));
      this.scores = ks.length ? new Scores(ks.length) : null;
      this.plansAtReset = null;
    }
    const N = this.dim;
    const s = this.scores;
    if (!s || nowMs - this.scoredAt < this.everyMs) return;
    this.scoredAt = nowMs;
    this.ctx.observedRate(this.everyMs, this.rates);
    const cap = this.ctx.cluster.nodeCapacity;
    const pcap = this.ctx.cluster.partitionCapacity ?? Infinity;
    const d = Math.pow(2, -this.everyMs / this.settings.halfLifeMs);
    const dt = this.everyMs / 1000;
    const map = this.ctx.control.currentMap();
    const serve = servable(cap, pcap);
    splitAvoidable(this.rates, serve, this.avoidable);
    const moveLoad = this.ctx.cluster.moveLoad ?? 0;
    const rel = Math.max(0, this.noise()) / Z90;
    s.actual = s.actual * d + expectedWaiting(map, this.rates, this.avoidable, N, cap, rel, { nodes: transferring, load: moveLoad }, pcap) * dt;
    s.total = s.total * d + totalLoad(this.rates) * dt;
    s.hot = s.hot * d + hotOf(map, this.avoidable, serve) * dt;
    let st: Float64Array | null = null;
    const state = () => (st ??= this.ctx.stateBytes(this.state));
    for (let i = 0; i < this.shadows.length; i++) {
      const sh = this.shadows[i];
      sh.advance(nowMs);
      s.cand[i] = s.cand[i] * d + expectedWaiting(sh.map, this.rates, this.avoidable, N, cap, rel, { nodes: sh.moving, load: moveLoad }, pcap) * dt;
      if (this.mode === 'chase') sh.place(nowMs, this.rates, this.everyMs, state, nodes, this.ctx.cluster, this.threshold);
    }
    s.evidenceMs += this.everyMs;
  }

  /**
   * The candidate to spread to now, or null: enough evidence, a clear gain for the best-scoring
   * candidate whose migration fits `maxPartitions`, and that migration pays back: the gain over
   * `paybackMs` must exceed what the migration costs while it runs (every node losing `moveLoad`
   * of its capacity for its estimated duration).
   */
  private best(N: number, base: PartitionMap): number | null {
    const s = this.scores!;
    const set = this.settings;
    if (this.ctx.cluster.maxPartitions < 2 * N || s.evidenceMs < set.minEvidenceMs) return null;
    const a = s.share(s.actual);
    if (a < set.floor) return null;
    // The best-scoring candidate that fits, ties to the finer stripes (candidates come finest
    // first). Only it is priced: a coarser layout that scored the same is not taken because its
    // migration is cheaper (the evidence may cover only quiet hours, where every candidate
    // scores nothing, and finer stripes spread a coming hot range over more nodes).
    // When even the best score misses the ratio, no migration is derived at all.
    if (!(s.share(Math.min(...s.cand)) <= set.ratio * a)) return null;
    const best = bestFitting(s.cand, (i) => this.fits(base, this.candidates![i]));
    if (best === null || !(s.share(s.cand[best]) <= set.ratio * a)) return null;
    return this.pays(base, this.candidates![best], a, s.share(s.cand[best])) ? best : null;
  }

  /**
   * Whether migrating to `target` waits fewer records over the next `paybackMs` than chasing on
   * (the actual layout's waiting share `a`; the target's `b`): the migration priced as it runs
   * (migration-cost.ts), then the target's share for the rest of the span.
   */
  private pays(base: PartitionMap, target: PartitionMap, a: number, b: number): boolean {
    const H = this.settings.paybackMs / 1000;
    const d = this.derived(base, target);
    const state = this.ctx.stateBytes(this.state);
    const pace = this.pace();
    if (!(pace > 0)) return false;
    const m = migrationCost({ base, target, actions: d.actions, dependsOn: d.dependsOn, rates: this.rates, avoidable: this.avoidable, state, cluster: this.ctx.cluster, dim: this.dim, noise: this.noise(), horizonS: H, paceBytesPerSec: pace });
    const total = totalLoad(this.rates);
    return m.waiting + b * total * (H - m.seconds) < a * total * H;
  }

  /**
   * The held stripes split where they are (no state moves) into the coarsest finer candidate
   * count that leaves under `hotShare` of the window's traffic in stripes over what a partition
   * can serve and fits `maxPartitions`; null when none does (then only chasing serves the range).
   */
  private finer(base: PartitionMap): PartitionMap | null {
    const held = this.target!;
    const k = held.ids.length;
    const cap = servable(this.ctx.cluster.nodeCapacity, this.ctx.cluster.partitionCapacity);
    const total = totalLoad(this.rates);
    for (let i = this.candidates!.length - 1; i >= 0; i--) {
      const r = this.candidates![i].ids.length / k;
      if (!(r > 1 && Number.isInteger(r))) continue;
      const split = splitInPlace(held, r * k, this.ctx.buckets);
      if (hotOf(split, this.avoidable, cap) < this.settings.hotShare * total && this.fits(base, split)) return split;
    }
    return null;
  }

  /** Whether the migration from `base` to `target` keeps the count within `maxPartitions` as the APM runs it. */
  private fits(base: PartitionMap, target: PartitionMap): boolean {
    return this.derived(base, target).peak <= this.ctx.cluster.maxPartitions;
  }

  /**
   * The actions from `base` to `target` as the PRE's plans get them (plan-repartition.ts): derived,
   * in a drain-before-fill order on the window just observed, with count-safe dependencies, and
   * that order's peak partition count. Kept for the last pair: a switch checks it, then runs it.
   */
  private derived(base: PartitionMap, target: PartitionMap): { actions: PlanAction[]; dependsOn: number[][]; after: PartitionMap; peak: number } {
    if (this.last?.base === base && this.last.target === target && this.last.ratesAt === this.scoredAt) return this.last.d;
    const d = deriveActions(base, { boundaries: Int32Array.from(target.boundaries), nodes: Int32Array.from(target.nodes) });
    const o = loadAwareOrder(base, d.actions, d.dependsOn, this.rates, this.ctx.cluster.nodeCapacity);
    const cs = countSafe(base, o.actions, o.dependsOn, this.ctx.cluster.maxPartitions);
    const out = { actions: o.actions, dependsOn: cs.dependsOn, after: d.after, peak: cs.peak };
    this.last = { base, target, ratesAt: this.scoredAt, d: out };
    return out;
  }

  private enter(nowMs: number, target: PartitionMap, reason: string): void {
    this.mode = 'spread';
    this.target = target;
    this.since = nowMs;
    this.scores!.reset();
    this.plansAtReset = null;
    this.event(nowMs, 'spread', reason);
  }

  /** Holds `split`, the held stripes split where they are, from now (its scores start afresh). */
  private refine(nowMs: number, split: PartitionMap, why: string): void {
    if (this.report.events.length < 100) this.report.events.push({ timeMs: nowMs, to: 'refine', reason: `${why}: ${this.target!.ids.length} → ${split.ids.length} stripes, each split where it is` });
    this.target = split;
    this.scores!.reset();
    this.plansAtReset = null;
  }

  private leave(nowMs: number, reason: string): SpreadStep {
    this.goal = null;
    if (this.mode === 'spread') {
      this.report.spreadMs += Math.max(0, nowMs - Math.max(this.since, this.ctx.warmupMs));
      this.mode = 'chase';
      this.target = null;
      this.scores?.reset();
      this.plansAtReset = null;
      this.event(nowMs, 'chase', reason);
    }
    return { kind: 'chase' };
  }

  private event(timeMs: number, to: 'spread' | 'chase', reason: string): void {
    this.report.switches++;
    if (this.report.events.length < 100) this.report.events.push({ timeMs, to, reason });
  }

  /** The plan from `base` to the held layout, its impact read off the window just observed. */
  private migration(nowMs: number, base: PartitionMap): Plan {
    const target = this.target!;
    const N = this.dim;
    const cap = this.ctx.cluster.nodeCapacity;
    const pcap = this.ctx.cluster.partitionCapacity ?? Infinity;
    const d = this.derived(base, target);
    const current = impactOf(base, this.rates, N);
    const predicted = impactOf(d.after, this.rates, N);
    const a = overloadOf(base, this.rates, N, cap, undefined, pcap).over;
    const b = overloadOf(d.after, this.rates, N, cap, undefined, pcap).over;
    return {
      id: `${this.ctx.name}-spread-${++this.seq}`,
      createdAtMs: nowMs,
      basis: `spread@${nowMs} (${target.ids.length} stripes held)`,
      before: base,
      after: d.after,
      actions: d.actions,
      dependsOn: d.dependsOn,
      current,
      predicted,
      savings: a > 0 ? (a - b) / a : 0,
    };
  }
}

/** Whether `used` (a layout's nodes) are exactly the nodes `nodes`. */
const sameSet = (nodes: readonly number[], used: readonly number[]): boolean => new Set(used).size === nodes.length && nodes.every((n) => used.includes(n));
const eq = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const hours = (ms: number): string => `${(ms / 3_600_000).toFixed(1)} h`;
