// Why: the fake must be deterministic for a seed (tests and previews replay) and must let tests
// inject failures, hold calls and inspect them, behaving like the Rust side where it matters.
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from './bindings';
import { FakeBackend, mulberry32 } from './fake-backend';
import { fixedClock } from './test-support';

describe('FakeBackend', () => {
  it('is deterministic for a seed', () => {
    const make = (seed: number) => new FakeBackend({ seed, clock: fixedClock(), history: 40 });
    const a = make(7);
    const b = make(7);
    expect(a.snapshot()).toEqual(b.snapshot());
    expect(a.simulate(200)).toEqual(b.simulate(200));
    expect(make(8).simulate(50)).not.toEqual(make(7).simulate(50));
  });

  it('simulates a multilingual room: chat in EN/ZH/KO/JA, gifts, likes, joins', () => {
    const fake = new FakeBackend({ seed: 3, clock: fixedClock() });
    const events = fake.simulate(600).map((e) => e.event);
    const kinds = new Set(events.map((e) => e.type));
    for (const k of ['chat', 'gift', 'likes', 'memberJoined', 'online']) expect(kinds).toContain(k);
    const text = events.flatMap((e) => (e.type === 'chat' ? [e.text] : [])).join(' ');
    expect(text).toMatch(/[a-z]/);
    expect(text).toMatch(/[\u4e00-\u9fff]/); // Han
    expect(text).toMatch(/[\uac00-\ud7af]/); // Hangul
    expect(text).toMatch(/[\u3040-\u30ff]/); // Kana
  });

  it('numbers events gaplessly and keeps its snapshot in step', async () => {
    const fake = new FakeBackend({ seed: 1, clock: fixedClock() });
    const got: EventEnvelope[] = [];
    const snap = await fake.subscribe((batch) => got.push(...batch));
    expect(snap.seq).toBe(0);
    fake.push({ type: 'likes', total: 5 }, { type: 'online', count: 9 });
    expect(got.map((e) => e.seq)).toEqual([1, 2]);
    expect(fake.snapshot()).toMatchObject({ seq: 2, likes: 5, online: 9 });
  });

  it('fails the next call as told, once, and records calls', async () => {
    const fake = new FakeBackend();
    fake.failNext('kick', { code: 'forbidden', message: 'no' });
    await expect(fake.kick('a')).rejects.toEqual({ code: 'forbidden', message: 'no' });
    await expect(fake.kick('a')).resolves.toBeUndefined();
    fake.failNext('subscribe', { code: 'notReady', message: 'wait' }, 2);
    await expect(fake.subscribe(() => {})).rejects.toMatchObject({ code: 'notReady' });
    await expect(fake.subscribe(() => {})).rejects.toMatchObject({ code: 'notReady' });
    await expect(fake.subscribe(() => {})).resolves.toMatchObject({ seq: 1 });
    expect(fake.calls.map((c) => c.method)).toEqual(['kick', 'kick', 'subscribe', 'subscribe', 'subscribe']);
    expect(fake.calls[0].args).toEqual(['a']);
  });

  it('refuses status changes the machine forbids, like Rust', async () => {
    const fake = new FakeBackend({ room: { status: 'ended' } });
    await expect(fake.setStatus('live')).rejects.toMatchObject({
      code: 'invalid',
      message: 'the room cannot go from ended to live; from ended it can go to replay, upcoming',
    });
    await fake.setStatus('replay');
    expect(fake.snapshot().status).toBe('replay');
  });

  it('emits userMuted (null for unmute) and userKicked', async () => {
    const clock = fixedClock(1_000_000);
    const fake = new FakeBackend({ clock });
    const got: EventEnvelope[] = [];
    await fake.subscribe((b) => got.push(...b));
    await fake.mute('u', 60);
    await fake.mute('u', 0);
    await fake.kick('u');
    expect(got.map((e) => e.event)).toEqual([
      { type: 'userMuted', userId: 'u', until: 1000 + 60 },
      { type: 'userMuted', userId: 'u', until: null },
      { type: 'userKicked', userId: 'u' },
    ]);
    expect(fake.snapshot().blocked).toContain('u');
  });

  it('holds a call until released', async () => {
    const fake = new FakeBackend();
    const release = fake.holdNext('appInfo');
    let settled = false;
    const p = fake.appInfo().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false);
    release();
    await p;
    expect(settled).toBe(true);
  });

  it('mulberry32 is a stable PRNG', () => {
    const r = mulberry32(42);
    const first = [r(), r(), r()];
    const again = mulberry32(42);
    expect([again(), again(), again()]).toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });
});
