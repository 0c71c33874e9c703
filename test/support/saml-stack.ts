// A real gateway with a SAML provider `corp` (next to the suite's OIDC provider) whose IdP is the
// signing test IdP of saml-idp.ts, and the steps of an SP-initiated sign-in through it.
import { expect } from 'vitest';
import { HttpBrowser } from './http-browser.js';
import { authnRequestOf, startSamlTestIdp, type AssertionOptions, type SamlTestIdp } from './saml-idp.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

export interface SamlStack {
  readonly stack: Stack;
  readonly idp: SamlTestIdp;
  readonly acsUrl: string;
  readonly spEntityId: string;
  stop(): Promise<void>;
}

export async function startSamlStack(opts: { env?: Record<string, string>; stack?: StackOptions } = {}): Promise<SamlStack> {
  const idp = startSamlTestIdp();
  const stack = await startStack({
    ...opts.stack,
    env: {
      GATEWAY_PROVIDERS: 'corp',
      GATEWAY_PROVIDER_CORP_KIND: 'saml',
      GATEWAY_PROVIDER_CORP_DISPLAY_NAME: 'Corp SAML',
      GATEWAY_PROVIDER_CORP_SAML_METADATA: idp.metadataPath,
      GATEWAY_PROVIDER_CORP_ADMIN_GROUPS: 'mlflow-admins',
      ...opts.stack?.env,
      ...opts.env,
    },
  });
  const acsUrl = `${stack.gatewayUrl}/_gateway/saml/corp/acs`;
  const spEntityId = `${stack.gatewayUrl}/_gateway/saml/corp/metadata`;
  idp.sp = { entityId: spEntityId, acsUrl };
  return { stack, idp, acsUrl, spEntityId, stop: () => stack.stop() };
}

/** Starts a sign-in at the gateway (Redirect binding): the AuthnRequest's id and the browser that holds the attempt. */
export async function startSamlSignIn(s: SamlStack, browser = new HttpBrowser(), returnTo = '/'): Promise<{ browser: HttpBrowser; requestId: string; relayState: string | null }> {
  const res = await browser.get(`${s.stack.gatewayUrl}/_gateway/login?provider=corp&return_to=${encodeURIComponent(returnTo)}`);
  expect(res.status).toBe(302);
  const req = authnRequestOf(res.headers.get('location')!);
  expect(req.destination).toBe(s.idp.ssoUrl);
  return { browser, requestId: req.id, relayState: req.relayState };
}

/** Posts a (signed) Response to the ACS as the IdP's auto-submitted form would. */
export function postSamlResponse(s: SamlStack, browser: HttpBrowser, xml: string, relayState: string | null = '/'): Promise<Response> {
  return browser.postForm(s.acsUrl, { SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'), ...(relayState !== null ? { RelayState: relayState } : {}) });
}

/** A full sign-in: request, a response signed as `sign` says with `opts`, posted; returns the ACS answer. */
export async function samlSignIn(s: SamlStack, opts: AssertionOptions & { sign?: 'assertion' | 'response' | 'both' } = {}, browser = new HttpBrowser()): Promise<{ browser: HttpBrowser; res: Response; requestId: string }> {
  const { requestId, relayState } = await startSamlSignIn(s, browser);
  const xml = s.idp.sign(s.idp.response({ inResponseTo: requestId, ...opts }), opts.sign ?? 'assertion');
  const res = await postSamlResponse(s, browser, xml, relayState);
  return { browser, res, requestId };
}

export async function whoami(s: SamlStack, browser: HttpBrowser): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await browser.get(`${s.stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}
