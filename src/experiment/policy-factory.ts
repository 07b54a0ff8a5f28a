/** Builds a policy instance from its scenario spec (the one place that maps `kind` to a class). */
import type { PolicySpec } from '../scenario/schema.ts';
import type { Policy } from '../policies/policy.ts';
import { StaticPolicy } from '../policies/static-policy.ts';
import { ReactiveThresholdPolicy } from '../policies/reactive-threshold.ts';

export function createPolicy(spec: PolicySpec): Policy {
  switch (spec.kind) {
    case 'static':
      return new StaticPolicy();
    case 'reactive-threshold':
      return new ReactiveThresholdPolicy(spec);
    default:
      throw new Error(`policy kind ${spec.kind} is not implemented yet`);
  }
}
