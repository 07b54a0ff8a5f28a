import { describe, expect, it } from 'vitest';
import { InputError, formatProblem, type Problem } from '../../src/model/errors.ts';
import { applyOverrides, dedupe, KEY, parseScenarioYaml, pathText, position } from '../../src/scenario/yaml-doc.ts';

function yamlProblems(text: string): string[] {
  try {
    parseScenarioYaml(text, 'f.yaml');
    return [];
  } catch (err) {
    return (err as InputError).problems.map(formatProblem);
  }
}

describe('the scenario document', () => {
  it('reports every YAML problem at once, and aliases naming no anchor', () => {
    expect(yamlProblems('')).toEqual(['f.yaml: the file is empty']);
    expect(yamlProblems('a: 1\na: 2\n')[0]).toMatch(/^f\.yaml:2:1 YAML: /);
    expect(yamlProblems('a: *nowhere\n')).toEqual(['f.yaml:1:4 YAML: alias *nowhere names no anchor &nowhere defined before it']);
    expect(yamlProblems('- 1\n- 2\n')).toEqual(['f.yaml:1:1 the document must be a mapping of fields (name:, duration:, …)']);
  });

  it('points at a field’s value, or at its key for unknown fields and collections', () => {
    const { doc, lc } = parseScenarioYaml('name: t\ncluster:\n  nodes: 3\nkeys:\n  - a\n  - b\n', 'f.yaml');
    expect(position(doc, lc, ['cluster', 'nodes'])).toEqual({ line: 3, col: 10 });
    expect(position(doc, lc, ['cluster', 'nodes', KEY])).toEqual({ line: 3, col: 3 });
    expect(position(doc, lc, ['keys', 1])).toEqual({ line: 6, col: 5 });
    expect(position(doc, lc, ['cluster', 'missing'])).toEqual({ line: 2, col: 1 });
    expect(pathText(['keys', 1, 'share'])).toBe('keys[1].share');
  });

  it('applies --set and --seed, naming the fields set; a seed set twice is a flag problem', () => {
    const { doc } = parseScenarioYaml('name: t\ncluster: { nodes: 3 }\n', 'f.yaml');
    const problems: Problem[] = [];
    const set = applyOverrides(doc, ['cluster.nodes=5', 'seed=3', 'nonsense'], 7, problems, 'f.yaml');
    expect(set.map((c) => c.path)).toEqual(['cluster.nodes', 'seed', 'seed']);
    expect(doc.toJS()).toEqual({ name: 't', cluster: { nodes: 5 }, seed: 7 });
    expect(problems.map(formatProblem)).toEqual(["<cli>: --set: 'nonsense' should be path=value", '<cli>: --seed: and --set seed=3 both set the seed: give one']);
  });

  it('orders problems by position and drops repeats', () => {
    const p = (line: number, message: string): Problem => ({ file: 'f', path: 'x', line, col: 1, message });
    expect(dedupe([p(3, 'b'), p(1, 'a'), p(3, 'b')]).map((x) => x.message)).toEqual(['a', 'b']);
  });
});
