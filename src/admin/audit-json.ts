// The audit log's output shapes: JSON rows (API and export) and CSV (export). CSV cells that a
// spreadsheet would run as a formula are prefixed with a quote (CSV injection).
import { publicAuditReason } from '../audit/request-audit.js';
import type { AuditRecord } from '../store/index.js';

export interface AuditJson {
  seq: number;
  time: string;
  actor: string | null;
  action: string;
  resource: string | null;
  decision: string;
  reason: string | null;
  request_id: string | null;
  client_ip: string | null;
}

/** `full`: the administrator's view; others get reasons without their admin-only detail. */
export function auditJson(e: AuditRecord, full: boolean): AuditJson {
  return {
    seq: e.seq, time: e.time.toISOString(), actor: e.actor, action: e.action, resource: e.resource, decision: e.decision,
    reason: full ? e.reason : publicAuditReason(e.reason), request_id: e.requestId, client_ip: e.clientIp,
  };
}

export const CSV_COLUMNS = ['seq', 'time', 'actor', 'action', 'resource', 'decision', 'reason', 'request_id', 'client_ip'] as const;

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(e: AuditJson): string {
  return `${CSV_COLUMNS.map((c) => csvCell(e[c])).join(',')}\r\n`;
}
