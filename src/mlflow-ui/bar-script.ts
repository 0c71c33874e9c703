// banner.js: the script of the bar injected into MLflow's UI (a same-origin file, so a CSP MLflow
// may send keeps working). It watches MLflow's own requests, because MLflow's UI cannot know
// about the gateway:
//   - a 401 from the gateway (session ended or expired) starts exactly ONE sign-in, returning to
//     the same page, fragment included; a loop guard stops after a sign-in that did not help;
//   - a failed script or stylesheet load (a lazily loaded chunk refused while signed out) asks
//     whoami, which answers 401 when the session is gone;
//   - a 403 from the gateway shows, in the bar, what is missing and a link to ask for it;
//   - while the assistant is disabled on the gateway, MLflow's assistant panel starts closed (MLflow
//     opens it by itself on a first visit from localhost; its state lives in localStorage).
// Plain ES5 on purpose: it runs inside MLflow's page, next to MLflow's own bundle.
/** The level words of the web UI (ui/src/levels.ts LEVEL_LABEL; bar-script.test.ts keeps them equal): the bar never shows a raw enum. */
export const BAR_LEVEL_LABEL: Readonly<Record<string, string>> = {
  DENY: 'Denied', NO_PERMISSIONS: 'No access', NONE: 'No access', READ: 'Read', USE: 'Use', EDIT: 'Edit', MANAGE: 'Manage',
};

export const BAR_JS = `(function () {
  var script = document.currentScript;
  var base = script ? script.getAttribute('data-base') || '' : '';
  var GUARD = 'mog-sign-in-started';
  var leaving = false;
  var shown = {};
  var LEVEL = ${JSON.stringify(BAR_LEVEL_LABEL)};

  if (script && script.getAttribute('data-assistant') === 'off') {
    try {
      localStorage.setItem('mlflow.assistant.fab.autoOpenedOnFirstLoad_v1', 'true');
      localStorage.setItem('mlflow.assistant.panelOpen_v1', 'false');
    } catch (e) {}
  }

  function here() { return location.pathname + location.search + location.hash; }
  function sameOrigin(url) { try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; } }
  function ours(url) { try { return new URL(url, location.href).pathname.indexOf(base + '/_gateway/ui/') === 0; } catch (e) { return false; } }
  function bar() { return document.querySelector('.mog-banner'); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; }

  function notice(text, linkText, href, kind) {
    var b = bar();
    if (!b) return;
    var box = b.querySelector('.mog-notice');
    if (!box) { box = el('div', 'mog-notice'); box.setAttribute('role', 'status'); b.insertBefore(box, b.firstChild); }
    box.className = 'mog-notice' + (kind ? ' mog-' + kind : '');
    box.textContent = '';
    box.appendChild(el('span', '', text));
    if (linkText) { var a = el('a', '', linkText); a.href = href; box.appendChild(a); }
    var close = el('button', 'mog-close', '×');
    close.type = 'button'; close.setAttribute('aria-label', 'Dismiss');
    close.onclick = function () { box.parentNode.removeChild(box); };
    box.appendChild(close);
  }

  function signInUrl() { return base + '/_gateway/login?return_to=' + encodeURIComponent(here()); }

  function sessionEnded() {
    if (leaving) return;
    var b = bar();
    if (b) b.classList.add('mog-signed-out');
    var started = 0;
    try { started = Number(sessionStorage.getItem(GUARD) || 0); } catch (e) {}
    if (Date.now() - started < 20000) {
      notice('You are signed out, and signing in again just now did not help.', 'Sign in', signInUrl(), 'warn');
      return;
    }
    leaving = true;
    try { sessionStorage.setItem(GUARD, String(Date.now())); } catch (e) {}
    notice('Your session ended: signing you in again…', '', '', 'warn');
    location.assign(signInUrl());
  }

  function denied(body) {
    var d = body && body.denied;
    if (!d) return;
    var key = d.resource_type + ':' + d.resource_id + ':' + d.needed;
    if (shown[key]) return;
    shown[key] = true;
    var q = 'resource_type=' + encodeURIComponent(d.resource_type) + '&resource_id=' + encodeURIComponent(d.resource_id)
      + '&level=' + encodeURIComponent(d.needed) + '&return_to=' + encodeURIComponent(here());
    var what = d.resource_type.replace('_', ' ') + ' ' + d.resource_id;
    notice('You need ' + (LEVEL[d.needed] || d.needed) + ' on ' + what + ' for this page.', 'Ask for access', base + '/_gateway/ui/request-access?' + q, 'deny');
  }

  function seen(status, url, readBody) {
    if (!sameOrigin(url) || ours(url)) return;
    if (status >= 200 && status < 300) { try { sessionStorage.removeItem(GUARD); } catch (e) {} return; }
    if (status !== 401 && status !== 403) return;
    readBody(function (body) {
      var code = body && body.gateway_code;
      if (status === 401 && (code === 'GW_SESSION_EXPIRED' || code === 'GW_UNAUTHENTICATED')) sessionEnded();
      else if (status === 403 && code === 'GW_DENIED') denied(body);
    });
  }

  var nativeFetch = window.fetch;
  if (nativeFetch) {
    window.fetch = function () {
      return nativeFetch.apply(this, arguments).then(function (res) {
        try {
          seen(res.status, res.url, function (cb) { res.clone().json().then(cb, function () { cb(null); }); });
        } catch (e) {}
        return res;
      });
    };
  }

  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) { this.__mogUrl = url; return open.apply(this, arguments); };
  XMLHttpRequest.prototype.send = function () {
    var xhr = this;
    xhr.addEventListener('loadend', function () {
      seen(xhr.status, xhr.responseURL || String(xhr.__mogUrl || ''), function (cb) {
        try {
          if (xhr.responseType === 'json') return cb(xhr.response);
          if (xhr.responseType === '' || xhr.responseType === 'text') return cb(JSON.parse(xhr.responseText));
        } catch (e) {}
        cb(null);
      });
    });
    return send.apply(this, arguments);
  };

  // Fallback for clients that keep their own fetch (MLflow's GraphQL client may): resource timing
  // reports a refused same-origin call without its body; the page's own route (#/experiments/<id>)
  // then says what the page is about.
  function fromRoute() {
    var m = /^#\\/experiments\\/(\\d+)/.exec(location.hash);
    if (m) return { resource_type: 'experiment', resource_id: m[1], needed: 'READ' };
    m = /^#\\/models\\/([^/?]+)/.exec(location.hash);
    if (m) return { resource_type: 'registered_model', resource_id: decodeURIComponent(m[1]), needed: 'READ' };
    m = /^#\\/prompts\\/([^/?]+)/.exec(location.hash);
    if (m) return { resource_type: 'prompt', resource_id: decodeURIComponent(m[1]), needed: 'READ' };
    return null;
  }
  try {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (e) {
        var st = e.responseStatus;
        if (!st || !sameOrigin(e.name) || ours(e.name)) return;
        if (st === 401) { probe(); return; }
        if (st === 403) { var d = fromRoute(); if (d) denied({ denied: d }); }
      });
    }).observe({ type: 'resource', buffered: true });
  } catch (e) {}

  function probe() { if (!leaving) window.fetch(base + '/_gateway/api/v1/whoami', { credentials: 'same-origin' }).catch(function () {}); }
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && (t.tagName === 'SCRIPT' || t.tagName === 'LINK')) probe();
  }, true);
  window.addEventListener('unhandledrejection', function (e) {
    var r = e.reason;
    if (r && (r.name === 'ChunkLoadError' || /Loading (CSS )?chunk/.test(String(r.message)))) probe();
  });
})();
`;
