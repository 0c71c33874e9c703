import { describe, expect, it } from 'vitest';
import { artifactTreeMeaning, locationMeaning, mlflowRefusesRelativeSource, parseUri, referenceUriMeaning, stringsIn } from './reference-uri.js';

const targets = (uri: string) => {
  const m = referenceUriMeaning(uri);
  return m.names === 'resources' ? m.targets.map((t) => `${t.kind}=${t.value}`) : m.names;
};

describe('parseUri (urllib.parse.urlparse)', () => {
  it('splits scheme, netloc and path; lower-cases the scheme; drops query and fragment', () => {
    expect(parseUri('MODELS:/m/1?x=1#f')).toEqual({ scheme: 'models', netloc: '', path: '/m/1' });
    expect(parseUri('mlflow-artifacts://host:5000/3/a')).toEqual({ scheme: 'mlflow-artifacts', netloc: 'host:5000', path: '/3/a' });
    expect(parseUri('gateway:///chat')).toEqual({ scheme: 'gateway', netloc: '', path: '/chat' });
  });
  it('strips leading spaces/controls and removes tab, CR and LF anywhere, as Python does', () => {
    expect(parseUri('  \u0001models:/m/1')).toMatchObject({ scheme: 'models', path: '/m/1' });
    expect(parseUri('mod\tels:/m\n/1')).toMatchObject({ scheme: 'models', path: '/m/1' });
  });
});

describe('referenceUriMeaning', () => {
  it('models:/<name>/<version>, @alias, /latest, /<stage>', () => {
    expect(targets('models:/secret/1')).toEqual(['model_name=secret']);
    expect(targets('models:/secret@champion')).toEqual(['model_name=secret']);
    expect(targets('models:/secret/latest')).toEqual(['model_name=secret']);
    expect(targets('models:/secret/Production')).toEqual(['model_name=secret']);
    expect(targets('models:///secret/1')).toEqual(['model_name=secret']);
    expect(targets('models:/secret/1/')).toEqual(['model_name=secret']);
  });
  it('a name containing "/" or "@" is the whole name before the last segment', () => {
    expect(targets('models:/team/secret/1')).toEqual(['model_name=team/secret']);
    expect(targets('models:/a@b/2')).toEqual(['model_name=a@b']);
    expect(targets('models:/a@b@prod')).toEqual(['model_name=a@b']);
  });
  it('percent-encoding: the literal and every decoding are targets', () => {
    expect(targets('models:/my%20model/1')).toEqual(['model_name=my%20model', 'model_name=my model']);
    expect(targets('models:/%2573ecret/1')).toEqual(['model_name=%2573ecret', 'model_name=%73ecret', 'model_name=secret']);
  });
  it('models:/<logged model id> (and the same single segment as a model name)', () => {
    expect(targets('models:/m-0123abcd')).toEqual(['logged_model_id=m-0123abcd', 'model_name=m-0123abcd']);
  });
  it('models://<registry>/… names another registry; prompts:/ like models:/', () => {
    expect(targets('models://profile@databricks/m/1')).toBe('nothing');
    expect(targets('prompts:/greeting/3')).toEqual(['model_name=greeting']);
    expect(targets('prompts:/greeting@prod')).toEqual(['model_name=greeting']);
  });
  it('runs:/<run id>/<path>, with odd slashes', () => {
    expect(targets('runs:/abc123/model')).toEqual(['run_id=abc123']);
    expect(targets('runs:///abc123/model')).toEqual(['run_id=abc123']);
    expect(targets('runs://abc123/model')).toEqual(['run_id=abc123', 'run_id=model']);
  });
  it('mlflow-artifacts:/<experiment>/…, with or without a host, workspaces', () => {
    expect(targets('mlflow-artifacts:/7/abc/artifacts')).toEqual(['artifact_path=7']);
    expect(targets('mlflow-artifacts://mlflow:5000/7/abc')).toEqual(['artifact_path=7']);
    expect(targets('mlflow-artifacts:/007/x')).toEqual(['artifact_path=7']);
    expect(targets('mlflow-artifacts:/workspaces/team/7/x')).toEqual(['artifact_path=workspaces/team/7']);
    expect(targets('mlflow-artifacts:/%37/x')).toEqual(['artifact_path=7']);
    expect(targets('mlflow-artifacts:/scratch/x')).toBe('nothing');
  });
  it('the artifact root itself and traversal are unsafe (administrators only)', () => {
    expect(targets('mlflow-artifacts:/')).toBe('unsafe');
    expect(targets('mlflow-artifacts:/mine/../7/x')).toBe('unsafe');
    expect(targets('mlflow-artifacts:/mine/%2e%2e/7')).toBe('unsafe');
    expect(targets('mlflow-artifacts:/workspaces/team')).toBe('unsafe');
  });
  it('gateway:/<endpoint> in its three spellings', () => {
    expect(targets('gateway:/chat')).toEqual(['endpoint_name=chat']);
    expect(targets('gateway://chat')).toEqual(['endpoint_name=chat']);
    expect(targets('gateway:///chat')).toEqual(['endpoint_name=chat']);
    expect(targets('endpoints:/chat')).toEqual(['endpoint_name=chat']);
  });
  it('storage locations and foreign URIs', () => {
    expect(referenceUriMeaning('/srv/mlruns/3/x')).toEqual({ names: 'location', location: '/srv/mlruns/3/x' });
    expect(referenceUriMeaning('s3://bucket/3/x').names).toBe('location');
    expect(referenceUriMeaning('C:\\mlruns\\3').names).toBe('location');
    expect(referenceUriMeaning('openai:/gpt-4').names).toBe('nothing');
    expect(referenceUriMeaning('https://example.com/x').names).toBe('nothing');
    expect(referenceUriMeaning('').names).toBe('nothing');
  });
});

describe('locationMeaning (inside the server artifact root)', () => {
  it('<root>/<id>/… is that experiment; the root itself is unsafe; elsewhere is nothing', () => {
    expect(locationMeaning('s3://b/mlruns/5/abc', 's3://b/mlruns')).toEqual({ names: 'resources', targets: [{ kind: 'artifact_path', value: '5' }] });
    expect(locationMeaning('file:///srv/mlruns/5', '/srv/mlruns')).toEqual({ names: 'resources', targets: [{ kind: 'artifact_path', value: '5' }] });
    expect(locationMeaning('/srv//mlruns/5/', 'file:///srv/mlruns')).toEqual({ names: 'resources', targets: [{ kind: 'artifact_path', value: '5' }] });
    expect(locationMeaning('/srv/mlruns/', '/srv/mlruns').names).toBe('unsafe');
    expect(locationMeaning('/srv/mlruns/../x', '/srv/mlruns').names).toBe('unsafe');
    expect(locationMeaning('/srv/mlruns/5/../..', '/srv/mlruns').names).toBe('unsafe');
    expect(locationMeaning('/srv/mlruns/5/..', '/srv/mlruns').names).toBe('unsafe');
    expect(locationMeaning('/elsewhere/5', '/srv/mlruns').names).toBe('nothing');
    expect(locationMeaning('/srv/mlruns/5', undefined).names).toBe('nothing');
  });
  it('a local path is read with its . and .. segments applied, as the operating system opens it', () => {
    // MLflow accepts `<run artifact dir>/model/..` as a model version source: it is that directory.
    const run5 = { names: 'resources', targets: [{ kind: 'artifact_path', value: '5' }] };
    expect(locationMeaning('file:///srv/mlruns/5/r1/artifacts/model/..', 'file:///srv/mlruns')).toEqual(run5);
    expect(locationMeaning('/srv/mlruns/5/r1/./artifacts', '/srv/mlruns')).toEqual(run5);
    // Climbing from one experiment's tree into another's names the other one (checked on it).
    expect(locationMeaning('/srv/mlruns/5/../7/r2', '/srv/mlruns')).toEqual({ names: 'resources', targets: [{ kind: 'artifact_path', value: '7' }] });
    // Percent-encoded dots are not segments to the operating system: still refused.
    expect(locationMeaning('/srv/mlruns/5/%2e%2e/7', '/srv/mlruns').names).toBe('unsafe');
    // Object-store keys are literal: `..` there is refused as before.
    expect(locationMeaning('s3://b/mlruns/5/../7', 's3://b/mlruns').names).toBe('unsafe');
  });
  it('artifactTreeMeaning reads canonical ids', () => {
    expect(artifactTreeMeaning('12/x')).toEqual({ names: 'resources', targets: [{ kind: 'artifact_path', value: '12' }] });
  });
});

describe('stringsIn', () => {
  it('opens JSON nested in strings, and gives up (undefined) past the limits', () => {
    expect(stringsIn('{"uri":"runs:/r/x","inner":"{\\"model\\":\\"gateway:/chat\\"}"}')).toEqual([
      '{"uri":"runs:/r/x","inner":"{\\"model\\":\\"gateway:/chat\\"}"}',
      'runs:/r/x',
      '{"model":"gateway:/chat"}',
      'gateway:/chat',
    ]);
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(stringsIn(deep)).toBeUndefined();
  });
});

describe("mlflowRefusesRelativeSource (MLflow's _validate_non_local_source_contains_relative_paths)", () => {
  it('claims non-local URIs whose decoded path has a .. segment', () => {
    for (const uri of [
      'mlflow-artifacts:/3/abc/artifacts/sub/..',
      'mlflow-artifacts://host:9000/models/../../../',
      'http://host:9000/models/../../../',
      's3a://my_bucket/api/2.0/mlflow-artifacts/artifacts/../../../',
      'mlflow-artifacts://host:9000/models/..%2f..%2fartifacts',
      'mlflow-artifacts:/3/x/%252E%252E/y',
    ]) expect(mlflowRefusesRelativeSource(uri), uri).toBe(true);
  });
  it('leaves everything else to the caller: local paths, models:/prompts:, dots that are not a segment, bad encodings', () => {
    for (const uri of [
      '/tmp/run/artifacts/model/..',
      'file:///tmp/run/artifacts/model/..',
      'C:/x/../y',
      'models:/m/../1',
      'prompts:/p/../1',
      'mlflow-artifacts://host:9000/models/artifact/..../',
      'mlflow-artifacts:/3/abc/artifacts/sub',
      'mlflow-artifacts:/3/abc/..%zz',
      's3://bucket/x?q=/../',
      // decodes to a query string: 3.x refuses it (the whole text has a .. piece), 2.9 does not
      'dbfs:/r/artifacts/a%3f/../../',
      // still changing after ten rounds of decoding: the twelfth turns the ? that cuts the path
      // before the `..` (MLflow 2.9 would then not refuse it), so it is not claimed
      `mlflow-artifacts:/3/x%${'25'.repeat(11)}3F/../y`,
    ]) expect(mlflowRefusesRelativeSource(uri), uri).toBe(false);
  });
});

