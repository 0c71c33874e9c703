import { describe, expect, it } from 'vitest';
import type { Resource } from '../policy/index.js';
import { redactionFor, redactModel, versionResource } from './embedded-versions.js';

// Only version 2 of any model is unreadable.
const allowed = async (r: Resource) => !r.id.endsWith('/2');
const v = (name: string, version: string, extra: Record<string, unknown> = {}) => ({ name, version, ...extra });
const PROMPT_TAGS = [{ key: 'mlflow.prompt.is_prompt', value: 'true' }];

describe('embedded model versions', () => {
  it('a version is a child of its model, or of its prompt', () => {
    expect(versionResource(v('m', '3'), false)).toEqual({ type: 'model_version', id: 'm/3', name: 'm/3', parent: { type: 'registered_model', id: 'm', name: 'm' } });
    expect(versionResource(v('p', '1'), true)?.type).toBe('prompt_version');
    expect(versionResource({ name: 'm' }, false)).toBeUndefined();
  });

  it('keeps only readable latest_versions, dropping the field when none is left (protobuf JSON omits empty lists)', async () => {
    const model = { name: 'm', latest_versions: [v('m', '1'), v('m', '2'), v('m', '3')] };
    expect(await redactModel(model, allowed)).toEqual({ name: 'm', latest_versions: [v('m', '1'), v('m', '3')] });
    expect(await redactModel({ name: 'm', latest_versions: [v('m', '2')] }, allowed)).toEqual({ name: 'm' });
    // Unchanged answers are the same object; a model without versions is left alone.
    const clean = { name: 'm', latest_versions: [v('m', '1')] };
    expect(await redactModel(clean, allowed)).toBe(clean);
    expect(await redactModel({ name: 'm' }, allowed)).toEqual({ name: 'm' });
  });

  it('decides a prompt\'s versions as prompt versions', async () => {
    const seen: string[] = [];
    await redactModel({ name: 'p', tags: PROMPT_TAGS, latest_versions: [v('p', '1')] }, async (r) => (seen.push(r.type), true));
    expect(seen).toEqual(['prompt_version']);
  });

  it('fails closed on a version that names nothing', async () => {
    expect(await redactModel({ name: 'm', latest_versions: [{ version: '1' }, v('m', '3')] }, allowed)).toEqual({ name: 'm', latest_versions: [v('m', '3')] });
  });

  it('covers every answer shape that embeds versions', async () => {
    const search = await redactionFor('SearchRegisteredModels', allowed)!({ registered_models: [{ name: 'a', latest_versions: [v('a', '2')] }, { name: 'b' }], next_page_token: 't' });
    expect(search).toEqual({ registered_models: [{ name: 'a' }, { name: 'b' }], next_page_token: 't' });
    expect(await redactionFor('GetLatestVersions', allowed)!({ model_versions: [v('a', '2'), v('a', '4')] })).toEqual({ model_versions: [v('a', '4')] });
    expect(await redactionFor('GetLatestVersions', allowed)!({ model_versions: [v('a', '2')] })).toEqual({});
    expect(await redactionFor('RenameRegisteredModel', allowed)!({ registered_model: { name: 'n', latest_versions: [v('n', '2')] } })).toEqual({ registered_model: { name: 'n' } });
    await expect(redactionFor('GetModelVersionByAlias', allowed)!({ model_version: v('a', '2') })).rejects.toMatchObject({ code: 'GW_DENIED' });
    expect(await redactionFor('GetModelVersionByAlias', allowed)!({ model_version: v('a', '1') })).toEqual({ model_version: v('a', '1') });
    expect(redactionFor('GetRun', allowed)).toBeUndefined();
  });
});
