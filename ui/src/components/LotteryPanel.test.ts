// @vitest-environment jsdom
// Why: the lottery is run live in front of viewers, so the panel must refuse what the room would refuse
// before asking (a keyword of nothing or over 32 characters, a winner count that is not 1 or more),
// show the room's refusals in place keeping what was typed, follow the entries as they arrive and how
// long it has been open, close and draw, list the winners as links to their user card, and show the
// lottery's history in every state (loading, refused with Retry, empty, full).
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FakeOptions } from '../lib/fake-backend';
import { connectedRoom } from '../lib/test-support';
import LotteryPanel from './LotteryPanel.svelte';

afterEach(() => cleanup());

const REFUSED = { code: 'forbidden' as const, message: 'Tencent refused the request (error 10007): not an admin' };

const id = (testId: string) => screen.getByTestId(testId);
const maybe = (testId: string) => screen.queryByTestId(testId);
const text = (testId: string) => id(testId).textContent!.replace(/\s+/g, ' ').trim();
const button = (testId: string) => id(testId) as HTMLButtonElement;
const input = (testId: string) => id(testId) as HTMLInputElement;

async function setup(options: FakeOptions = {}, before?: (ctx: Awaited<ReturnType<typeof connectedRoom>>) => void) {
  const ctx = await connectedRoom(options);
  before?.(ctx);
  const onUser = vi.fn();
  render(LotteryPanel, { props: { room: ctx.room, onUser } });
  /** Lets the calls settle, runs a frame (the events) and renders. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
    ctx.frames.frame();
    flushSync();
  };
  const calls = (method: string) => ctx.backend.calls.filter((c) => c.method === method).map((c) => c.args);
  await settle();
  return { ...ctx, onUser, settle, calls };
}

describe('LotteryPanel: opening', () => {
  it('counts the keyword’s characters and refuses, before asking, a keyword of nothing or over 32 characters', async () => {
    const { calls } = await setup();
    expect(id('lottery-panel').dataset.state).toBe('none');
    expect(text('lottery-keyword-count')).toBe('0 / 32 characters');
    expect(button('lottery-open').disabled).toBe(true);
    expect(maybe('lottery-keyword-problem')).toBeNull(); // empty is not a mistake yet

    await fireEvent.input(input('lottery-keyword'), { target: { value: ' ・・・ ' } });
    expect(text('lottery-keyword-problem')).toBe('Type a keyword: spaces and punctuation alone match nothing.');
    expect(button('lottery-open').disabled).toBe(true);

    await fireEvent.input(input('lottery-keyword'), { target: { value: '抽'.repeat(33) } });
    expect(text('lottery-keyword-count')).toBe('33 / 32 characters');
    expect(id('lottery-keyword-count').dataset.over).toBe('true');
    expect(text('lottery-keyword-problem')).toBe('A keyword has at most 32 characters.');
    expect(input('lottery-keyword').getAttribute('aria-invalid')).toBe('true');
    await fireEvent.submit(input('lottery-keyword').form!);
    expect(calls('openLottery')).toEqual([]);

    await fireEvent.input(input('lottery-keyword'), { target: { value: '抽'.repeat(32) } });
    expect(maybe('lottery-keyword-problem')).toBeNull();
    expect(button('lottery-open').disabled).toBe(false);
  });

  it('shows the room’s refusal in place and keeps the keyword', async () => {
    const { backend, settle, calls } = await setup();
    await fireEvent.input(input('lottery-keyword'), { target: { value: '888' } });
    backend.failNext('openLottery', REFUSED);
    await fireEvent.click(button('lottery-open'));
    await settle();
    expect(text('lottery-error')).toBe(REFUSED.message);
    expect(input('lottery-keyword').value).toBe('888');
    expect(id('lottery-panel').dataset.state).toBe('none');
    expect(calls('openLottery')).toEqual([['888']]);
  });
});

describe('LotteryPanel: a lottery from open to winners', () => {
  it('opens, counts entrants as they arrive and the time open, closes and draws; winners open their card', async () => {
    const { backend, room, clock, onUser, settle, calls } = await setup();
    await fireEvent.input(input('lottery-keyword'), { target: { value: '抽奖' } });
    const release = backend.holdNext('openLottery');
    await fireEvent.click(button('lottery-open'));
    expect(text('lottery-open')).toBe('Working…');
    expect(input('lottery-keyword').readOnly).toBe(true);
    release();
    await settle();

    expect(id('lottery-panel').dataset.state).toBe('open');
    expect(text('lottery-state')).toBe('Open: viewers enter by sending “抽奖”');
    expect(text('lottery-entrants')).toBe('0');
    expect(maybe('lottery-keyword')).toBeNull(); // one lottery at a time
    expect(text('lottery-draw')).toBe('Close and draw');

    for (const [user, msg] of [['ava_rose', '抽奖!'], ['小龙女', '抽 奖'], ['ava_rose', '抽奖 again'], ['leo', 'hi']]) {
      backend.send(user, msg);
    }
    await settle();
    expect(text('lottery-entrants')).toBe('2');
    clock.advance(95_000);
    room.tick();
    flushSync();
    expect(text('lottery-open-for')).toBe('Open for 1 min 35 s');

    await fireEvent.click(button('lottery-close'));
    await settle();
    expect(id('lottery-panel').dataset.state).toBe('closed');
    expect(text('lottery-state')).toBe('Closed: “抽奖” takes no more entries');
    expect(maybe('lottery-open-for')).toBeNull();
    expect(maybe('lottery-close')).toBeNull();
    expect(text('lottery-draw')).toBe('Draw');

    await fireEvent.input(input('lottery-winners'), { target: { value: '2' } });
    await fireEvent.click(button('lottery-draw'));
    await settle();
    expect(calls('drawLottery')).toEqual([[2, null]]);
    const winners = screen.getAllByTestId('lottery-winner').map((b) => b.textContent!.trim());
    expect(winners.sort()).toEqual(['ava_rose', '小龙女']);
    expect(text('lottery-draw')).toBe('Draw again');
    await fireEvent.click(screen.getAllByTestId('lottery-winner')[0]);
    expect(onUser).toHaveBeenCalledWith(room.lottery!.winners[0]);

    // The history has the whole run, newest first, with the seed the draw used.
    const history = screen.getAllByTestId('lottery-history-line').map((l) => l.textContent!.replace(/\s+/g, ' '));
    expect(history).toHaveLength(3);
    expect(history[0]).toContain(`drew 2 of 2 with seed ${room.lottery!.seed}`);
    expect(history[1]).toContain('closed with 2 entrants');
    expect(history[2]).toContain('opened with keyword "抽奖"');
    // A new lottery can be opened once this one is closed.
    expect(input('lottery-keyword').value).toBe('抽奖');
  });

  it('draws straight from an open lottery (closing it), and says so when no one entered', async () => {
    const { settle } = await setup();
    await fireEvent.input(input('lottery-keyword'), { target: { value: '888' } });
    await fireEvent.click(button('lottery-open'));
    await settle();
    await fireEvent.click(button('lottery-draw'));
    await settle();
    expect(id('lottery-panel').dataset.state).toBe('closed');
    expect(text('lottery-no-winners')).toBe('No one entered, so no one won.');
    expect(maybe('lottery-winners-list')).toBeNull();
  });

  it('refuses a winner count that is not a whole number from 1 before asking', async () => {
    const lottery = { keyword: '888', open: true, entrants: 3, winners: [], seed: null };
    const { calls } = await setup({ room: { lottery } });
    for (const bad of ['0', '', '2.5', 'two']) {
      await fireEvent.input(input('lottery-winners'), { target: { value: bad } });
      expect(text('lottery-winners-problem')).toBe('Use a whole number from 1 to 4,294,967,295.');
      expect(button('lottery-draw').disabled).toBe(true);
    }
    await fireEvent.click(button('lottery-draw'));
    expect(calls('drawLottery')).toEqual([]);
    await fireEvent.input(input('lottery-winners'), { target: { value: '3' } });
    expect(maybe('lottery-winners-problem')).toBeNull();
    expect(button('lottery-draw').disabled).toBe(false);
  });

  it('shows a refused close or draw in place, the lottery as it was', async () => {
    const lottery = { keyword: '888', open: true, entrants: 3, winners: [], seed: null };
    const { backend, settle } = await setup({ room: { lottery } });
    backend.failNext('closeLottery', REFUSED);
    await fireEvent.click(button('lottery-close'));
    await settle();
    expect(text('lottery-error')).toBe(REFUSED.message);
    expect(id('lottery-panel').dataset.state).toBe('open');
    backend.failNext('drawLottery', { code: 'offline', message: 'the hub did not answer' });
    await fireEvent.click(button('lottery-draw'));
    await settle();
    expect(text('lottery-error')).toContain('the hub did not answer');
    expect(id('lottery-panel').dataset.state).toBe('open');
    expect(maybe('lottery-winners-list')).toBeNull();
  });

  it('follows another console’s lottery as its events arrive', async () => {
    const { backend, settle } = await setup();
    backend.push({ type: 'lottery', keyword: 'gift', open: false, entrants: 12, winners: ['ava_rose', 'leo'], seed: '5' });
    await settle();
    expect(text('lottery-entrants')).toBe('12');
    expect(screen.getAllByTestId('lottery-winner').map((b) => b.textContent!.trim())).toEqual(['ava_rose', 'leo']);
  });
});

describe('LotteryPanel: history', () => {
  it('says it is loading, then that there is none yet', async () => {
    let release!: () => void;
    await setup({}, ({ backend }) => (release = backend.holdNext('audit')));
    expect(text('lottery-history-loading')).toBe('Loading…');
    release();
    await vi.waitFor(() => expect(maybe('lottery-history-empty')).not.toBeNull());
    expect(text('lottery-history-empty')).toBe('No lottery yet');
  });

  it('asks the room’s whole log for lottery lines only, and lists them newest first', async () => {
    const old = (id: number, detail: string) => ({
      id, at: Date.UTC(2024, 11, 30, 20, 0, 0) + id, actor: 'mod_mei', action: 'lottery' as const, target: 'room', detail, reason: '', duration: null, undoneBy: null,
    });
    const mute = { ...old(3, ''), action: 'mute' as const, target: 'leo', duration: 60 };
    const { calls } = await setup({ room: { audit: [old(1, 'opened with keyword "gift"'), old(2, 'drew 1 of 9 with seed 4: leo'), mute] } });
    expect(calls('audit')).toEqual([[{ text: null, target: null, action: 'lottery', limit: 10 }]]);
    const lines = screen.getAllByTestId('lottery-history-line');
    expect(lines.map((l) => l.dataset.auditId)).toEqual(['2', '1']);
    expect(lines[0].textContent).toContain('2024-12-30 20:00');
    expect(lines[0].textContent).toContain('mod_mei');
    expect(lines[0].textContent).toContain('drew 1 of 9 with seed 4: leo');
  });

  it('shows a refused history with Retry, which loads it', async () => {
    const { backend, settle } = await setup({}, ({ backend }) => backend.failNext('audit', REFUSED));
    expect(text('lottery-history-error')).toBe(`Could not load the history: ${REFUSED.message}`);
    await backend.openLottery('888'); // meanwhile, someone opens one
    await fireEvent.click(button('lottery-history-retry'));
    await settle();
    expect(maybe('lottery-history-error')).toBeNull();
    expect(screen.getAllByTestId('lottery-history-line')).toHaveLength(1);
  });
});
