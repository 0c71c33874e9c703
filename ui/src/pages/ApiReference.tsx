// The admin and self-service API, rendered from the gateway's own OpenAPI document (no CDN, no
// extra package): operations by tag with who may call them, parameters, body and answer schemas.
import { useMemo, useState } from 'react';
import { API, api } from '../api';
import { Card, ErrorBox, Page, Spinner } from '../components/ui';
import { useLoad } from '../use-load';

type Json = Record<string, unknown>;
interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: { enum?: string[] } }[];
  requestBody?: { content?: { 'application/json'?: { schema?: Json } } };
  responses?: Record<string, { description?: string; content?: { 'application/json'?: { schema?: Json } } }>;
}
interface Doc {
  info: { title: string; description?: string; version: string };
  servers?: { url: string }[];
  tags?: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json> };
}

/**
 * A schema as a short TypeScript-like shape ("{ id: string, tokens: Token[] }"), with descriptions
 * as comments: easier to read than the JSON Schema itself. Refs are expanded a few levels deep.
 */
function shape(schema: unknown, doc: Doc, indent = '', seen: string[] = []): string {
  if (!schema || typeof schema !== 'object') return 'any';
  const s = schema as Json & { $ref?: string; type?: string | string[]; enum?: unknown[]; items?: unknown; properties?: Record<string, Json>; required?: string[]; oneOf?: unknown[]; anyOf?: unknown[]; additionalProperties?: unknown };
  if (s.$ref) {
    const name = s.$ref.split('/').pop()!;
    if (seen.includes(name) || seen.length > 3) return name;
    return shape(doc.components?.schemas?.[name], doc, indent, [...seen, name]);
  }
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alts = s.oneOf ?? s.anyOf;
  if (alts) return alts.map((a) => shape(a, doc, indent, seen)).join(' | ');
  if (Array.isArray(s.type)) return s.type.map((t) => (t === 'array' || t === 'object' ? shape({ ...s, type: t }, doc, indent, seen) : t)).join(' | ');
  if (s.type === 'array') {
    const item = shape(s.items, doc, indent, seen);
    return /[|\s]/.test(item) && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
  }
  if (s.properties) {
    const inner = `${indent}  `;
    const lines = Object.entries(s.properties).map(([k, v]) => {
      const note = typeof v.description === 'string' ? `  // ${v.description}` : '';
      return `${inner}${k}${s.required && !s.required.includes(k) ? '?' : ''}: ${shape(v, doc, inner, seen)}${note}`;
    });
    return lines.length ? `{\n${lines.join('\n')}\n${indent}}` : '{}';
  }
  if (s.type === 'object') return s.additionalProperties && typeof s.additionalProperties === 'object' ? `{ [key: string]: ${shape(s.additionalProperties, doc, indent, seen)} }` : 'object';
  return typeof s.type === 'string' ? s.type : 'any';
}

export function ApiReferencePage() {
  const doc = useLoad(() => api.get<Doc>('openapi.json'), []);
  const [filter, setFilter] = useState('');
  const byTag = useMemo(() => {
    const d = doc.data;
    if (!d) return [];
    const ops = Object.entries(d.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    const shown = ops.filter((o) => !filter.trim() || `${o.method} ${o.path} ${o.op.summary ?? ''}`.toLowerCase().includes(filter.trim().toLowerCase()));
    const tags = (d.tags ?? []).map((t) => t.name);
    return tags.map((tag) => ({ tag, ops: shown.filter((o) => (o.op.tags ?? []).includes(tag)) })).filter((t) => t.ops.length > 0);
  }, [doc.data, filter]);
  const d = doc.data;
  return (
    <Page title="API reference" intro={<>The gateway's admin and self-service API. Base URL <code>{d?.servers?.[0]?.url ?? API}</code>; the machine-readable document is at <a href={`${API}/openapi.json`}>openapi.json</a>.</>}>
      <ErrorBox error={doc.error} onRetry={doc.reload} />
      {doc.loading && !d && <Spinner />}
      {d && (
        <>
          <Card>
            <p>{d.info.description}</p>
            <div className="toolbar">
              <label className="search">
                <span className="sr-only">Filter operations</span>
                <input type="search" placeholder="Filter: tokens, POST, grants…" value={filter} onChange={(e) => setFilter(e.target.value)} />
              </label>
            </div>
          </Card>
          {byTag.map(({ tag, ops }) => (
            <Card key={tag} title={tag}>
              {ops.map(({ path, method, op }) => (
                <details key={`${method} ${path}`} className="api-op">
                  <summary><span className={`method ${method}`}>{method}</span> <code className="path">{path}</code> <span>{op.summary}</span></summary>
                  <p className="muted">{op.description}</p>
                  {op.parameters && op.parameters.length > 0 && (
                    <div className="table-wrap">
                      <table className="table compact" aria-label={`Parameters of ${method.toUpperCase()} ${path}`}>
                        <thead><tr><th>Parameter</th><th>In</th><th>Description</th></tr></thead>
                        <tbody>{op.parameters.map((p) => <tr key={`${p.in}:${p.name}`}><td><code>{p.name}</code>{p.required && ' *'}</td><td>{p.in}</td><td>{p.description}{p.schema?.enum && <> — one of {p.schema.enum.map((v) => <code key={v}>{v}</code>)}</>}</td></tr>)}</tbody>
                      </table>
                    </div>
                  )}
                  {op.requestBody?.content?.['application/json']?.schema && (
                    <><h3>Body</h3><pre>{shape(op.requestBody.content['application/json'].schema, d)}</pre></>
                  )}
                  {Object.entries(op.responses ?? {}).filter(([s]) => s < '400').map(([status, r]) => (
                    <div key={status}><h3>Answer {status}</h3>{r.content?.['application/json']?.schema ? <pre>{shape(r.content['application/json'].schema, d)}</pre> : <p className="muted">No body.</p>}</div>
                  ))}
                  {Object.keys(op.responses ?? {}).some((s) => s >= '400') && <p className="muted">Errors: {Object.entries(op.responses ?? {}).filter(([s]) => s >= '400').map(([s, r]) => `${s} ${r.description ?? ''}`).join('; ')}.</p>}
                </details>
              ))}
            </Card>
          ))}
        </>
      )}
    </Page>
  );
}
