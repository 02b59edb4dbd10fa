// Why: the fake must be deterministic for a seed (tests and previews replay) and must let tests
// inject failures, hold calls and inspect them, behaving like the Rust side where it matters:
// moderation and its audit lines, undo, the held queue, the word list and its text format.
import { describe, expect, it } from 'vitest';
import { auditQuery } from './audit';
import type { AuditLine, EventEnvelope, RoomEvent } from './bindings';
import { FakeBackend, SAMPLE_WORDS, mulberry32 } from './fake-backend';
import { fixedClock } from './test-support';

const T0 = 1_000_000;

async function subscribed(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  const fake = new FakeBackend({ clock: fixedClock(T0), ...options });
  const got: EventEnvelope[] = [];
  await fake.subscribe((b) => got.push(...b));
  const events = () => got.map((e) => e.event);
  const audits = () => events().filter((e): e is Extract<RoomEvent, { type: 'audit' }> => e.type === 'audit');
  return { fake, got, events, audits };
}

describe('FakeBackend', () => {
  it('is deterministic for a seed', () => {
    const make = (seed: number) => new FakeBackend({ seed, clock: fixedClock(), history: 40 });
    const a = make(7);
    const b = make(7);
    expect(a.snapshot()).toEqual(b.snapshot());
    expect(a.simulate(200)).toEqual(b.simulate(200));
    expect(make(8).simulate(50)).not.toEqual(make(7).simulate(50));
  });

  it('simulates a multilingual room: chat in EN/ZH/KO/JA, gifts, likes, joins, held and blocked lines, audit', () => {
    const fake = new FakeBackend({ seed: 3, clock: fixedClock() });
    const events = fake.simulate(1500).map((e) => e.event);
    const kinds = new Set(events.map((e) => e.type));
    for (const k of ['chat', 'gift', 'likes', 'memberJoined', 'online', 'held', 'blocked', 'audit', 'userMuted']) {
      expect(kinds).toContain(k);
    }
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
    const kick = { type: 'kick', userId: 'a', reason: '' } as const;
    fake.failNext('moderate', { code: 'forbidden', message: 'no' });
    await expect(fake.moderate(kick)).rejects.toEqual({ code: 'forbidden', message: 'no' });
    await expect(fake.moderate(kick)).resolves.toBeUndefined();
    fake.failNext('subscribe', { code: 'notReady', message: 'wait' }, 2);
    await expect(fake.subscribe(() => {})).rejects.toMatchObject({ code: 'notReady' });
    await expect(fake.subscribe(() => {})).rejects.toMatchObject({ code: 'notReady' });
    await expect(fake.subscribe(() => {})).resolves.toMatchObject({ seq: 2 }); // the kick and its audit line
    expect(fake.calls.map((c) => c.method)).toEqual(['moderate', 'moderate', 'subscribe', 'subscribe', 'subscribe']);
    expect(fake.calls[0].args).toEqual([kick]);
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

  it('audits a status change', async () => {
    const { fake, events } = await subscribed({ room: { status: 'live' } });
    await fake.setStatus('paused');
    expect(events()).toEqual([
      { type: 'status', status: 'paused' },
      expect.objectContaining({ type: 'audit', id: 1, action: 'status', actor: 'anchor', target: 'room', detail: 'live → paused' }),
    ]);
  });

  describe('moderate', () => {
    it('mutes with a reason, unmutes, kicks, unblocks, bans and unbans, each with an audit line', async () => {
      const { fake, events } = await subscribed();
      await fake.moderate({ type: 'mute', userId: 'u', seconds: 60, untilEndOfStream: false, reason: 'spam' });
      await fake.moderate({ type: 'unmute', userId: 'u', reason: '' });
      await fake.moderate({ type: 'kick', userId: 'u', reason: 'links' });
      expect(fake.snapshot().blocked).toContain('u');
      await fake.moderate({ type: 'unblock', userId: 'u' });
      expect(fake.snapshot().blocked).not.toContain('u');
      await fake.moderate({ type: 'ban', userId: 'v', seconds: 3600, reason: 'abuse' });
      await fake.moderate({ type: 'unban', userId: 'v' });
      const line = (id: number, action: string, target: string, reason: string, duration: number | null, detail = '') => ({
        type: 'audit',
        id,
        at: T0,
        actor: 'anchor',
        action,
        target,
        detail,
        reason,
        duration,
        undoneBy: null,
      });
      expect(events()).toEqual([
        { type: 'userMuted', userId: 'u', until: 1000 + 60 },
        line(1, 'mute', 'u', 'spam', 60),
        { type: 'userMuted', userId: 'u', until: null },
        line(2, 'unmute', 'u', '', null),
        { type: 'userKicked', userId: 'u' },
        line(3, 'kick', 'u', 'links', null),
        { type: 'userUnblocked', userId: 'u' },
        line(4, 'unblock', 'u', '', null),
        { type: 'userKicked', userId: 'v' },
        line(5, 'ban', 'v', 'abuse', 3600, 'native ban'),
        { type: 'userUnblocked', userId: 'v' },
        line(6, 'unban', 'v', '', null),
      ]);
      expect(fake.snapshot().audit.map((l) => l.id)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('mutes until the end of the stream and lifts those mutes when the stream ends', async () => {
      const { fake, events, audits } = await subscribed({ room: { status: 'live' } });
      await fake.moderate({ type: 'mute', userId: 'u', seconds: 86400, untilEndOfStream: true, reason: '' });
      await fake.moderate({ type: 'mute', userId: 'w', seconds: 600, untilEndOfStream: false, reason: '' });
      expect(audits()[0]).toMatchObject({ action: 'mute', detail: 'until the end of this stream', duration: 86400 });
      await fake.setStatus('ended');
      const unmutes = events().filter((e) => e.type === 'userMuted' && e.until === null);
      expect(unmutes).toEqual([{ type: 'userMuted', userId: 'u', until: null }]);
      expect(audits().at(-1)).toMatchObject({ actor: 'room', action: 'unmute', target: 'u', reason: 'the stream ended' });
      expect(fake.snapshot().muted.map((m) => m.userId)).toEqual(['w']);
    });

    it('refuses what the room refuses, changing nothing', async () => {
      const { fake, got } = await subscribed();
      await expect(
        fake.moderate({ type: 'mute', userId: 'u', seconds: 0, untilEndOfStream: false, reason: '' }),
      ).rejects.toEqual({ code: 'invalid', message: 'a mute needs a duration; use unmute to lift one' });
      await expect(fake.moderate({ type: 'ban', userId: 'u', seconds: 0, reason: '' })).rejects.toEqual({
        code: 'invalid',
        message: 'a ban needs a duration of at least 1 second',
      });
      await expect(fake.moderate({ type: 'kick', userId: '', reason: '' })).rejects.toMatchObject({ code: 'invalid' });
      await expect(fake.moderate({ type: 'kick', userId: 'x'.repeat(33), reason: '' })).rejects.toMatchObject({
        code: 'invalid',
      });
      expect(got).toEqual([]);
    });
  });

  describe('undo', () => {
    it('undoes a mute (unmute), a kick (unblock) and a ban (unban), marking the line once', async () => {
      const { fake, events, audits } = await subscribed();
      await fake.moderate({ type: 'mute', userId: 'a', seconds: 600, untilEndOfStream: false, reason: '' });
      await fake.moderate({ type: 'kick', userId: 'b', reason: '' });
      await fake.moderate({ type: 'ban', userId: 'c', seconds: 3600, reason: '' });
      const [mute, kick, ban] = audits();
      await fake.undo(mute.id);
      await fake.undo(kick.id);
      await fake.undo(ban.id);
      const undos = audits().slice(3);
      expect(undos.map((l) => [l.action, l.target, l.reason])).toEqual([
        ['unmute', 'a', `undo #${mute.id}`],
        ['unblock', 'b', ''],
        ['unban', 'c', ''],
      ]);
      expect(events()).toContainEqual({ type: 'userUnblocked', userId: 'b' });
      const log = fake.auditLog();
      expect(log.find((l) => l.id === mute.id)!.undoneBy).toBe(undos[0].id);
      expect(log.find((l) => l.id === kick.id)!.undoneBy).toBe(undos[1].id);
      expect(fake.snapshot().audit.find((l) => l.id === ban.id)!.undoneBy).toBe(undos[2].id);
      await expect(fake.undo(mute.id)).rejects.toEqual({ code: 'invalid', message: `audit line ${mute.id} was undone already` });
    });

    it('refuses lines that cannot be undone and unknown ids', async () => {
      const { fake, audits } = await subscribed();
      await fake.moderate({ type: 'unmute', userId: 'a', reason: '' });
      await expect(fake.undo(audits()[0].id)).rejects.toEqual({ code: 'invalid', message: 'a unmute cannot be undone' });
      await expect(fake.undo(999)).rejects.toEqual({
        code: 'invalid',
        message: 'audit line 999 is not among the recent ones that can be undone',
      });
    });
  });

  describe('word list and held messages', () => {
    it('holds, drops and refuses what the word list says, and delivers the rest', async () => {
      const { fake, events } = await subscribed();
      expect(fake.snapshot().words).toBe(SAMPLE_WORDS.length);
      fake.send('a', 'get FREE  COINS here');
      fake.send('b', 's p a m');
      fake.send('c', '加 微 信');
      fake.send('d', 'hello');
      expect(events()).toEqual([
        { type: 'held', id: 1, userId: 'a', text: 'get FREE  COINS here', pattern: 'free coins', at: T0 },
        { type: 'blocked', userId: 'b', text: 's p a m', pattern: 'spam', action: 'drop', at: T0 },
        { type: 'blocked', userId: 'c', text: '加 微 信', pattern: '加微信', action: 'refuse', at: T0 },
        { type: 'chat', id: expect.any(String), userId: 'd', text: 'hello', at: T0 },
      ]);
      expect(fake.snapshot().held.map((h) => h.id)).toEqual([1]);
      expect(fake.snapshot().filtered.map((f) => f.userId)).toEqual(['b', 'c']);
    });

    it('approves (re-sent to the chat) and rejects held messages, once', async () => {
      const { fake, events } = await subscribed();
      fake.send('a', 'free coins!');
      fake.send('b', 'you idiot');
      await fake.resolveHeld(1, true);
      await fake.resolveHeld(2, false);
      expect(events().slice(2)).toEqual([
        { type: 'heldResolved', id: 1, approved: true, actor: 'anchor' },
        expect.objectContaining({ type: 'audit', action: 'approve', target: 'a', detail: 'free coins!' }),
        expect.objectContaining({ type: 'chat', userId: 'a', text: 'free coins!' }),
        { type: 'heldResolved', id: 2, approved: false, actor: 'anchor' },
        expect.objectContaining({ type: 'audit', action: 'reject', target: 'b', detail: 'you idiot' }),
      ]);
      expect(fake.snapshot().held).toEqual([]);
      await expect(fake.resolveHeld(1, false)).rejects.toEqual({
        code: 'invalid',
        message: 'there is no held message 1; it may be resolved already',
      });
    });

    it('replaces the word list (event and audit line) and reads and writes its text format', async () => {
      const { fake, events } = await subscribed({ words: [] });
      const rules = await fake.parseWords('# house rules\nspam\nfree coins\thold\n\nbad word\tDROP\r\n');
      expect(rules).toEqual([
        { pattern: 'spam', action: 'refuse' },
        { pattern: 'free coins', action: 'hold' },
        { pattern: 'bad word', action: 'drop' },
      ]);
      await fake.setWords(rules);
      expect(await fake.words()).toEqual(rules);
      expect(events()).toEqual([
        { type: 'words', count: 3 },
        expect.objectContaining({ type: 'audit', action: 'words', target: 'word list', detail: '0 → 3 rules' }),
      ]);
      expect(fake.snapshot().words).toBe(3);
      const text = await fake.formatWords(rules);
      expect(text).toBe('spam\trefuse\nfree coins\thold\nbad word\tdrop\n');
      expect(await fake.parseWords(text)).toEqual(rules);
      await expect(fake.parseWords('ok\nx\tbanish\n')).rejects.toEqual({
        code: 'invalid',
        message: 'line 2: "banish" is not an action; use deliver, hold, drop or refuse',
      });
    });
  });

  describe('audit', () => {
    async function withLog() {
      const s = await subscribed();
      await s.fake.moderate({ type: 'mute', userId: 'alice', seconds: 60, untilEndOfStream: false, reason: 'Spamming' });
      await s.fake.moderate({ type: 'kick', userId: 'bob', reason: 'links' });
      await s.fake.moderate({ type: 'mute', userId: 'bob', seconds: 60, untilEndOfStream: false, reason: '' });
      return s;
    }

    it('searches newest first by text (any field, any case), target, action and limit', async () => {
      const { fake } = await withLog();
      const ids = async (q: Parameters<typeof auditQuery>[0]) => (await fake.audit(auditQuery(q))).map((l) => l.id);
      expect(await ids({})).toEqual([3, 2, 1]);
      expect(await ids({ text: 'spam' })).toEqual([1]);
      expect(await ids({ text: 'ANCHOR' })).toEqual([3, 2, 1]);
      expect(await ids({ target: 'bob' })).toEqual([3, 2]);
      expect(await ids({ action: 'mute' })).toEqual([3, 1]);
      expect(await ids({ limit: 1 })).toEqual([3]);
    });

    it('exports CSV and JSON, and refuses other formats', async () => {
      const { fake } = await withLog();
      const csv = await fake.exportAudit(auditQuery({ target: 'alice' }), 'csv');
      expect(csv).toBe('id,at,actor,action,target,detail,reason,duration,undone_by\n1,1000000,anchor,mute,alice,,Spamming,60,\n');
      const json = JSON.parse(await fake.exportAudit(auditQuery({}), 'json')) as AuditLine[];
      expect(json.map((l) => l.id)).toEqual([3, 2, 1]);
      await expect(fake.exportAudit(auditQuery({}), 'xml' as 'csv')).rejects.toEqual({
        code: 'invalid',
        message: '"xml" is not an export format; use csv or json',
      });
    });

    it('keeps only the newest 100 lines in a snapshot, and the whole log for searches', async () => {
      const { fake } = await subscribed();
      for (let i = 0; i < 120; i++) await fake.moderate({ type: 'unmute', userId: `u${i}`, reason: '' });
      expect(fake.snapshot().audit).toHaveLength(100);
      expect(fake.snapshot().audit[0].id).toBe(21);
      expect(await fake.audit(auditQuery({ limit: 500 }))).toHaveLength(120);
      expect(await fake.audit(auditQuery({}))).toHaveLength(120); // 0: up to 200
    });
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
