/** Builds a policy instance from its scenario spec (the one place that maps `kind` to a class). */
import type { PolicySpec } from '../scenario/schema.ts';
import type { Policy } from '../policies/policy.ts';
import { StaticPolicy } from '../policies/static-policy.ts';
import { ReactiveThresholdPolicy } from '../policies/reactive-threshold.ts';
import { HeadroomReactivePolicy, ReactivePolicy } from '../policies/reactive.ts';
import { PredictivePolicy } from '../policies/predictive.ts';
import { MeanOraclePolicy } from '../policies/oracle.ts';
import { PerfectForecastPolicy } from '../policies/perfect-forecast.ts';
import { HindsightPolicy } from '../policies/hindsight.ts';

export function createPolicy(spec: PolicySpec): Policy {
  switch (spec.kind) {
    case 'static':
      return new StaticPolicy();
    case 'reactive-threshold':
      return new ReactiveThresholdPolicy(spec);
    case 'reactive':
      return spec.headroom ? new HeadroomReactivePolicy(spec) : new ReactivePolicy(spec);
    case 'predictive':
      return new PredictivePolicy(spec);
    case 'oracle':
    case 'perfect-forecast':
      return new PerfectForecastPolicy(spec);
    case 'mean-oracle':
      return new MeanOraclePolicy(spec);
    case 'hindsight':
      return new HindsightPolicy(spec);
  }
}
