// Accepting a SAML Response at the assertion consumer service (HTTP-POST binding). node-saml
// verifies the signature (response or assertion, per SAML_SIGNED), the audience, the validity
// window with the clock skew, the issuer and InResponseTo; the checks it leaves to the SP are
// here: no DOCTYPE at all, the Destination and the Recipient are this ACS, the request id is taken
// exactly once across replicas, and the assertion id is used once.
import { loadXmlDom } from './lazy-libs.js';
import type { Profile } from '@node-saml/node-saml';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import type { ProviderConfig } from '../oidc/providers/types.js';
import type { OneTimeIdStore } from '../store/index.js';
import { hasDoctype, type IdpMetadata } from './metadata.js';
import { requestNamespace, SAML_MAX_ASSERTION_AGE_SECONDS, serviceProvider, storeRequestCache } from './service-provider.js';

const invalid = (message: string, cause?: unknown) => new GatewayError('GW_SAML_INVALID', message, cause === undefined ? {} : { cause });

/** A SAML message as posted (base64 of the XML), decoded; a DOCTYPE is refused before any parser sees it. */
export function decodeSamlMessage(b64: string, what: string): string {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(b64)) throw invalid(`The ${what} is not base64`);
  const xml = Buffer.from(b64, 'base64').toString('utf8');
  if (hasDoctype(xml)) throw invalid(`The ${what} has a DOCTYPE (refused: entities are how XXE and entity expansion attacks work)`);
  return xml;
}

/** The root element's attribute, from the document as received (used for the unsigned envelope's Destination). */
function rootAttribute(xml: string, name: string): string | null {
  const doc = new (loadXmlDom().DOMParser)({ errorHandler: { warning: () => undefined, error: () => undefined, fatalError: () => undefined } }).parseFromString(xml, 'text/xml');
  return doc?.documentElement?.getAttribute(name) || null;
}

type Xml2Js = Record<string, unknown> & { $?: Record<string, string> };
const first = (v: unknown): Xml2Js | undefined => (Array.isArray(v) ? (v[0] as Xml2Js | undefined) : undefined);

export interface AcceptedAssertion {
  /** Claims for the claim mapping: iss (IdP entity id), sub (NameID), sid (SessionIndex), nameID…, then the attributes by name. */
  readonly claims: Record<string, unknown>;
  readonly nameID: string;
  readonly sessionIndex: string | undefined;
}

export async function acceptSamlResponse(config: Config, p: ProviderConfig, meta: IdpMetadata, oneTimeIds: OneTimeIdStore, samlResponse: string): Promise<AcceptedAssertion> {
  const xml = decodeSamlMessage(samlResponse, 'SAML response');
  const cache = storeRequestCache(oneTimeIds, requestNamespace(p));
  const sp = serviceProvider(config, p, meta, cache);
  let profile: Profile | null;
  try {
    ({ profile } = await sp.validatePostResponseAsync({ SAMLResponse: Buffer.from(xml, 'utf8').toString('base64') }));
  } catch (err) {
    throw invalid(`The SAML response was refused: ${describe(err)}`, err);
  }
  if (!profile) throw invalid('The SAML response carries no assertion');
  const s = p.saml!;
  // The envelope's Destination (when the IdP says it, as signed responses must) names this ACS.
  const destination = rootAttribute(xml, 'Destination');
  if (destination !== null && destination !== s.acsUrl) throw invalid(`The SAML response is for ${destination.slice(0, 200)}, not this gateway's assertion consumer service`);
  if (profile.issuer !== meta.entityId) throw invalid(`The assertion was issued by ${String(profile.issuer).slice(0, 200)}, not by ${p.id} (${meta.entityId})`);
  const assertion = (profile.getAssertion?.() as { Assertion?: Xml2Js } | undefined)?.Assertion;
  if (!assertion) throw invalid('The SAML response carries no assertion');
  // Web SSO profile §4.1.4.2: a bearer SubjectConfirmation whose Recipient is this ACS.
  const confirmations = (first(assertion.Subject)?.SubjectConfirmation as Xml2Js[] | undefined) ?? [];
  const recipients = confirmations.map((c) => first(c.SubjectConfirmationData)?.$?.Recipient).filter((r): r is string => typeof r === 'string');
  if (!recipients.includes(s.acsUrl)) {
    throw invalid(recipients.length === 0 ? 'The assertion names no Recipient (SubjectConfirmationData)' : `The assertion is for the recipient ${recipients[0]!.slice(0, 200)}, not this gateway's assertion consumer service`);
  }
  const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : undefined;
  if (inResponseTo !== undefined && !cache.consumed.has(inResponseTo)) {
    throw invalid('The SAML response answers a request that was answered before (InResponseTo used)');
  }
  if (inResponseTo === undefined && !s.allowUnsolicited) throw invalid('The SAML response answers no request of this gateway (unsolicited responses are off)');
  const id = assertion.$?.ID;
  if (typeof id !== 'string' || id === '' || id.length > 256) throw invalid('The assertion has no usable ID');
  const issued = Date.parse(assertion.$?.IssueInstant ?? '');
  const until = new Date((Number.isFinite(issued) ? issued : Date.now()) + (SAML_MAX_ASSERTION_AGE_SECONDS + 2 * config.clockSkew) * 1000);
  if (!(await oneTimeIds.use(`saml-assertion:${meta.entityId}`, id, until, new Date()))) throw invalid('The assertion was used before (replayed assertion ID)');
  const nameID = profile.nameID;
  if (typeof nameID !== 'string' || nameID === '' || nameID.length > 512) throw invalid('The assertion has no usable NameID');
  const sessionIndex = typeof profile.sessionIndex === 'string' && profile.sessionIndex !== '' ? profile.sessionIndex : undefined;
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  // Attributes first, the subject fields last: no attribute can pose as the issuer or the NameID.
  const claims: Record<string, unknown> = {
    ...attributes,
    iss: meta.entityId, sub: nameID, nameID, nameIDFormat: profile.nameIDFormat ?? null,
    sid: sessionIndex ?? null, sessionIndex: sessionIndex ?? null, email_verified: false,
  };
  return { claims, nameID, sessionIndex };
}

/** node-saml's reason, short (it never carries secrets; it may quote a value from the message). */
export function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 200);
}
