import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { BAR_JS } from '../mlflow-ui/bar-script.js';
import { bannerHtml, bannerOnResponse, bannerScript, injectBanner } from './ui-banner.js';

const gw = { config: { basePath: '/ml', enableAssistant: false } } as Parameters<typeof bannerHtml>[0];

describe('MLflow UI bar', () => {
  it('escapes the username and points at the mount path', () => {
    const html = bannerHtml(gw, '<img src=x onerror=alert(1)>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('href="/ml/_gateway/ui/"');
    expect(html).toContain('action="/ml/_gateway/logout"');
    expect(html).not.toMatch(/style=|<script>/); // nothing inline a CSP could block
    expect(html).not.toContain('<script');
    expect(bannerScript(gw)).toBe('<script src="/ml/_gateway/banner.js" data-base="/ml" data-assistant="off"></script>');
  });

  it('ships a bar script that is valid JavaScript (it is a string in TypeScript: escapes are easy to get wrong)', () => {
    expect(() => new Function(BAR_JS)).not.toThrow();
    expect(BAR_JS).toContain('/^#\\/experiments\\/(\\d+)/');
  });

  it('goes before the last </body>, or at the end when there is none', () => {
    expect(injectBanner('<html><body><p></p></body></html>', 'B')).toBe('<html><body><p></p>B</body></html>');
    expect(injectBanner('<p>', 'B')).toBe('<p>B');
    // The script goes first into <head>, before MLflow's own scripts.
    expect(injectBanner('<html><head lang="x"><script src="main.js"></script></head><body></body></html>', 'B', 'S')).toBe('<html><head lang="x">S<script src="main.js"></script></head><body>B</body></html>');
    expect(injectBanner('<body></body>', 'B', 'S')).toBe('S<body>B</body>');
  });
});

describe('MLflow UI bar on a compressed answer', () => {
  it('decodes gzip, injects, and sends plain UTF-8 without MLflow\'s length, encoding or validators', async () => {
    const headers: Record<string, string> = {
      'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip', 'content-length': '99', etag: '"x"', vary: 'Origin',
    };
    let sent: Buffer | undefined;
    const rep = {
      statusCode: 200,
      getHeader: (h: string) => headers[h],
      removeHeader: (h: string) => void delete headers[h],
      header(h: string, v: string) { headers[h] = v; return this; },
      send: (b: Buffer) => void (sent = b),
    };
    const ctx = { requestId: 'r', clientIp: '127.0.0.1', path: '/', query: '', principal: { user: { username: 'alice' } } };
    const onResponse = bannerOnResponse(gw, ctx as never);
    onResponse({ log: { warn: vi.fn() } } as never, rep as never, { stream: Readable.from([gzipSync('<html><body><div id="root"></div></body></html>')]) } as never);
    await vi.waitFor(() => expect(sent).toBeDefined());
    expect(sent!.toString('utf8')).toMatch(/<div id="root"><\/div><link rel="stylesheet".*class="mog-banner".*alice.*<\/body><\/html>$/);
    expect(headers).toMatchObject({ 'cache-control': 'no-store', vary: 'Origin, Cookie' });
    expect(headers).not.toHaveProperty('content-encoding');
    expect(headers).not.toHaveProperty('content-length');
    expect(headers).not.toHaveProperty('etag');
  });
});
