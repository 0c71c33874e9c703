import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HttpBrowser, extractForm, parseSetCookie } from '../../../test/support/http-browser.js';

function start(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
}

describe('HttpBrowser', () => {
  let a: { server: Server; origin: string };
  let b: { server: Server; origin: string };

  beforeAll(async () => {
    b = await start((req, res) => {
      if (req.url === '/set') {
        res.setHeader('Set-Cookie', ['b=1; Path=/; HttpOnly', 'scoped=2; Path=/deep']);
        res.writeHead(302, { location: `${a.origin}/landing` }).end();
      } else {
        res.end(`b saw: ${req.headers.cookie ?? ''}`);
      }
    });
    a = await start((req, res) => {
      switch (req.url) {
        case '/login':
          res.setHeader('Set-Cookie', ['sid=abc; Path=/; Max-Age=60', 'tmp=x; Path=/']);
          res.writeHead(303, { location: `${b.origin}/set` }).end();
          return;
        case '/logout':
          res.setHeader('Set-Cookie', ['sid=; Path=/; Max-Age=0', 'tmp=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
          res.end('bye');
          return;
        case '/loop':
          res.writeHead(302, { location: '/loop' }).end();
          return;
        default:
          res.end(`a saw: ${req.headers.cookie ?? ''}`);
      }
    });
  });

  afterAll(() => {
    a.server.closeAllConnections();
    b.server.closeAllConnections();
    a.server.close();
    b.server.close();
  });

  it('follows redirects across origins, keeping cookies per host:port and path', async () => {
    const browser = new HttpBrowser();
    const result = await browser.follow(`${a.origin}/login`);
    expect(result.url).toBe(`${a.origin}/landing`);
    expect(result.hops).toBe(2);
    expect(await result.response.text()).toBe('a saw: sid=abc; tmp=x');
    expect(browser.cookie(a.origin, 'sid')).toBe('abc');
    expect(browser.cookie(b.origin, 'sid')).toBeUndefined();
    expect(browser.cookieHeader(`${b.origin}/`)).toBe('b=1');
    expect(browser.cookieHeader(`${b.origin}/deep/x`)).toBe('scoped=2; b=1');
    expect(browser.cookieHeader(`${b.origin}/deeper`)).toBe('b=1');

    await (await browser.get(`${a.origin}/logout`)).text();
    expect(browser.cookie(a.origin, 'sid')).toBeUndefined();
    expect(browser.cookieHeader(`${a.origin}/`)).toBe('');
  });

  it('stops before a matching redirect target and limits hops', async () => {
    const browser = new HttpBrowser();
    const stopped = await browser.follow(`${a.origin}/login`, { stopAt: (u) => u.startsWith(b.origin) });
    expect(stopped).toMatchObject({ stopped: true, url: `${b.origin}/set`, hops: 0 });
    expect(stopped.response.status).toBe(303);
    await expect(browser.follow(`${a.origin}/loop`, { maxHops: 3 })).rejects.toThrow(/more than 3 redirects/);
  });
});

describe('parseSetCookie', () => {
  it('parses attributes and defaults the path from the request', () => {
    expect(parseSetCookie('a=b=c; Secure; SameSite=Lax', '/x/y')).toMatchObject({ name: 'a', value: 'b=c', path: '/x', secure: true, sameSite: 'lax' });
    expect(parseSetCookie('a=1; Max-Age=0')?.expiresAt).toBe(0);
    expect(parseSetCookie('novalue')).toBeUndefined();
  });
});

describe('extractForm', () => {
  it('parses the first form with hidden fields, entities and quoted ">"', () => {
    const html = `<p>x</p>
<form id="op.deviceInputForm" novalidate method="post" action="/device?a=1&amp;b=2">
  <input type="hidden" name="xsrf" value="t&#x27;k&gt;"/>
  <input
    type="text" name="user_code" placeholder="Enter code > here" autofocus autocomplete="off"></input>
  <input type="checkbox" name="remember">
  <input type="checkbox" name="agree" value="yes" checked>
  <input type="submit" name="go" value="Go">
  <textarea name="note">a &amp; b</textarea>
  <select name="pick"><option value="1">one</option><option value="2" selected>two</option></select>
</form>
<form action="/second"><input name="z" value="1"></form>`;
    expect(extractForm(html)).toEqual({
      action: '/device?a=1&b=2',
      method: 'POST',
      fields: { xsrf: "t'k>", user_code: '', agree: 'yes', note: 'a & b', pick: '2' },
    });
    expect(extractForm(html, { id: undefined }).action).toBe('/device?a=1&b=2');
    expect(() => extractForm('<p>no form</p>')).toThrow(/no <form/);
  });
});
