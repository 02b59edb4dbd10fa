// @vitest-environment jsdom
// Why: the notice and introduction are limited in UTF-8 bytes, not characters — 100 × "公" is exactly
// the notice's 300, one more is over — so the counters must count bytes and Save must stay off while a
// field is over; Save must send only what was edited and show the outcome in place; and a field not
// being edited must follow `notice` events from other consoles while one being edited keeps its text.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { connectedRoom } from '../lib/test-support';
import RoomPanel from './RoomPanel.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);

function type(id: string, value: string) {
  const area = q<HTMLTextAreaElement>(id)!;
  area.value = value;
  area.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

async function setup(notice = 'Welcome!', introduction = '每晚八点') {
  const ctx = await connectedRoom({ room: { notice, introduction } });
  app = mount(RoomPanel, { target: document.body, props: { room: ctx.room } });
  flushSync();
  const save = () => q<HTMLButtonElement>('notice-save')!;
  const setNoticeCalls = () => ctx.backend.calls.filter((c) => c.method === 'setNotice').map((c) => c.args[0]);
  /** Apply pushed events as the next frame would. */
  const frame = () => {
    ctx.frames.frame();
    flushSync();
  };
  return { ...ctx, save, setNoticeCalls, frame };
}

describe('RoomPanel', () => {
  it('is prefilled from the room with byte counters; Save is off until something changes', async () => {
    const { save } = await setup();
    expect(q<HTMLTextAreaElement>('notice-text')!.value).toBe('Welcome!');
    expect(q<HTMLTextAreaElement>('intro-text')!.value).toBe('每晚八点');
    expect(q('notice-bytes')!.textContent).toBe('8 / 300 bytes');
    expect(q('intro-bytes')!.textContent).toBe('12 / 240 bytes'); // 4 CJK characters
    expect(save().disabled).toBe(true);
  });

  it('counts CJK as 3 bytes: 100 × 公 is the notice’s 300 and fine, 101 is over and disables Save', async () => {
    const { save } = await setup();
    type('notice-text', '公'.repeat(100));
    expect(q('notice-bytes')!.textContent).toBe('300 / 300 bytes');
    expect(q('notice-bytes')!.dataset.over).toBe('false');
    expect(q('notice-bytes')!.classList.contains('over')).toBe(false);
    expect(save().disabled).toBe(false);

    type('notice-text', '公'.repeat(101));
    expect(q('notice-bytes')!.textContent).toBe('303 / 300 bytes');
    expect(q('notice-bytes')!.dataset.over).toBe('true');
    expect(q('notice-bytes')!.classList.contains('over')).toBe(true);
    expect(q('notice-text')!.getAttribute('aria-invalid')).toBe('true');
    expect(save().disabled).toBe(true);

    // The introduction's limit is 240: 80 Hangul syllables fit, 81 do not (even with the notice fine).
    type('notice-text', 'short');
    type('intro-text', '공'.repeat(80));
    expect(q('intro-bytes')!.textContent).toBe('240 / 240 bytes');
    expect(save().disabled).toBe(false);
    type('intro-text', '공'.repeat(80) + 'a');
    expect(q('intro-bytes')!.textContent).toBe('241 / 240 bytes');
    expect(q('intro-bytes')!.dataset.over).toBe('true');
    expect(save().disabled).toBe(true);
  });

  it('saves only the field edited, says so, and follows the room again', async () => {
    const { save, setNoticeCalls, room, backend, frame } = await setup();
    type('notice-text', '公'.repeat(100));
    const release = backend.holdNext('setNotice');
    save().click();
    flushSync();
    expect(save().disabled).toBe(true); // in flight
    expect(q<HTMLTextAreaElement>('notice-text')!.readOnly).toBe(true);
    release();
    await vi.waitFor(() => expect(q('notice-saved')).not.toBeNull());
    expect(q('notice-saved')!.textContent).toBe('Saved and announced to the room');
    expect(setNoticeCalls()).toEqual([{ notice: '公'.repeat(100) }]);
    expect(room.notice).toBe('公'.repeat(100));
    expect(backend.snapshot()).toMatchObject({ notice: '公'.repeat(100), introduction: '每晚八点' });
    expect(save().disabled).toBe(true); // nothing left to save
    expect(q('notice-text')!.dataset.dirty).toBe('false');

    // Following again: another console's change shows.
    backend.push({ type: 'notice', notice: 'from another console', introduction: 'intro 2' });
    frame();
    expect(q<HTMLTextAreaElement>('notice-text')!.value).toBe('from another console');
    expect(q<HTMLTextAreaElement>('intro-text')!.value).toBe('intro 2');
  });

  it('shows the room’s refusal in place and keeps the text', async () => {
    const { save, backend } = await setup();
    type('intro-text', 'new intro');
    backend.failNext('setNotice', {
      code: 'invalid',
      message: 'the introduction is 241 bytes; Tencent allows 240 (a Chinese, Japanese or Korean character counts 3)',
    });
    save().click();
    await vi.waitFor(() => expect(q('notice-error')).not.toBeNull());
    expect(q('notice-error')!.textContent).toBe(
      'the introduction is 241 bytes; Tencent allows 240 (a Chinese, Japanese or Korean character counts 3)',
    );
    expect(q('notice-saved')).toBeNull();
    expect(q<HTMLTextAreaElement>('intro-text')!.value).toBe('new intro');
    expect(save().disabled).toBe(false); // try again

    save().click();
    await vi.waitFor(() => expect(q('notice-saved')).not.toBeNull());
    expect(q('notice-error')).toBeNull();
  });

  it('a notice event does not overwrite a field being edited, and says the room changed', async () => {
    const { backend, frame, setNoticeCalls, save } = await setup();
    type('notice-text', 'my draft');
    backend.push({ type: 'notice', notice: 'someone else’s', introduction: 'their intro' });
    frame();
    expect(q<HTMLTextAreaElement>('notice-text')!.value).toBe('my draft');
    expect(q('notice-changed')).not.toBeNull();
    expect(q<HTMLTextAreaElement>('intro-text')!.value).toBe('their intro'); // not being edited: follows
    expect(q('intro-changed')).toBeNull();

    save().click();
    await vi.waitFor(() => expect(q('notice-saved')).not.toBeNull());
    expect(setNoticeCalls()).toEqual([{ notice: 'my draft' }]); // their introduction stays
    expect(backend.snapshot()).toMatchObject({ notice: 'my draft', introduction: 'their intro' });
    expect(q('notice-changed')).toBeNull();
  });
});
