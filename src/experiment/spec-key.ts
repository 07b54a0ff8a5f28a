/**
 * The key of a policy's random streams: a hash of its spec as the user meant it — the fields
 * that differ from the kind's defaults — not of its name. So two lanes with equal specs face the
 * same draws whatever they are called, and a field added to the schema later (at a default that
 * keeps the old behaviour) leaves every existing scenario's results unchanged.
 */
import { createHash } from 'node:crypto';
import { policyDefaults, type PolicySpec } from '../scenario/schema.ts';

/** Canonical JSON: object keys sorted, so the key does not depend on field order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The fields of `spec` that differ from its kind's defaults (the kind always kept). */
export function specDelta(spec: PolicySpec): Record<string, unknown> {
  const d = policyDefaults(spec.kind);
  const out: Record<string, unknown> = { kind: spec.kind };
  for (const [k, v] of Object.entries(spec)) if (v !== undefined && canonical(v) !== canonical(d[k])) out[k] = v;
  return out;
}

/** 16 hex digits of SHA-256 over the canonical spec delta. */
export function specKey(spec: PolicySpec): string {
  return createHash('sha256').update(canonical(specDelta(spec))).digest('hex').slice(0, 16);
}
