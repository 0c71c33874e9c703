import { describe, expect, it } from 'vitest';
import { parseMapping } from '../claims/mapping.js';
import { PRESET_CATALOG, PRESET_NAMES, type PresetDefinition } from './catalog.js';

const preset = (name: keyof typeof PRESET_CATALOG): PresetDefinition => PRESET_CATALOG[name];

describe('provider presets', () => {
  it('every preset yields mapping expressions that parse', () => {
    for (const name of PRESET_NAMES) {
      const d = preset(name).defaults({ clientId: 'mlflow.gateway', claimNamespace: 'https://ml.example.com/', tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47', userPoolId: 'eu-west-1_AbC123' });
      for (const key of ['groupsClaim', 'emailClaim'] as const) if (typeof d[key] === 'string') expect(() => parseMapping(d[key] as string), `${name} ${key}`).not.toThrow();
      expect(() => parseMapping(String(d.usernameClaim))).not.toThrow();
    }
  });

  it('Keycloak: groups, realm roles and this client\'s roles (dots in the client id escaped)', () => {
    expect(preset('keycloak').defaults({ clientId: 'mlflow.gw' }).groupsClaim).toBe('groups + realm_access.roles + resource_access.mlflow\\.gw.roles');
  });

  it('Entra ID: issuer from one tenant; multi-tenant endpoints refused', () => {
    expect(preset('entra').defaults({ tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47' }).issuer).toBe('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0');
    expect(preset('entra').validate!({ tenant: 'common' })[0]).toEqual(['tenant', expect.stringMatching(/every Entra ID tenant/)]);
    expect(preset('entra').validate!({ issuer: 'https://login.microsoftonline.com/organizations/v2.0' })[0]![0]).toBe('issuer');
    expect(preset('entra').validate!({})[0]![0]).toBe('tenant');
    expect(preset('entra').validate!({ tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47' })).toEqual([]);
    expect(preset('entra').validate!({ tenant: 'contoso.onmicrosoft.com' })[0]).toEqual(['tenant', expect.stringMatching(/GUID/)]);
  });

  it('Cognito: issuer from the user pool id (region is its prefix)', () => {
    expect(preset('cognito').defaults({ userPoolId: 'eu-west-1_AbC123' }).issuer).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123');
    expect(preset('cognito').validate!({ userPoolId: 'nope' })[0]![0]).toBe('userPoolId');
  });

  it('Auth0: groups from the namespaced claims of the configured namespace', () => {
    expect(preset('auth0').defaults({ claimNamespace: 'https://ml.example.com/' }).groupsClaim).toBe('https://ml\\.example\\.com/groups | https://ml\\.example\\.com/roles');
    expect(preset('auth0').validate!({ claimNamespace: 'not a url' })).toHaveLength(1);
  });

  it('Google, GitLab and GitHub know their public issuer', () => {
    expect(preset('google').defaults({}).issuer).toBe('https://accounts.google.com');
    expect(preset('gitlab').defaults({}).issuer).toBe('https://gitlab.com');
    expect(preset('github').kind).toBe('github');
  });
});
