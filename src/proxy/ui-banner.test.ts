import { describe, expect, it } from 'vitest';
import { bannerHtml, injectBanner } from './ui-banner.js';

const gw = { config: { basePath: '/ml' } } as Parameters<typeof bannerHtml>[0];

describe('MLflow UI bar', () => {
  it('escapes the username and points at the mount path', () => {
    const html = bannerHtml(gw, '<img src=x onerror=alert(1)>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('href="/ml/_gateway/ui/"');
    expect(html).toContain('action="/ml/_gateway/logout"');
    expect(html).not.toMatch(/<script|style=/); // nothing a CSP could block
  });

  it('goes before the last </body>, or at the end when there is none', () => {
    expect(injectBanner('<html><body><p></p></body></html>', 'B')).toBe('<html><body><p></p>B</body></html>');
    expect(injectBanner('<p>', 'B')).toBe('<p>B');
  });
});
