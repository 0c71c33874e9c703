import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatToken, newTokenId, newTokenSecret } from '../../tokens/format.js';
import { saveToken, tokenInUse } from './credentials.js';

// `whoami` and `tokens list` answer for the credential the MLflow client will use: MLFLOW_TRACKING_TOKEN
// overrides a saved login there, so it does here too.
describe('tokenInUse: MLFLOW_TRACKING_TOKEN first, as the MLflow client, else the saved login', () => {
  const file = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gw-creds-')), 'credentials.json');
    saveToken('https://gw.example', { token: 'mog_saved', token_id: 'savedid00000', username: 'alice', expires_at: '2099-01-01T00:00:00Z' }, path);
    return path;
  };
  const envToken = formatToken(newTokenId(), newTokenSecret());

  it('uses the saved login when MLFLOW_TRACKING_TOKEN is not set', () => {
    expect(tokenInUse(undefined, {}, file())).toEqual({ url: 'https://gw.example', token: 'mog_saved', tokenId: 'savedid00000', source: 'saved login' });
  });
  it('prefers MLFLOW_TRACKING_TOKEN, at MLFLOW_TRACKING_URI, and knows its id', () => {
    const r = tokenInUse(undefined, { MLFLOW_TRACKING_TOKEN: envToken, MLFLOW_TRACKING_URI: 'https://other.example/' }, file());
    expect(r).toEqual({ url: 'https://other.example', token: envToken, tokenId: envToken.split('_')[1], source: 'MLFLOW_TRACKING_TOKEN' });
  });
  it('--url wins over MLFLOW_TRACKING_URI; without either the latest login gateway is used', () => {
    expect(tokenInUse('https://cli.example', { MLFLOW_TRACKING_TOKEN: envToken, MLFLOW_TRACKING_URI: 'https://other.example' }, file()).url).toBe('https://cli.example');
    expect(tokenInUse(undefined, { MLFLOW_TRACKING_TOKEN: envToken }, file()).url).toBe('https://gw.example');
  });
  it('says what is missing when the token is set but no gateway is known', () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'gw-creds-')), 'credentials.json');
    expect(() => tokenInUse(undefined, { MLFLOW_TRACKING_TOKEN: envToken }, empty)).toThrow(/MLFLOW_TRACKING_TOKEN is set but no gateway is given/);
  });
  it('an IdP access token in MLFLOW_TRACKING_TOKEN is used as it is (no token id to mark)', () => {
    expect(tokenInUse(undefined, { MLFLOW_TRACKING_TOKEN: 'eyJhbGciOi.x.y' }, file())).toMatchObject({ token: 'eyJhbGciOi.x.y', tokenId: undefined });
  });
});
