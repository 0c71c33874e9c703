// How SCIM provisioning meets sign-in: which provider's identities may join a provisioned
// account, by what match, and where provisioned people's groups come from.
import type { Config } from '../config/index.js';
import { claimAtPath } from '../claims/path.js';
import type { GroupSource, LoginIdentity } from '../store/index.js';

export interface ScimSignIn {
  /** The provider that provisions (its identities join provisioned accounts). */
  readonly providerId: string;
  readonly linkBy: 'externalId' | 'userName' | 'email';
  readonly externalIdClaim: string;
  readonly groupSource: GroupSource;
}

export function scimSignIn(config: Config): ScimSignIn {
  return {
    providerId: config.scimProvider ?? config.providers[0]!.id,
    linkBy: config.scimLinkBy,
    externalIdClaim: config.scimExternalIdClaim,
    groupSource: config.scimGroupSource,
  };
}

/** The SCIM part of a login identity: nothing for identities of other providers (they never join a provisioned account). */
export function scimIdentityFields(settings: ScimSignIn | undefined, providerId: string, claims: Record<string, unknown>): Pick<LoginIdentity, 'scimLink' | 'groupSource'> {
  if (!settings) return {};
  const own = providerId === settings.providerId;
  const externalId = claimAtPath(claims, settings.externalIdClaim);
  return {
    groupSource: settings.groupSource,
    ...(own ? { scimLink: { by: settings.linkBy, externalId: typeof externalId === 'string' && externalId !== '' ? externalId : undefined } } : {}),
  };
}
