// @vitest-environment jsdom
// Why: a broadcast reaches every live room, and the room refuses anything over 4000 UTF-8 bytes or
// blank; so the counter must count bytes (a CJK character is 3), a broadcast the room would refuse
// must never be sent, the send must show its progress, and the outcome must show in place — sent (the
// field empties) or the room's refusal with the text kept for another try.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { connectedRoom } from '../lib/test-support';
import BroadcastPanel from './BroadcastPanel.svelte';

afterEach(() => cleanup());

const id = (testId: string) => screen.getByTestId(testId);
const textArea = () => id('broadcast-text') as HTMLTextAreaElement;
const sendButton = () => id('broadcast-send') as HTMLButtonElement;

async function setup() {
  const ctx = await connectedRoom();
  render(BroadcastPanel, { props: { room: ctx.room } });
  const sent = () => ctx.backend.calls.filter((c) => c.method === 'broadcast').map((c) => c.args[0]);
  /** Lets the calls settle, runs a frame (the events) and renders. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
    ctx.frames.frame();
    flushSync();
  };
  return { ...ctx, sent, settle };
}

async function type(value: string) {
  await fireEvent.input(textArea(), { target: { value } });
}

describe('BroadcastPanel', () => {
  it('counts UTF-8 bytes and keeps Send off while blank', async () => {
    await setup();
    expect(id('broadcast-bytes').textContent).toBe('0 / 4000 bytes');
    expect(sendButton().disabled).toBe(true);
    await type('   ');
    expect(sendButton().disabled).toBe(true); // white space alone: the room would refuse it
    await type('今晚九点 🎤');
    expect(id('broadcast-bytes').textContent).toBe('17 / 4000 bytes'); // 4 × 3 + space + 4
    expect(sendButton().disabled).toBe(false);
  });

  it('refuses a broadcast over 4000 bytes before sending: Send off, the limit explained, nothing sent', async () => {
    const { sent } = await setup();
    await type('公'.repeat(1333));
    expect(id('broadcast-bytes').textContent).toBe('3999 / 4000 bytes');
    expect(screen.queryByTestId('broadcast-problem')).toBeNull();
    await type('公'.repeat(1334));
    expect(id('broadcast-bytes').textContent).toBe('4002 / 4000 bytes');
    expect(id('broadcast-bytes').dataset.over).toBe('true');
    expect(textArea().getAttribute('aria-invalid')).toBe('true');
    expect(id('broadcast-problem').textContent).toContain('at most 4000 bytes');
    expect(sendButton().disabled).toBe(true);
    await fireEvent.click(sendButton());
    expect(sent()).toEqual([]);
  });

  it('shows progress while sending, then "sent" with the field emptied', async () => {
    const { backend, room, sent, settle } = await setup();
    await type('We go live at 9 pm — 今晚九点');
    const release = backend.holdNext('broadcast');
    await fireEvent.click(sendButton());
    expect(sendButton().textContent!.trim()).toBe('Working…');
    expect(sendButton().disabled).toBe(true);
    expect(textArea().readOnly).toBe(true);
    release();
    await settle();
    expect(id('broadcast-sent').textContent).toMatch(/^Broadcast sent at \d\d:\d\d:\d\d$/);
    expect(textArea().value).toBe('');
    expect(sent()).toEqual(['We go live at 9 pm — 今晚九点']);
    expect(room.audit.at(-1)).toMatchObject({ action: 'broadcast', detail: 'to every room (native broadcast): We go live at 9 pm — 今晚九点' });
    // Typing again puts the "sent" away.
    await type('next');
    expect(screen.queryByTestId('broadcast-sent')).toBeNull();
  });

  it('shows the room’s refusal in place and keeps the text for another try', async () => {
    const { backend, sent, settle } = await setup();
    await type('Giveaway at 9 pm');
    backend.failNext('broadcast', { code: 'rateLimited', message: 'Tencent is rate limiting the admin account: try again in a minute' });
    await fireEvent.click(sendButton());
    await settle();
    expect(id('broadcast-error').textContent).toBe('Not sent: Tencent is rate limiting the admin account: try again in a minute');
    expect(textArea().value).toBe('Giveaway at 9 pm');
    expect(textArea().readOnly).toBe(false);
    expect(sendButton().disabled).toBe(false);
    await fireEvent.click(sendButton());
    await settle();
    expect(screen.queryByTestId('broadcast-error')).toBeNull();
    expect(screen.getByTestId('broadcast-sent')).toBeTruthy();
    expect(sent()).toEqual(['Giveaway at 9 pm', 'Giveaway at 9 pm']);
  });
});
