/**
 * Schema problems in words a scenario author acts on: zod issues rewritten ("should be a
 * number, not 'fast'"), unknown fields with a did-you-mean from the scenario's JSON Schema, the
 * valid sections of an invalid scenario (so cross-field checks still run on them), and the
 * problems ordered by position without repeats.
 */
import type { z } from 'zod';
import type { Problem } from '../model/errors.ts';
import { didYouMean } from '../model/did-you-mean.ts';
import { POLICY_KINDS, scenarioJsonSchema, scenarioSchema, type Scenario } from './schema.ts';
import { KEY, pathText } from './yaml-doc.ts';

/** A zod issue as the schema reports it. */
type Issue = z.core.$ZodIssue;

/**
 * Adds a problem per schema issue (unknown fields with a did-you-mean at their key, the others
 * in words at their value); returns the sections of `raw` valid on their own.
 */
export function schemaProblems(issues: readonly Issue[], raw: unknown, where: (p: readonly PropertyKey[]) => { line?: number; col?: number }, add: (p: Omit<Problem, 'file'>) => void): Partial<Scenario> {
  const schema = scenarioJsonSchema();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const p = [...issue.path, key];
        const hint = didYouMean(key, knownKeys(schema, issue.path, raw));
        add({ path: pathText(p), ...where([...p, KEY]), message: `unknown field${hint ? ` (did you mean '${hint}'?)` : ''}` });
      }
      continue;
    }
    add({ path: pathText(issue.path), ...where(issue.path), message: friendly(issue as never) });
  }
  return partialScenario(raw);
}

/** Each top-level section of `raw` that is valid on its own, parsed (the others left out). */
export function partialScenario(raw: unknown): Partial<Scenario> {
  const out: Record<string, unknown> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [key, field] of Object.entries(scenarioSchema.shape)) {
    const r = (field as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse((raw as Record<string, unknown>)[key]);
    if (r.success) out[key] = r.data;
  }
  return out as Partial<Scenario>;
}

/** Field names allowed at `p` according to the JSON Schema (for did-you-mean). */
export function knownKeys(schema: Record<string, unknown>, p: readonly PropertyKey[], raw: unknown): string[] {
  const defs = (schema.$defs ?? {}) as Record<string, Record<string, unknown>>;
  const deref = (s: Record<string, unknown>): Record<string, unknown> => {
    const ref = s.$ref as string | undefined;
    return ref && ref.startsWith('#/$defs/') ? deref(defs[ref.slice(8)]) : s;
  };
  let nodes: Record<string, unknown>[] = [schema];
  let value: unknown = raw;
  for (const seg of p) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[seg as string] : undefined;
    const next: Record<string, unknown>[] = [];
    for (const n0 of nodes) {
      for (const n of expand(deref(n0), deref)) {
        if (typeof seg === 'number' && n.items) next.push(n.items as Record<string, unknown>);
        const props = n.properties as Record<string, Record<string, unknown>> | undefined;
        if (typeof seg === 'string' && props?.[seg]) next.push(props[seg]);
        else if (typeof seg === 'string' && n.additionalProperties && typeof n.additionalProperties === 'object') {
          next.push(n.additionalProperties as Record<string, unknown>);
        }
      }
    }
    nodes = next;
  }
  const keys = new Set<string>();
  for (const n0 of nodes) for (const n of expand(deref(n0), deref)) for (const k of Object.keys((n.properties as object) ?? {})) keys.add(k);
  return [...keys];
}

function expand(s: Record<string, unknown>, deref: (s: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown>[] {
  const alts = (s.anyOf ?? s.oneOf ?? s.allOf) as Record<string, unknown>[] | undefined;
  if (!alts) return [s];
  return alts.flatMap((a) => expand(deref(a), deref));
}

/** A zod issue in words a scenario author acts on. */
export function friendly(issue: { code: string; message: string; expected?: string; input?: unknown; values?: unknown[]; options?: unknown[] } & Record<string, unknown>): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `should be ${issue.expected === 'number' ? 'a number' : `of type ${issue.expected}`}, not ${describe(issue.input)}`;
    case 'too_small':
      return `${issue.inclusive === false ? 'must be greater than' : 'must be at least'} ${issue.minimum}${issue.origin === 'array' ? ' entries' : ''}`;
    case 'too_big':
      return `${issue.inclusive === false ? 'must be less than' : 'must be at most'} ${issue.maximum}`;
    case 'invalid_value':
      return `should be one of ${(issue.values ?? []).map((v) => String(v)).join(', ')}`;
    case 'invalid_union': {
      const note = issue.note as string | undefined;
      if (note === 'No matching discriminator') return `kind should be one of ${POLICY_KINDS.join(', ')}`;
      return `not a valid value (${issue.message})`;
    }
    case 'not_multiple_of':
      return `must be a whole number`;
    default:
      return issue.message;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `'${v.length > 30 ? v.slice(0, 30) + '…' : v}'`;
  return String(v);
}
