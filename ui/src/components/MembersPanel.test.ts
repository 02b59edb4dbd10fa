// @vitest-environment jsdom
// Why: the lottery is run in one place (the Room tab); the moderation overview keeps only its
// one-line summary, which must take the anchor there when the app gives it the way (and stay plain
// text otherwise), and must follow the lottery's events like the rest of the panel.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectedRoom } from '../lib/test-support';
import MembersPanel from './MembersPanel.svelte';

afterEach(() => cleanup());

const lottery = { keyword: '抽奖', open: true, entrants: 7, winners: [], seed: null };

describe('MembersPanel: the lottery summary', () => {
  it('is a link to the lottery that follows its events', async () => {
    const { room, backend, frames } = await connectedRoom({ room: { lottery } });
    const onLottery = vi.fn();
    render(MembersPanel, { props: { room, onUser: () => {}, onLottery } });
    const summary = screen.getByTestId('lottery-summary');
    expect(summary.tagName).toBe('BUTTON');
    expect(summary.getAttribute('title')).toBe('Open the lottery in the Room tab');
    expect(summary.textContent).toBe('Lottery “抽奖”: 7 entered');
    await fireEvent.click(summary);
    expect(onLottery).toHaveBeenCalledOnce();

    backend.push({ type: 'lottery', keyword: '抽奖', open: false, entrants: 7, winners: ['ava_rose'], seed: '1' });
    frames.frame();
    flushSync();
    expect(screen.getByTestId('lottery-summary').textContent).toBe('Lottery “抽奖”: 7 entered — winners: ava_rose');
    expect(screen.getByTestId('lottery-summary').dataset.open).toBe('false');
  });

  it('is plain text without a way to the lottery, and absent without a lottery', async () => {
    const { room } = await connectedRoom({ room: { lottery } });
    render(MembersPanel, { props: { room, onUser: () => {} } });
    expect(screen.getByTestId('lottery-summary').tagName).toBe('P');
    cleanup();
    const empty = await connectedRoom();
    render(MembersPanel, { props: { room: empty.room, onUser: () => {} } });
    expect(screen.queryByTestId('lottery-summary')).toBeNull();
  });
});
