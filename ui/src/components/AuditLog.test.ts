// @vitest-environment jsdom
// Why: the audit log must show who did what to whom, why and for how long; offer Undo only on mute,
// kick, ban, mute-all and strike lines not undone yet; search the room's log; and download exports.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { AuditLine } from '../lib/bindings';
import { captureDownloads, connectedRoom } from '../lib/test-support';
import AuditLog from './AuditLog.svelte';

let app: Record<string, unknown> | null = null;
let restore: (() => void) | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  restore?.();
  restore = null;
  document.body.innerHTML = '';
});

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const q = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document) =>
  root.querySelector<T>(`[data-testid="${id}"]`);
const lines = () => [...document.querySelectorAll<HTMLElement>('[data-testid="audit-line"]')];
const line = (id: number) => document.querySelector<HTMLElement>(`[data-testid="audit-line"][data-audit-id="${id}"]`)!;
const withUndo = () => lines().filter((l) => q('audit-undo', l)).map((l) => Number(l.dataset.auditId));

function audit(id: number, over: Partial<AuditLine>): AuditLine {
  return { id, at: T0, actor: 'anchor', action: 'mute', target: 'alice', detail: '', reason: '', duration: null, undoneBy: null, ...over };
}

const LOG: AuditLine[] = [
  audit(1, { action: 'mute', target: 'alice', reason: 'spam links', duration: 60 }),
  audit(2, { action: 'kick', target: 'bob', undoneBy: 5 }),
  audit(3, { action: 'status', target: 'room', detail: 'live → paused' }),
  audit(4, { action: 'unmute', target: 'carol' }),
  audit(5, { action: 'unblock', target: 'bob' }),
  audit(6, { action: 'ban', actor: 'mod_mei', target: '지민이', reason: '욕설', duration: 7 * 86400 }),
  audit(7, { action: 'words', target: 'word list', detail: '3 → 4 rules' }),
  audit(8, { action: 'approve', target: 'dave', detail: 'free coins' }),
  audit(9, { action: 'mute', target: 'erin', duration: 4294967295, detail: 'until the end of this stream' }),
];

async function setup() {
  const ctx = await connectedRoom({ room: { audit: LOG, blocked: ['지민이'] } });
  app = mount(AuditLog, { target: document.body, props: { room: ctx.room, onUser: vi.fn() } });
  flushSync();
  return ctx;
}

function search(text: string) {
  const input = q<HTMLInputElement>('audit-search')!;
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.form!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  flushSync();
}

describe('AuditLog', () => {
  it('lists the lines newest first with actor, action, target, reason and duration', async () => {
    await setup();
    expect(lines().map((l) => Number(l.dataset.auditId))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(line(1).textContent).toContain('anchor');
    expect(line(1).textContent).toContain('Mute');
    expect(line(1).textContent).toContain('alice');
    expect(q('audit-duration', line(1))!.textContent).toBe('1 min');
    expect(q('audit-reason', line(1))!.textContent).toBe('Reason: spam links');
    expect(q('audit-duration', line(6))!.textContent).toBe('7 d');
    expect(line(6).textContent).toContain('mod_mei');
    expect(q('audit-duration', line(9))!.textContent).toBe('Permanent');
    expect(line(3).textContent).toContain('live → paused');
  });

  it('offers Undo only on mute, kick and ban lines not undone yet', async () => {
    await setup();
    expect(withUndo()).toEqual([9, 6, 1]); // 2 is a kick, but undone already
    expect(line(2).dataset.undone).toBe('true');
    expect(line(2).textContent).toContain('Undone');
  });

  it('undoes a line: the button goes, the undo shows up; a rejection shows on the line', async () => {
    const { backend, frames } = await setup();
    q('audit-undo', line(1))!.click();
    await vi.waitFor(() => expect(line(1).dataset.undone).toBe('true'));
    expect(backend.calls.at(-1)).toEqual({ method: 'undo', args: [1] });
    expect(withUndo()).toEqual([9, 6]);
    frames.frame();
    flushSync();
    expect(lines()[0].dataset.action).toBe('unmute'); // the undo's own line, newest

    backend.failNext('undo', { code: 'invalid', message: 'audit line 6 is not among the recent ones that can be undone' });
    q('audit-undo', line(6))!.click();
    await vi.waitFor(() => expect(q('audit-undo-error', line(6))).not.toBeNull());
    expect(q('audit-undo-error', line(6))!.textContent).toBe('audit line 6 is not among the recent ones that can be undone');
    expect(q('audit-undo', line(6))).not.toBeNull();
  });

  it('labels hiding, mute-all, strikes, forgiving and ladder changes, and forgives a strike by Undo', async () => {
    const ctx = await connectedRoom({ room: { audit: [] } });
    app = mount(AuditLog, { target: document.body, props: { room: ctx.room, onUser: vi.fn() } });
    await ctx.backend.moderate({ type: 'hide', msgId: '42', reason: 'ad' });
    await ctx.backend.moderate({ type: 'muteAll', on: true, reason: '' });
    await ctx.backend.setStrikeLadder({ steps: [{ type: 'warn' }], windowSecs: 3600, fromFilter: true });
    await ctx.backend.moderate({ type: 'strike', userId: 'troll', reason: 'links' });
    ctx.frames.frame();
    flushSync();
    const label = (l: HTMLElement) => l.querySelector('.action')!.textContent;
    expect(lines().map((l) => [l.dataset.action, label(l)])).toEqual([
      ['strike', 'Strike'],
      ['ladder', 'Strike ladder'],
      ['muteAll', 'Mute all'],
      ['hide', 'Hide message'],
    ]);
    expect(lines()[1].textContent).toContain('room'); // not a user: plain text
    expect(lines().filter((l) => q('audit-undo', l)).map((l) => l.dataset.action)).toEqual(['strike', 'muteAll']);

    q('audit-undo', lines()[0])!.click();
    await vi.waitFor(() => expect(line(4).dataset.undone).toBe('true'));
    ctx.frames.frame();
    flushSync();
    expect([lines()[0].dataset.action, label(lines()[0])]).toEqual(['forgive', 'Forgive']);
    expect(lines()[0].textContent).toContain('troll');
  });

  it('searches the log, and goes back to the live list when the search is cleared', async () => {
    const { backend } = await setup();
    search('SPAM');
    await vi.waitFor(() => expect(lines().map((l) => Number(l.dataset.auditId))).toEqual([1]));
    expect(backend.calls.at(-1)).toEqual({ method: 'audit', args: [{ text: 'SPAM', target: null, action: null, limit: 0 }] });
    expect(q('audit-results')!.textContent).toBe('1 matching line');

    search('nothing like this');
    await vi.waitFor(() => expect(lines()).toHaveLength(0));
    expect(q('audit-log')!.textContent).toContain('No matching lines');

    backend.failNext('audit', { code: 'offline', message: 'the store is busy' });
    search('x');
    await vi.waitFor(() => expect(q('audit-search-error')).not.toBeNull());
    expect(q('audit-search-error')!.textContent).toBe('the store is busy');

    search('');
    expect(lines()).toHaveLength(9);
  });

  it('exports what the search finds as CSV and JSON downloads', async () => {
    const capture = captureDownloads();
    restore = capture.restore;
    const { backend } = await setup();
    search('bob');
    q('audit-export-csv')!.click();
    await vi.waitFor(() => expect(capture.downloads).toHaveLength(1));
    expect(backend.calls.at(-1)).toEqual({
      method: 'exportAudit',
      args: [{ text: 'bob', target: null, action: null, limit: 10_000 }, 'csv'],
    });
    const csv = capture.downloads[0];
    expect(csv.name).toMatch(/^anchordesk-audit-\d{8}-\d{6}\.csv$/);
    expect(csv.type).toBe('text/csv;charset=utf-8');
    expect((await csv.text).split('\n').slice(0, 3)).toEqual([
      'id,at,actor,action,target,detail,reason,duration,undone_by',
      `5,${T0},anchor,unblock,bob,,,,`,
      `2,${T0},anchor,kick,bob,,,,5`,
    ]);

    search('');
    q('audit-export-json')!.click();
    await vi.waitFor(() => expect(capture.downloads).toHaveLength(2));
    expect(capture.downloads[1].name).toMatch(/\.json$/);
    expect((JSON.parse(await capture.downloads[1].text) as AuditLine[]).map((l) => l.id)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);

    backend.failNext('exportAudit', { code: 'internal', message: 'cannot export' });
    q('audit-export-csv')!.click();
    await vi.waitFor(() => expect(q('audit-export-error')).not.toBeNull());
    expect(q('audit-export-error')!.textContent).toBe('cannot export');
    expect(capture.downloads).toHaveLength(2);
  });
});
