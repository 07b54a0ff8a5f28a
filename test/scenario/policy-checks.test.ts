import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/model/errors.ts';
import { checkExpectations, selectPolicies } from '../../src/scenario/policy-checks.ts';
import { scenarioSchema, type PolicySpec, type Scenario } from '../../src/scenario/schema.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { specDelta } from '../../src/experiment/spec-key.ts';

const spec = (kind: string): PolicySpec => scenarioSchema.shape.policies.unwrap().valueType.parse({ kind });

describe('policies and expectations', () => {
  it('the defaults run when the scenario names none; --policies keeps some and must name defined ones', () => {
    const add = () => undefined;
    const problems: Problem[] = [];
    expect(selectPolicies({}, {}, undefined, () => ({}), add, problems).policies?.map(([n]) => n)).toEqual(['static', 'reactive', 'predictive', 'oracle']);
    const kept = selectPolicies({}, {}, ['static', 'nope'], () => ({}), add, problems);
    expect(kept.policies?.map(([n]) => n)).toEqual(['static']);
    expect([...kept.defined]).toEqual(['static', 'reactive', 'predictive', 'oracle']);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual(["--policies: no policy 'nope' in the scenario (policies: static, reactive, predictive, oracle)"]);
  });

  it('a badly named policy is a problem at its key', () => {
    const out: string[] = [];
    selectPolicies({ policies: { Bad: spec('static') } } as Partial<Scenario>, {}, undefined, () => ({}), (p) => out.push(`${p.path}: ${p.message}`), []);
    expect(out).toEqual(['policies.Bad: policy names match [a-z][a-z0-9_]*']);
  });

  it('expectations on undefined policies or unknown metrics are problems; those needing a policy not run are skipped', () => {
    const out: string[] = [];
    const policies: [string, PolicySpec][] = [['static', spec('static')]];
    const defined = new Set(['static', 'reactive']);
    const r = checkExpectations(['static.records > 0', 'reactive.records > 0', 'ghost.records > 0', 'static.nonsense > 1'], policies, defined, () => ({}), (p) => out.push(`${p.path}: ${p.message}`));
    // the ones with problems stay listed too: the problems stop the load anyway
    expect(r.expectations.map((e) => e.expr)).toEqual(['static.records > 0', 'ghost.records > 0', 'static.nonsense > 1']);
    expect(r.skippedExpectations).toEqual([{ expr: 'reactive.records > 0', notRun: ['reactive'] }]);
    expect(out[0]).toBe("expect[2]: no policy 'ghost' in the scenario (policies: static, reactive)");
    expect(out[1]).toMatch(/^expect\[3\]: /);
  });

  it('a forecast metric of a policy that reports none is a problem before the run', () => {
    const out: string[] = [];
    const policies: [string, PolicySpec][] = [['static', spec('static')], ['o', spec('oracle')], ['p', spec('predictive')]];
    checkExpectations(['static.forecast.smape < 5', 'o.forecast.mase < 1', 'p.forecast.smape < 5'], policies, new Set(['static', 'o', 'p']), () => ({}), (p) => out.push(`${p.path}: ${p.message}`));
    expect(out).toEqual(['expect[0]: static.forecast.smape: only predictive policies report a forecast (static is static)', 'expect[1]: o.forecast.mase: only predictive policies report a forecast (o is oracle)']);
  });
});

describe('tailQuantile from the SLO', () => {
  const load = (yaml: string) => parseScenario(yaml, 't.yaml', '.');
  it("defaults to the SLO's percentile where a tail-planning policy names none; a policy's own value wins", () => {
    const yaml = (slo: string) => `name: t\n${slo}policies:\n  s: { kind: static }\n  r: { kind: reactive }\n  p: { kind: predictive }\n  o: { kind: oracle }\n  q: { kind: predictive, tailQuantile: 0.9 }\n`;
    const q = (l: ReturnType<typeof load>) => Object.fromEntries(l.policies.map(([n, s]) => [n, (s as { tailQuantile?: number }).tailQuantile]));
    expect(q(load(yaml('')))).toEqual({ s: undefined, r: 0.99, p: 0.99, o: 0.99, q: 0.9 });
    expect(q(load(yaml('slo: { percentile: 95 }\n')))).toEqual({ s: undefined, r: 0.95, p: 0.95, o: 0.95, q: 0.9 });
    expect(q(load(yaml('slo: { percentile: 99.9 }\n')))).toEqual({ s: undefined, r: 0.999, p: 0.999, o: 0.999, q: 0.9 });
    expect(q(load(yaml('slo: { percentile: 99.99 }\n'))).p).toBe(0.999);
    expect(q(load(yaml('slo: { percentile: 20 }\n'))).p).toBe(0.5);
    // the scenario as summary.json and the hash see it is the one the lanes run
    const l = load(yaml('slo: { percentile: 95 }\n'));
    expect((l.scenario.policies!.p as { tailQuantile?: number }).tailQuantile).toBe(0.95);
  });
  it('the default policies get it too, and a p99 scenario keeps the same policy keys as before the default moved to the SLO', () => {
    const l = load('name: t\nslo: { percentile: 95 }\n');
    expect(l.policies.filter(([, s]) => s.kind !== 'static').map(([, s]) => (s as { tailQuantile?: number }).tailQuantile)).toEqual([0.95, 0.95, 0.95]);
    const p99 = load('name: t\n').policies.find(([n]) => n === 'predictive')![1];
    expect(specDelta(p99)).toEqual({ kind: 'predictive' });
    expect(specDelta(l.policies.find(([n]) => n === 'predictive')![1])).toEqual({ kind: 'predictive', tailQuantile: 0.95 });
  });
});
