import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';

import { subjectFor, type UserDirectory } from './users.js';
import { loginPage, messagePage } from './views.js';

/** Path prefix of the login/consent interaction endpoints (see `interactions.url`). */
export const INTERACTION_PREFIX = '/interaction/';

const MAX_FORM_BYTES = 16 * 1024;
const UID = /^[A-Za-z0-9_-]{1,64}$/;

type Route = { uid: string; action: 'show' | 'login' | 'abort' };

function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.slice(INTERACTION_PREFIX.length).split('/');
  const [uid, action, ...rest] = parts;
  if (uid === undefined || !UID.test(uid) || rest.length > 0) return undefined;
  if (action === undefined) return { uid, action: 'show' };
  if (action === 'login' || action === 'abort') return { uid, action };
  return undefined;
}

export interface InteractionHandlerDeps {
  provider(): Provider;
  users: UserDirectory;
  onError(err: unknown): void;
}

/**
 * Serves the interaction endpoints: the login form (`GET/POST /interaction/:uid[/login]`), an
 * abort link, and automatic consent — the demo IdP treats every configured client as first-party,
 * so whatever the client asked for is granted without a consent screen.
 */
export function createInteractionHandler(deps: InteractionHandlerDeps) {
  return async function handleInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://idp.invalid');
    const route = parseRoute(url.pathname);
    if (!route) {
      sendHtml(res, 404, messagePage('Not found', 'There is nothing here.'));
      return;
    }
    const method = req.method ?? 'GET';
    const expected = route.action === 'login' ? 'POST' : 'GET';
    if (method !== expected) {
      res.setHeader('Allow', expected);
      sendHtml(res, 405, messagePage('Method not allowed', `Use ${expected} for this address.`));
      return;
    }

    const provider = deps.provider();
    try {
      const interaction = await provider.interactionDetails(req, res);
      if (interaction.uid !== route.uid) {
        sendHtml(res, 400, messagePage('Sign-in expired', 'This sign-in page is out of date. Return to the application and start again.'));
        return;
      }
      const clientId = typeof interaction.params['client_id'] === 'string' ? interaction.params['client_id'] : '';
      const client = clientId ? await provider.Client.find(clientId) : undefined;
      const clientName = client?.clientName ?? (clientId || 'the application');
      const formAction = `${INTERACTION_PREFIX}${interaction.uid}/login`;
      const abortUrl = `${INTERACTION_PREFIX}${interaction.uid}/abort`;

      if (route.action === 'abort') {
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'End-User aborted interaction',
        }, { mergeWithLastSubmission: false });
        return;
      }

      const { prompt } = interaction;
      if (route.action === 'login') {
        if (prompt.name !== 'login') {
          sendHtml(res, 400, messagePage('Sign-in expired', 'This sign-in step has already been completed. Return to the application and start again.'));
          return;
        }
        const form = await readForm(req);
        const username = (form.get('username') ?? '').trim();
        const password = form.get('password') ?? '';
        const user = deps.users.authenticate(username, password);
        if (!user) {
          sendHtml(res, 200, loginPage({
            formAction, abortUrl, clientName, username, error: 'Invalid username or password.',
          }));
          return;
        }
        const result: InteractionResults = {
          login: { accountId: subjectFor(user.username), amr: ['pwd'], remember: true },
        };
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
        return;
      }

      switch (prompt.name) {
        case 'login': {
          const hint = interaction.params['login_hint'];
          sendHtml(res, 200, loginPage({
            formAction, abortUrl, clientName, ...(typeof hint === 'string' ? { username: hint } : {}),
          }));
          return;
        }
        case 'consent': {
          const grantId = await grantRequested(provider, interaction.grantId, interaction.session?.accountId, clientId, prompt.details);
          await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
          return;
        }
        default:
          sendHtml(res, 501, messagePage('Unsupported sign-in step', `The identity provider cannot handle the '${prompt.name}' prompt.`));
      }
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof FormError) {
        sendHtml(res, err.status, messagePage('Bad request', err.message));
      } else if (isSessionNotFound(err)) {
        sendHtml(res, 400, messagePage('Sign-in expired', 'Your sign-in session has expired or was already used. Return to the application and start again.'));
      } else {
        deps.onError(err);
        sendHtml(res, 500, messagePage('Something went wrong', 'The identity provider failed to process the request.'));
      }
    }
  };
}

async function grantRequested(
  provider: Provider,
  existingGrantId: string | undefined,
  accountId: string | undefined,
  clientId: string,
  details: Record<string, unknown>,
): Promise<string> {
  const existing = existingGrantId ? await provider.Grant.find(existingGrantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const scopes = stringArray(details['missingOIDCScope']);
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
  const claims = stringArray(details['missingOIDCClaims']);
  if (claims.length > 0) grant.addOIDCClaims(claims);
  const resourceScopes = details['missingResourceScopes'];
  if (isRecord(resourceScopes)) {
    for (const [indicator, scope] of Object.entries(resourceScopes)) {
      grant.addResourceScope(indicator, stringArray(scope).join(' '));
    }
  }
  return grant.save();
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSessionNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'SessionNotFound';
}

class FormError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new FormError(415, 'Expected a submitted form.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_FORM_BYTES) throw new FormError(413, 'The submitted form is too large.');
    chunks.push(buf);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
