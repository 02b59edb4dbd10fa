// Why: the fake must be deterministic for a seed (tests and previews replay) and must let tests
// inject failures, hold calls and inspect them, behaving like the Rust side where it matters:
// moderation and its audit lines, undo, the held queue, the word list and its text format.
import { describe, expect, it } from 'vitest';
import { auditQuery } from './audit';
import type { AuditLine, EventEnvelope, RoomEvent } from './bindings';
import { FakeBackend, SAMPLE_WORDS, mulberry32 } from './fake-backend';
import { fixedClock } from './test-support';
import { BLOCKED_FOREVER, levelFor } from './usercard';

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

  describe('user cards and notes', () => {
    it('counts what a viewer did: messages (latest 50, oldest first), likes, gifts, time online, level', async () => {
      const clock = fixedClock(T0);
      const fake = new FakeBackend({ clock, room: { chat: [{ id: 'c0', userId: 'ava', text: 'from before', at: T0 - 5000 }] } });
      fake.push({ type: 'memberJoined', userId: 'ava', at: T0 });
      clock.advance(10_000);
      for (let i = 1; i <= 60; i++) fake.push({ type: 'chat', id: `c${i}`, userId: 'ava', text: `line ${i}`, at: T0 + i });
      fake.push({ type: 'chat', id: 'x', userId: 'bob', text: 'not hers', at: T0 });
      fake.push({ type: 'gift', id: 'g1', userId: 'ava', giftId: 'rocket', giftName: 'Rocket', count: 2, unitPrice: 520, at: T0 });
      clock.advance(30 * 60_000);
      fake.push({ type: 'memberLeft', userId: 'ava', at: clock() });

      const card = await fake.userCard('ava');
      expect(card).toMatchObject({
        userId: 'ava',
        firstSeen: (T0 - 5000) / 1000,
        lastSeen: Math.floor(clock() / 1000),
        messages: 61,
        giftValue: 1040,
        onlineSecs: 30 * 60 + 10,
        note: '',
        mutedUntil: null,
        blockedUntil: null,
      });
      expect(card.level).toBe(levelFor(61, 0, 1040, 30 * 60 + 10));
      expect(card.level).toBeGreaterThan(5);
      expect(card.messagesRecent).toHaveLength(50);
      expect(card.messagesRecent[0]).toEqual({ id: 'c11', userId: 'ava', text: 'line 11', at: T0 + 11 });
      expect(card.messagesRecent.at(-1)!.text).toBe('line 60');
      expect((await fake.userCard('bob')).messages).toBe(1);
    });

    it('attributes simulated likes to viewers', async () => {
      const fake = new FakeBackend({ seed: 9, clock: fixedClock(T0) });
      const events = fake.simulate(400).map((e) => e.event);
      const likes = events.filter((e) => e.type === 'likes');
      expect(likes.length).toBeGreaterThan(0);
      const users = [...new Set(events.flatMap((e) => (e.type === 'chat' ? [e.userId] : [])))];
      let total = 0;
      for (const u of ['ava_rose', 'leo.streams', 'nightowl42', 'maple_tea', 'jordan_k', '小龙女', '星河漫游', '阿杰_88', '橘子汽水', '夜猫子', '지민이', '하늘바람', '별빛소녀', '민준_kr', 'さくら_jp', 'たけし', 'ゆきんこ', 'ハル']) {
        total += (await fake.userCard(u)).likes;
      }
      expect(users.length).toBeGreaterThan(0);
      expect(total).toBe(fake.snapshot().likes);
    });

    it('an unseen viewer has an empty card (first seen 0, level 1)', async () => {
      const fake = new FakeBackend({ clock: fixedClock(T0) });
      expect(await fake.userCard('nobody')).toEqual({
        userId: 'nobody',
        firstSeen: 0,
        lastSeen: 0,
        messages: 0,
        likes: 0,
        giftValue: 0,
        onlineSecs: 0,
        level: 1,
        note: '',
        messagesRecent: [],
        actions: [],
        mutedUntil: null,
        blockedUntil: null,
      });
      await expect(fake.userCard('')).rejects.toMatchObject({ code: 'invalid' });
    });

    it('lists the actions about the viewer newest first, and their live mute and block', async () => {
      const { fake } = await subscribed();
      await fake.moderate({ type: 'mute', userId: 'u', seconds: 600, untilEndOfStream: false, reason: 'spam' });
      await fake.moderate({ type: 'kick', userId: 'someone else', reason: '' });
      await fake.moderate({ type: 'kick', userId: 'u', reason: 'links' });
      let card = await fake.userCard('u');
      expect(card.actions.map((l) => [l.id, l.action, l.reason])).toEqual([
        [3, 'kick', 'links'],
        [1, 'mute', 'spam'],
      ]);
      expect(card.mutedUntil).toBe(T0 / 1000 + 600);
      expect(card.blockedUntil).toBe(BLOCKED_FOREVER); // a kick has no end

      await fake.moderate({ type: 'unblock', userId: 'u' });
      await fake.moderate({ type: 'ban', userId: 'u', seconds: 3600, reason: '' });
      card = await fake.userCard('u');
      expect(card.blockedUntil).toBe(T0 / 1000 + 3600);
      expect(card.actions[0]).toMatchObject({ action: 'ban', duration: 3600 });
      await fake.moderate({ type: 'unban', userId: 'u' });
      await fake.moderate({ type: 'unmute', userId: 'u', reason: '' });
      card = await fake.userCard('u');
      expect([card.mutedUntil, card.blockedUntil]).toEqual([null, null]);
      expect(card.actions).toHaveLength(6);
    });

    it('keeps notes up to 2000 bytes (a CJK character is 3), like Rust', async () => {
      const clock = fixedClock(T0);
      const fake = new FakeBackend({ clock });
      await fake.setNote('ava', 'regular; 常来');
      expect((await fake.userCard('ava')).note).toBe('regular; 常来');
      // Saving a note creates the record, as the store does.
      expect((await fake.userCard('ava')).firstSeen).toBe(T0 / 1000);

      await fake.setNote('ava', '公'.repeat(666) + 'ab'); // 2000 bytes
      await expect(fake.setNote('ava', '公'.repeat(667))).rejects.toEqual({
        code: 'invalid',
        message: 'a note holds at most 2000 bytes; this one is 2001',
      });
      expect((await fake.userCard('ava')).note).toBe('公'.repeat(666) + 'ab');
      await expect(fake.setNote('', 'x')).rejects.toMatchObject({ code: 'invalid' });
      fake.failNext('setNote', { code: 'offline', message: 'down' });
      await expect(fake.setNote('ava', 'x')).rejects.toEqual({ code: 'offline', message: 'down' });
      expect(fake.calls.filter((c) => c.method === 'setNote').at(-1)!.args).toEqual(['ava', 'x']);
    });
  });

  describe('notice', () => {
    it('changes the notice and/or the introduction, keeping an omitted one; announces and audits', async () => {
      const { fake, events } = await subscribed({ room: { notice: 'old notice', introduction: 'old intro' } });
      await fake.setNotice({ notice: '今晚八点开播' });
      await fake.setNotice({ introduction: 'New intro', notice: null });
      expect(events()).toEqual([
        { type: 'notice', notice: '今晚八点开播', introduction: 'old intro' },
        expect.objectContaining({
          type: 'audit',
          actor: 'anchor',
          action: 'notice',
          target: 'room',
          detail: 'notice: 今晚八点开播 / introduction: old intro',
        }),
        { type: 'notice', notice: '今晚八点开播', introduction: 'New intro' },
        expect.objectContaining({ type: 'audit', action: 'notice' }),
      ]);
      expect(fake.snapshot()).toMatchObject({ notice: '今晚八点开播', introduction: 'New intro' });
    });

    it('counts UTF-8 bytes like Rust: notice ≤ 300, introduction ≤ 240, a CJK character 3', async () => {
      const { fake, got } = await subscribed();
      await fake.setNotice({ notice: '公'.repeat(100), introduction: '공'.repeat(80) }); // exactly 300 and 240
      expect(fake.snapshot().notice).toBe('公'.repeat(100));
      got.length = 0;
      await expect(fake.setNotice({ notice: '公'.repeat(101) })).rejects.toEqual({
        code: 'invalid',
        message: 'the notice is 303 bytes; Tencent allows 300 (a Chinese, Japanese or Korean character counts 3)',
      });
      await expect(fake.setNotice({ notice: 'ok', introduction: 'あ'.repeat(80) + 'x' })).rejects.toEqual({
        code: 'invalid',
        message: 'the introduction is 241 bytes; Tencent allows 240 (a Chinese, Japanese or Korean character counts 3)',
      });
      await expect(fake.setNotice({ notice: 'a'.repeat(301) })).rejects.toMatchObject({ message: expect.stringContaining('301 bytes') });
      expect(got).toEqual([]); // nothing changed
      expect(fake.snapshot().notice).toBe('公'.repeat(100));
    });
  });

  describe('popularity', () => {
    it('scores like the room (message 2, 10 likes 1, gift value, online minute 1) and reports changes', async () => {
      const clock = fixedClock(T0);
      const { fake, events } = await subscribed({ clock, room: { popularity: 100, likes: 0 } });
      expect(fake.snapshot().popularity).toBe(100);
      fake.push({ type: 'chat', id: '1', userId: 'a', text: 'hi', at: T0 });
      fake.push({ type: 'likes', total: 25 });
      fake.push({ type: 'gift', id: 'g', userId: 'a', giftId: 'heart', giftName: 'Heart', count: 3, unitPrice: 5, at: T0 });
      fake.push({ type: 'memberJoined', userId: 'b', at: T0 });
      clock.advance(3 * 60_000 + 5000);
      fake.push({ type: 'memberLeft', userId: 'b', at: clock() });
      expect(fake.snapshot().popularity).toBe(100 + 2 + 2 + 15 + 3);
      expect(events().filter((e) => e.type === 'popularity')).toEqual([]);
      expect(fake.reportPopularity().map((e) => e.event)).toEqual([{ type: 'popularity', score: 122 }]);
      expect(fake.reportPopularity()).toEqual([]); // unchanged since
    });

    it('reports the score now and then while simulating', () => {
      const fake = new FakeBackend({ seed: 4, clock: fixedClock(T0) });
      const scores = fake
        .simulate(300)
        .map((e) => e.event)
        .flatMap((e) => (e.type === 'popularity' ? [e.score] : []));
      expect(scores.length).toBe(1); // one batch, one report at its end
      expect(scores[0]).toBe(fake.snapshot().popularity);
      const more: number[] = [];
      for (let i = 0; i < 100; i++) {
        for (const { event } of fake.simulate(1)) if (event.type === 'popularity') more.push(event.score);
      }
      expect(more.length).toBeGreaterThan(3);
      expect(more.length).toBeLessThan(20);
      expect([...more].sort((a, b) => a - b)).toEqual(more); // only grows
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
