import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/model/errors.ts';
import { checkExpectations, selectPolicies } from '../../src/scenario/policy-checks.ts';
import { scenarioSchema, type PolicySpec, type Scenario } from '../../src/scenario/schema.ts';

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
});
