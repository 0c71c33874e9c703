// The XML libraries SAML needs, loaded on first use: `serve` without a SAML provider never loads
// node-saml, xml-crypto or xmldom (footprint; test/deploy/serve-module-graph.test.ts). Both are
// CommonJS packages, so `require` keeps their callers synchronous.
import { createRequire } from 'node:module';

type NodeSaml = typeof import('@node-saml/node-saml');
type XmlDom = typeof import('@xmldom/xmldom');

const require = createRequire(import.meta.url);
let nodeSaml: NodeSaml | undefined;
let xmlDom: XmlDom | undefined;

export const loadNodeSaml = (): NodeSaml => (nodeSaml ??= require('@node-saml/node-saml') as NodeSaml);
export const loadXmlDom = (): XmlDom => (xmlDom ??= require('@xmldom/xmldom') as XmlDom);
