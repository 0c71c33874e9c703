/**
 * Scripted cookie-jar HTTP client for driving sign-in flows in tests. The implementation lives in
 * product code (the demo IdP's `getTokens` uses it); this module is the test-facing entry point.
 */
export {
  HttpBrowser,
  extractForm,
  parseSetCookie,
  decodeHtmlEntities,
  type ExtractedForm,
  type FollowOptions,
  type FollowResult,
  type FormFields,
  type StoredCookie,
} from '../../src/devtools/idp/http-browser.js';
