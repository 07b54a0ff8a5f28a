/** `static`: never repartitions — the baseline every other policy is measured against. */
import type { Policy } from './policy.ts';

export class StaticPolicy implements Policy {
  readonly kind = 'static';
  start(): void {}
}
