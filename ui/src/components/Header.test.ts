// @vitest-environment jsdom
// Why: the header must keep its counters' words, draw the online sparkline so it reads in both themes
// (its own size and colour, scaled to the hour's range so a change shows), and open the shortcut list.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { connectedRoom } from '../lib/test-support';
import Header from './Header.svelte';

let app: Record<string, unknown> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const q = <T extends Element = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);

describe('Header', () => {
  it('labels each counter, and draws the last hour of the online count between its low and high', async () => {
    const T0 = Date.UTC(2025, 0, 1, 12);
    const { room } = await connectedRoom({
      room: {
        online: 120,
        onlineHistory: [
          { at: T0, count: 100 },
          { at: T0 + 5000, count: 120 },
          { at: T0 + 10000, count: 110 },
        ],
      },
    });
    const onHelp = vi.fn();
    app = mount(Header, { target: document.body, props: { room, onHelp } });
    flushSync();
    const labels = [...document.querySelectorAll('.stat-label')].map((l) => l.textContent);
    expect(labels).toEqual(['Online', 'Likes', 'Popularity']);
    const spark = q<SVGSVGElement>('online-sparkline')!;
    expect(spark.getAttribute('viewBox')).toBe('0 0 64 18');
    // Lowest at the bottom (y 16.5), highest at the top (y 1.5), the rest in between.
    expect(spark.querySelector('polyline')!.getAttribute('points')).toBe('0.0,16.5 32.0,1.5 64.0,9.0');
    expect(spark.querySelector('polygon')!.getAttribute('points')).toBe('0,18 0.0,16.5 32.0,1.5 64.0,9.0 64,18');

    q('shortcuts-open')!.click();
    expect(onHelp).toHaveBeenCalledTimes(1);
    expect(q('shortcuts-open')!.title).toBe('Keyboard shortcuts (?)');
  });

  it('draws no sparkline before two readings, and a flat one for a steady count', async () => {
    const { room } = await connectedRoom({ room: { onlineHistory: [{ at: 0, count: 5 }] } });
    app = mount(Header, { target: document.body, props: { room } });
    flushSync();
    expect(q('online-sparkline')).toBeNull();
    expect(q('shortcuts-open')).toBeNull(); // no help to open without a handler
    room.onlineHistory = [
      { at: 0, count: 5 },
      { at: 1, count: 5 },
    ];
    flushSync();
    expect(q('online-sparkline')!.querySelector('polyline')!.getAttribute('points')).toBe('0.0,16.5 64.0,16.5');
  });
});
