import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Action, Resource, Subject } from '../../../policy/index.js';
import type { RequestAccess } from '../readable.js';
import { graphqlRequestOf, prepareOperation } from './document.js';
import { filterModelVersions, finalDocument } from './post-filter.js';
import { MAX_ROOT_FIELDS, rootFields } from './root-fields.js';

// The pure half of the GraphQL filter: what the gateway sends MLflow is one operation, with every
// value it checked written in as a literal. (The real-MLflow half is test/security/graphql-leak.test.ts.)

const prepare = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  prepareOperation(graphqlRequestOf({ query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) }));
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('prepareOperation', () => {
  it('inlines variables as literals and drops the variable definitions', () => {
    const p = prepare('query Q($data: MlflowGetRunInput!, $skip: Boolean!) { mlflowGetRun(input: $data) @skip(if: $skip) { run { info { runId } } } }', {
      data: { runId: 'r1' },
      skip: false,
    });
    expect(oneLine(print(p.document))).toBe('query Q { mlflowGetRun(input: {runId: "r1"}) @skip(if: false) { run { info { runId } } } }');
    expect(p.operationName).toBe('Q');
  });

  it('an unset optional variable removes the field, as execution would', () => {
    const p = prepare('query Q($id: String, $uuid: String) { mlflowGetRun(input: {runId: $id, runUuid: $uuid}) { run { info { runId } } } }', { id: 'r1' });
    expect(oneLine(print(p.document))).toContain('mlflowGetRun(input: {runId: "r1"})');
  });

  it('coerces a single value into a list and an enum from its name', () => {
    const p = prepare('query Q($d: MlflowSearchRunsInput) { mlflowSearchRuns(input: $d) { runs { info { runId } } } }', { d: { experimentIds: '7', runViewType: 'ALL' } });
    expect(oneLine(print(p.document))).toContain('mlflowSearchRuns(input: {experimentIds: ["7"], runViewType: ALL})');
  });

  it('keeps only the selected operation and the fragments it uses', () => {
    const doc = `query A { ...FA } query B { ...FB } fragment FA on Query { test(inputString: "a") { output } } fragment FB on Query { test(inputString: "b") { output } }`;
    const printed = oneLine(print(prepare(doc, undefined, 'B').document));
    expect(printed).toContain('query B');
    expect(printed).toContain('fragment FB');
    expect(printed).not.toContain('query A');
    expect(printed).not.toContain('fragment FA');
  });

  it.each([
    ['an unknown field', '{ mlflowDeleteExperiment { ok } }', undefined, undefined],
    ['an unknown input field', '{ mlflowGetRun(input: {experimentId: "1"}) { run { info { runId } } } }', undefined, undefined],
    ['a syntax error', '{ mlflowGetRun(', undefined, undefined],
    ['two operations and no operationName', 'query A { test { output } } query B { test { output } }', undefined, undefined],
    ['an operationName that is not there', 'query A { test { output } }', undefined, 'Z'],
    ['a variable of the wrong type', 'query Q($id: String) { mlflowGetRun(input: {runId: $id}) { run { info { runId } } } }', { id: 42 }, undefined],
  ])('refuses %s', (_what, query, variables, operationName) => {
    expect(() => prepare(query, variables, operationName)).toThrow(expect.objectContaining({ code: 'GW_BAD_REQUEST' }));
  });

  it('refuses bodies that are not one GraphQL request', () => {
    expect(() => graphqlRequestOf({})).toThrow(expect.objectContaining({ code: 'GW_BAD_BODY' }));
    expect(() => graphqlRequestOf({ query: '{ test { output } }', variables: [1] })).toThrow(expect.objectContaining({ code: 'GW_BAD_BODY' }));
  });
});

describe('rootFields', () => {
  it('finds root fields through aliases, inline fragments and fragment spreads', () => {
    const p = prepare('query { a: mlflowGetRun(input: {runId: "1"}) { run { info { runId } } } ... on Query { b: mlflowGetRun(input: {runUuid: "2"}) { __typename } } ...F } fragment F on Query { mlflowGetExperiment(input: {experimentId: "3"}) { __typename } }');
    expect(rootFields(p.document, p.operation).map((f) => [f.key, f.name, f.args])).toEqual([
      ['a', 'mlflowGetRun', { input: { runId: '1' } }],
      ['b', 'mlflowGetRun', { input: { runUuid: '2' } }],
      ['mlflowGetExperiment', 'mlflowGetExperiment', { input: { experimentId: '3' } }],
    ]);
  });

  it('refuses more root fields than the bound', () => {
    const many = Array.from({ length: MAX_ROOT_FIELDS + 1 }, (_, i) => `f${i}: __typename`).join(' ');
    const p = prepare(`{ ${many} }`);
    expect(() => rootFields(p.document, p.operation)).toThrow(expect.objectContaining({ code: 'GW_BAD_REQUEST' }));
  });
});

describe('finalDocument and filterModelVersions', () => {
  it('writes the narrowed input back and marks every model-version selection', () => {
    const p = prepare('mutation { mlflowSearchRuns(input: {experimentIds: ["1", "2"]}) { runs { modelVersions { version } } } }');
    const fields = rootFields(p.document, p.operation);
    const rewrites = new Map([[fields[0]!.node, { experimentIds: ['2'] }]]);
    const { document, nonce } = finalDocument(p.document, fields, rewrites, true);
    expect(nonce).toMatch(/^gw[0-9a-f]{24}$/);
    expect(oneLine(print(document))).toBe(`mutation { mlflowSearchRuns(input: {experimentIds: ["2"]}) { runs { modelVersions { version ${nonce}: name ${nonce}v: version } } } }`);
    expect(finalDocument(p.document, fields, new Map(), false).nonce).toBeUndefined();
    // With run grants, every run of a list is marked with its ids too.
    const runs = finalDocument(p.document, fields, rewrites, false, true);
    expect(oneLine(print(runs.document))).toBe(`mutation { mlflowSearchRuns(input: {experimentIds: ["2"]}) { runs { modelVersions { version } ${runs.nonce}r: info { runId experimentId runName } } } }`);
  });

  it('a run list the gateway pages also carries MLflow\'s token and a list of run ids, under the given nonce', () => {
    const p = prepare('query { mlflowSearchRuns(input: {experimentIds: ["1"]}) { nextPageToken } }');
    const fields = rootFields(p.document, p.operation);
    const { document, nonce } = finalDocument(p.document, fields, new Map(), false, true, undefined, { nonce: 'gwfixed', pagedRuns: new Set([fields[0]!.node]) });
    expect(nonce).toBe('gwfixed');
    expect(oneLine(print(document))).toBe('{ mlflowSearchRuns(input: {experimentIds: ["1"]}) { nextPageToken gwfixedt: nextPageToken gwfixedp: runs { gwfixedr: info { runId experimentId runName } } } }');
  });

  it('drops model versions of unreadable models, and the marker everywhere', async () => {
    const access: RequestAccess = {
      subject: { userId: 'u', username: 'u', groups: [], isAdmin: false } as Subject,
      allowed: async (_a: Action, r: Resource) => r.id === 'ok',
      allowedEach: async (_a: Action, rs: readonly Resource[]) => rs.map((r) => r.id === 'ok'),
      experimentAllowed: async () => true,
      runAllowed: async () => true,
      verdict: async () => 'allow' as const,
    };
    const n = 'gwabc';
    const data = { r: { runs: [{ modelVersions: [{ version: '1', [n]: 'ok' }, { version: '2', [n]: 'secret' }, { version: '3', [n]: null }] }] } };
    expect(await filterModelVersions(access, data, n)).toEqual({ r: { runs: [{ modelVersions: [{ version: '1' }] }] } });
  });

  it('decides a marked version as a child of its model, and a marked run as a child of its experiment', async () => {
    const asked: Resource[] = [];
    const access = {
      subject: { userId: 'u', username: 'u', groups: [], isAdmin: false } as Subject,
      allowed: async (_a: Action, r: Resource) => (asked.push(r), r.id !== 'm/2' && r.id !== 'run-b'),
    } as unknown as RequestAccess;
    const n = 'gwabc';
    const data = {
      s: { runs: [{ x: 1, [`${n}r`]: { runId: 'run-a', experimentId: '7', runName: 'a' } }, { x: 2, [`${n}r`]: { runId: 'run-b', experimentId: '7' } }, { x: 3, [`${n}r`]: null }] },
      v: [{ version: '1', [n]: 'm', [`${n}v`]: '1' }, { version: '2', [n]: 'm', [`${n}v`]: '2' }],
    };
    const experimentOf = async (id: string): Promise<Resource> => ({ type: 'experiment', id, name: `exp-${id}` });
    expect(await filterModelVersions(access, data, n, experimentOf)).toEqual({ s: { runs: [{ x: 1 }] }, v: [{ version: '1' }] });
    expect(asked).toContainEqual({ type: 'run', id: 'run-a', name: 'a', parent: { type: 'experiment', id: '7', name: 'exp-7' } });
    expect(asked).toContainEqual({ type: 'model_version', id: 'm/2', name: 'm/2', parent: { type: 'registered_model', id: 'm', name: 'm' } });
  });
});
