import { describe, expect, it } from 'vitest';
import { LaneMetrics } from '../../src/cluster/lane-metrics.ts';
import { policySummary } from '../../src/experiment/summary.ts';

function lane(): LaneMetrics {
  const m = new LaneMetrics(0, 100, 1);
  m.arrived(10);
  m.served(0, 5, 8);
  m.served(0, 500, 2);
  m.operation('move', 0);
  m.operation('failed', 0);
  return m;
}

describe('a policy summary, assembled in one place', () => {
  it('without a policy report: the cluster’s counts, no plans, no rollbacks, retries or timeouts', () => {
    const s = policySummary('static', lane(), 12.4);
    expect(s.operations).toEqual({ split: 0, merge: 0, move: 1, create: 0, failed: 1, rolledBack: 0, retried: 0, timedOut: 0 });
    expect(s.plans).toEqual({ proposed: 0, completed: 0, rolledBack: 0, superseded: 0, aborted: 0 });
    expect(s.sloViolationRate).toBeCloseTo(0.2, 12);
    expect(s.wallMs).toBe(12);
    expect('forecast' in s || 'regret' in s || 'breaker' in s).toBe(false);
  });

  it('with one: the APM’s plan and action counts beside the cluster’s, and the policy’s extras after the cluster’s metrics', () => {
    const report = {
      plans: { proposed: 3, completed: 1, rolledBack: 1, superseded: 1, aborted: 0 },
      rolledBackActions: 2,
      retriedActions: 4,
      timedOutOps: 1,
      forecast: { smape: 0.1, mase: 0.9, coverage80: 0.8 },
      regret: { forecastCost: 1, optimizerCost: 2, executionLagMs: 3, decisions: 4 },
      breaker: { opened: 1, openMs: 5, skippedDecisions: 2, events: [] },
    };
    const s = policySummary('predictive', lane(), 0, undefined, 86_400_000, report);
    expect(s.operations).toEqual({ split: 0, merge: 0, move: 1, create: 0, failed: 1, rolledBack: 2, retried: 4, timedOut: 1 });
    expect(s.plans).toEqual(report.plans);
    expect(s.plans).not.toBe(report.plans);
    expect(s.reconfigurationsPerDay).toBe(1);
    const keys = Object.keys(s);
    expect(keys.slice(keys.indexOf('wallMs'))).toEqual(['wallMs', 'forecast', 'regret', 'breaker']);
    expect(Object.keys(s.operations)).toEqual(['split', 'merge', 'move', 'create', 'failed', 'rolledBack', 'retried', 'timedOut']);
  });
});
