import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifierFor } from '../mlflow/classify.js';
import { capabilitiesFor, isSupported, PINNED_MLFLOW, SUPPORTED_RANGE, TESTED_MLFLOW } from './capabilities.js';
import { version } from './version.js';

describe('MLflow capabilities per version', () => {
  it('pins the same MLflow as mlflow-version.txt and tests the versions of scripts/mlflow-pins.txt', () => {
    expect(readFileSync(new URL('../../mlflow-version.txt', import.meta.url), 'utf8').trim()).toBe(PINNED_MLFLOW);
    const pins = readFileSync(new URL('../../scripts/mlflow-pins.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/)[0]);
    expect(pins).toEqual([...TESTED_MLFLOW]);
    expect(TESTED_MLFLOW).toContain(PINNED_MLFLOW);
  });

  it('uses IN-list search filters only from 3.17 on (older servers answer 400 INVALID_PARAMETER_VALUE)', () => {
    expect(capabilitiesFor(version('3.17.2'))).toMatchObject({ experimentIdInFilter: true, modelNameInFilter: true });
    for (const v of ['2.9.2', '2.22.5', '3.0.1', '3.10.1', '3.16.1']) {
      expect(capabilitiesFor(version(v))).toMatchObject({ experimentIdInFilter: false, modelNameInFilter: false });
    }
  });

  it('looks traces up through an API the version serves (v3 from 3.10, v2 on 2.22 and 3.0, none on 2.9)', () => {
    expect(capabilitiesFor(version('3.17.2')).traceInfo).toBe('v3');
    expect(capabilitiesFor(version('3.10.1')).traceInfo).toBe('v3');
    expect(capabilitiesFor(version('3.0.1')).traceInfo).toBe('v2');
    expect(capabilitiesFor(version('2.22.5')).traceInfo).toBe('v2');
    expect(capabilitiesFor(version('2.9.2')).traceInfo).toBe('none');
    for (const text of TESTED_MLFLOW) {
      const v = version(text);
      const api = capabilitiesFor(v).traceInfo;
      const c = classifierFor(v);
      if (api === 'v3') expect(c.classify('GET', '/api/3.0/mlflow/traces/tr-1').ok).toBe(true);
      if (api === 'v2') expect(c.classify('GET', '/api/2.0/mlflow/traces/tr-1/info').ok).toBe(true);
      if (api === 'none') expect(c.classify('GET', '/api/2.0/mlflow/traces/tr-1/info').ok).toBe(false);
    }
  });

  it('refuses on older versions the routes they do not serve, and keeps the ones they do (fail closed)', () => {
    const old = classifierFor(version('2.9.2'));
    expect(old.classify('GET', '/api/2.0/mlflow/experiments/get').ok).toBe(true);
    expect(old.classify('POST', '/graphql').ok).toBe(false);
    expect(old.classify('POST', '/api/3.0/mlflow/traces/search').ok).toBe(false);
    expect(old.classify('GET', '/api/2.0/mlflow/logged-models/m-1').ok).toBe(false);
    // 3.0's not-implemented /2.0 trace RPCs exist only there, and only for administrators.
    const three = classifierFor(version('3.0.1')).classify('POST', '/api/2.0/mlflow/traces/search');
    expect(three.ok && three.route.requirement.kind).toBe('admin');
    expect(classifierFor(version('3.17.2')).classify('POST', '/api/2.0/mlflow/traces/search').ok).toBe(false);
  });

  it('answers Flask-only on servers before FastAPI, FastAPI where the version has it', () => {
    const health = (v: string) => {
      const r = classifierFor(version(v)).classify('GET', '/health');
      return r.ok ? r.route.server : undefined;
    };
    expect(health('2.9.2')).toBe('flask');
    expect(health('3.16.1')).toBe('flask');
    expect(health('3.17.2')).toBe('fastapi');
  });

  it('supports 2.9 … 3.17 and flags anything outside', () => {
    expect(SUPPORTED_RANGE).toEqual({ since: '2.9', until: '3.17' });
    expect(isSupported(version('2.9.0'))).toBe(true);
    expect(isSupported(version('3.17.9'))).toBe(true);
    expect(isSupported(version('2.8.1'))).toBe(false);
    expect(isSupported(version('3.18.0'))).toBe(false);
  });
});
