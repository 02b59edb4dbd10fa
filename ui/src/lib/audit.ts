// Why: the audit log's small rules in one place — a complete `AuditQuery` from a partial one (the
// Rust side wants every field), which lines can be undone (mute, kick, ban, mute-all, strike), and
// the export formats — so the panel, the room state and the fake agree.
import type { AuditAction, AuditLine, AuditQuery } from './bindings';

export type AuditExportFormat = 'csv' | 'json';

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'mute',
  'unmute',
  'kick',
  'unblock',
  'ban',
  'unban',
  'status',
  'notice',
  'words',
  'approve',
  'reject',
  'lottery',
  'broadcast',
  'hide',
  'muteAll',
  'strike',
  'forgive',
  'ladder',
  'invite',
  'join',
  'revoke',
  'refused',
];

/**
 * The actions `room_undo` accepts (mute → unmute, kick → unblock, ban → unban, mute-all → its
 * opposite, strike → forgiven).
 */
export const UNDOABLE: readonly AuditAction[] = ['mute', 'kick', 'ban', 'muteAll', 'strike'];

/** `{text, target, action}` left out are `null`; `limit` 0 means the Rust side's default (200). */
export function auditQuery(q: Partial<AuditQuery> = {}): AuditQuery {
  const text = q.text?.trim() ? q.text.trim() : null;
  return { text, target: q.target ?? null, action: q.action ?? null, limit: q.limit ?? 0 };
}

/** Whether the line's kind can be undone at all (not whether it already was). */
export function isUndoable(line: Pick<AuditLine, 'action'>): boolean {
  return UNDOABLE.includes(line.action);
}

/** Whether `line` matches `query` as the Rust side's search does (used by the fake). */
export function matchesAudit(line: AuditLine, query: AuditQuery): boolean {
  if (query.target !== null && line.target !== query.target) return false;
  if (query.action !== null && line.action !== query.action) return false;
  if (query.text !== null) {
    const needle = query.text.toLowerCase();
    const fields = [line.actor, line.target, line.detail, line.reason];
    if (!fields.some((f) => f.toLowerCase().includes(needle))) return false;
  }
  return true;
}

const CSV_HEADER = ['id', 'at', 'actor', 'action', 'target', 'detail', 'reason', 'duration', 'undone_by'];

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The export text in `format` (Rust: `store::export_audit`), for the fake. */
export function exportAuditText(lines: readonly AuditLine[], format: AuditExportFormat): string {
  if (format === 'json') return JSON.stringify(lines, null, 2);
  const rows = [CSV_HEADER];
  for (const l of lines) {
    rows.push([
      String(l.id),
      String(l.at),
      l.actor,
      l.action,
      l.target,
      l.detail,
      l.reason,
      l.duration === null ? '' : String(l.duration),
      l.undoneBy === null ? '' : String(l.undoneBy),
    ]);
  }
  return rows.map((r) => r.map(csvField).join(',') + '\n').join('');
}
