// @vitest-environment jsdom
// Why: the word-list editor must load the list in its text format, refuse to save a bad list naming
// the line (and change nothing), save a good one, import a file into the editor, and export.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { WordRule } from '../lib/bindings';
import { captureDownloads, connectedRoom } from '../lib/test-support';
import WordsPanel from './WordsPanel.svelte';

let app: Record<string, unknown> | null = null;
let restore: (() => void) | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  restore?.();
  restore = null;
  document.body.innerHTML = '';
});

const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);

const WORDS: WordRule[] = [
  { pattern: 'spam', action: 'drop' },
  { pattern: '加微信', action: 'refuse' },
];

async function setup() {
  const ctx = await connectedRoom({ words: WORDS });
  app = mount(WordsPanel, { target: document.body, props: { room: ctx.room } });
  await vi.waitFor(() => expect(q<HTMLTextAreaElement>('words-text')!.value).toBe('spam\tdrop\n加微信\trefuse\n'));
  flushSync();
  return ctx;
}

function edit(text: string) {
  const area = q<HTMLTextAreaElement>('words-text')!;
  area.value = text;
  area.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

describe('WordsPanel', () => {
  it('loads the list in force and shows the count', async () => {
    const { backend } = await setup();
    expect(q('words-count')!.textContent).toBe('2 rules in force');
    expect(backend.calls.map((c) => c.method)).toEqual(['subscribe', 'words', 'formatWords']);
  });

  it('refuses a bad list, naming the line, and changes nothing', async () => {
    const { backend } = await setup();
    edit('spam\tdrop\nfree coins\tbanish\n');
    expect(q('words-dirty')).not.toBeNull();
    q('words-save')!.click();
    await vi.waitFor(() => expect(q('words-error')).not.toBeNull());
    expect(q('words-error')!.textContent).toBe('line 2: "banish" is not an action; use deliver, hold, drop or refuse');
    expect(backend.calls.some((c) => c.method === 'setWords')).toBe(false);
    expect(await backend.words()).toEqual(WORDS);
    expect(q('words-count')!.textContent).toBe('2 rules in force');
  });

  it('saves a good list; a rejected save shows its message', async () => {
    const { backend, frames } = await setup();
    edit('# rules\nspam\tdrop\nfree coins\thold\nバカ\n');
    q('words-save')!.click();
    await vi.waitFor(() => expect(q('words-notice')).not.toBeNull());
    expect(q('words-notice')!.textContent).toBe('Saved: 3 rules in force');
    const rules = [
      { pattern: 'spam', action: 'drop' },
      { pattern: 'free coins', action: 'hold' },
      { pattern: 'バカ', action: 'refuse' },
    ];
    expect(backend.calls.at(-1)).toEqual({ method: 'setWords', args: [rules] });
    frames.frame();
    flushSync();
    expect(q('words-count')!.textContent).toBe('3 rules in force');
    expect(q('words-dirty')).toBeNull();

    backend.failNext('setWords', { code: 'invalid', message: 'the word list cannot be compiled' });
    edit('x\n');
    q('words-save')!.click();
    await vi.waitFor(() => expect(q('words-error')).not.toBeNull());
    expect(q('words-error')!.textContent).toBe('the word list cannot be compiled');
  });

  it('imports a file into the editor without saving it', async () => {
    const { backend } = await setup();
    const input = q<HTMLInputElement>('words-import')!;
    expect(input.type).toBe('file');
    const file = new File(['시발\tdrop\nidiot\thold\n'], 'house-rules.txt', { type: 'text/plain' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(q<HTMLTextAreaElement>('words-text')!.value).toBe('시발\tdrop\nidiot\thold\n'));
    flushSync();
    expect(q('words-notice')!.textContent).toBe('Loaded house-rules.txt; check it, then Save');
    expect(backend.calls.some((c) => c.method === 'setWords')).toBe(false);
  });

  it('exports the list in force as a text file', async () => {
    const capture = captureDownloads();
    restore = capture.restore;
    await setup();
    edit('unsaved\n');
    q('words-export')!.click();
    await vi.waitFor(() => expect(capture.downloads).toHaveLength(1));
    expect(capture.downloads[0].name).toMatch(/^anchordesk-words-\d{8}-\d{6}\.txt$/);
    expect(await capture.downloads[0].text).toBe('spam\tdrop\n加微信\trefuse\n');
    expect(q<HTMLTextAreaElement>('words-text')!.value).toBe('unsaved\n'); // the editor is left alone
  });

  it('reloads the list, dropping edits', async () => {
    await setup();
    edit('junk');
    q('words-load')!.click();
    await vi.waitFor(() => expect(q<HTMLTextAreaElement>('words-text')!.value).toBe('spam\tdrop\n加微信\trefuse\n'));
  });
});
