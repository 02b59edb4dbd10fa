// Why: the fake must be deterministic for a seed (tests and previews replay) and must let tests
// inject failures, hold calls and inspect them, behaving like the Rust side where it matters: the
// feed (a snapshot first, a fresh one on resync), moderation and its audit lines, undo, hiding
// messages, mute-all, strikes and the ladder, stream sessions, the held queue, the word list and its
// text format.
import { describe, expect, it } from 'vitest';
import { auditQuery } from './audit';
import type { AuditLine, EventEnvelope, Feed, RoomEvent, RoomSnapshot, StrikeLadder } from './bindings';
import { FakeBackend, SAMPLE_WORDS, mulberry32 } from './fake-backend';
import { DEFAULT_LADDER } from './strikes';
import { fixedClock } from './test-support';
import { BLOCKED_FOREVER, levelFor } from './usercard';

const T0 = 1_000_000;

/** A subscriber's view: the snapshots and the events it was sent, in order. */
function follower() {
  const feed: Feed[] = [];
  const got: EventEnvelope[] = [];
  const snapshots: RoomSnapshot[] = [];
  const onFeed = (item: Feed) => {
    feed.push(item);
    if (item.type === 'snapshot') snapshots.push(item.snapshot);
    else got.push(...item.events);
  };
  return { feed, got, snapshots, onFeed };
}

async function subscribed(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  const fake = new FakeBackend({ clock: fixedClock(T0), ...options });
  const { got, snapshots, onFeed } = follower();
  await fake.subscribe(onFeed);
  const events = () => got.map((e) => e.event);
  const audits = () => events().filter((e): e is Extract<RoomEvent, { type: 'audit' }> => e.type === 'audit');
  return { fake, got, snapshots, events, audits };
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

  it('sends a snapshot first, then numbers events gaplessly and keeps its snapshot in step', async () => {
    const fake = new FakeBackend({ seed: 1, clock: fixedClock() });
    const { feed, got, onFeed } = follower();
    await expect(fake.subscribe(onFeed)).resolves.toBeUndefined();
    expect(feed).toEqual([{ type: 'snapshot', snapshot: fake.snapshot() }]);
    expect(fake.snapshot()).toMatchObject({ epoch: 1, seq: 0, mutedAll: false, session: null, statusSync: null });
    fake.push({ type: 'likes', total: 5 }, { type: 'online', count: 9 });
    expect(feed[1]).toEqual({ type: 'events', events: got });
    expect(got.map((e) => e.seq)).toEqual([1, 2]);
    expect(fake.snapshot()).toMatchObject({ seq: 2, likes: 5, online: 9 });
  });

  it('resyncs subscribers with a fresh snapshot, and restarts with a new epoch and seqs from 1', async () => {
    const { fake, got, snapshots } = await subscribed();
    fake.push({ type: 'likes', total: 5 });
    fake.resync();
    expect(snapshots.map((s) => [s.epoch, s.seq, s.likes])).toEqual([
      [1, 0, 0],
      [1, 1, 5],
    ]);
    fake.restartRoom();
    expect(snapshots.at(-1)).toMatchObject({ epoch: 2, seq: 0, likes: 5 });
    fake.push({ type: 'likes', total: 6 });
    expect(got.at(-1)!.seq).toBe(1);
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
    const { snapshots, onFeed } = follower();
    await fake.subscribe(onFeed);
    expect(snapshots[0].seq).toBe(2); // the kick and its audit line
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
      const { fake, events } = await subscribed({ room: { strikeLadder: { ...DEFAULT_LADDER, fromFilter: false } } });
      expect(fake.snapshot().words).toBe(SAMPLE_WORDS.length);
      fake.send('a', 'get FREE  COINS here');
      fake.send('b', 's p a m');
      fake.send('c', '加 微 信');
      fake.send('d', 'hello');
      expect(events()).toEqual([
        { type: 'held', id: 1, userId: 'a', text: 'get FREE  COINS here', pattern: 'free coins', at: T0 },
        { type: 'blocked', userId: 'b', text: 's p a m', pattern: 'spam', action: 'drop', at: T0 },
        { type: 'blocked', userId: 'c', text: '加 微 信', pattern: '加微信', action: 'refuse', at: T0 },
        { type: 'chat', id: expect.any(String), userId: 'd', text: 'hello', at: T0, hidden: false },
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
      const fake = new FakeBackend({ clock, room: { chat: [{ id: 'c0', userId: 'ava', text: 'from before', at: T0 - 5000, hidden: false }] } });
      fake.push({ type: 'memberJoined', userId: 'ava', at: T0 });
      clock.advance(10_000);
      for (let i = 1; i <= 60; i++) fake.push({ type: 'chat', id: `c${i}`, userId: 'ava', text: `line ${i}`, at: T0 + i, hidden: false });
      fake.push({ type: 'chat', id: 'x', userId: 'bob', text: 'not hers', at: T0, hidden: false });
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
      expect(card.messagesRecent[0]).toEqual({ id: 'c11', userId: 'ava', text: 'line 11', at: T0 + 11, hidden: false });
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
        streamMessages: 0,
        strikes: 0,
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
      fake.push({ type: 'chat', id: '1', userId: 'a', text: 'hi', at: T0, hidden: false });
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

  describe('hiding messages and mute-all', () => {
    const line = { id: '77', userId: 'ava', text: 'buy followers', at: T0, hidden: false };

    it('hides a chat line everywhere it is kept, with an audit line about its sender', async () => {
      const { fake, events } = await subscribed({ room: { chat: [line] } });
      await fake.moderate({ type: 'hide', msgId: '77', reason: 'ads' });
      expect(events()).toEqual([
        { type: 'messageHidden', id: '77', actor: 'anchor' },
        expect.objectContaining({ type: 'audit', action: 'hide', target: 'ava', detail: 'message 77: buy followers', reason: 'ads' }),
      ]);
      expect(fake.snapshot().chat).toEqual([{ ...line, hidden: true }]);
      expect((await fake.userCard('ava')).messagesRecent).toEqual([{ ...line, hidden: true }]);
    });

    it('hides a message it no longer keeps (the audit line names the id), and refuses a missing id', async () => {
      const { fake, audits } = await subscribed();
      await fake.moderate({ type: 'hide', msgId: 'gone', reason: '' });
      expect(audits()[0]).toMatchObject({ target: 'gone', detail: 'message gone: ' });
      const refusal = { code: 'invalid', message: 'say which message to hide (its id)' };
      await expect(fake.moderate({ type: 'hide', msgId: '', reason: '' })).rejects.toEqual(refusal);
      await expect(fake.moderate({ type: 'hide', msgId: '9'.repeat(65), reason: '' })).rejects.toEqual(refusal);
    });

    it('mutes everyone and lets them speak again, audited; undoing a mute-all does the opposite', async () => {
      const { fake, events, audits } = await subscribed();
      await fake.moderate({ type: 'muteAll', on: true, reason: 'raid' });
      expect(fake.snapshot().mutedAll).toBe(true);
      expect(events()).toEqual([
        { type: 'muteAll', on: true },
        expect.objectContaining({ type: 'audit', action: 'muteAll', target: 'room', detail: 'everyone muted', reason: 'raid' }),
      ]);
      await fake.undo(audits()[0].id);
      expect(fake.snapshot().mutedAll).toBe(false);
      expect(audits()[1]).toMatchObject({ action: 'muteAll', detail: 'everyone may speak', reason: `undo #${audits()[0].id}` });
      expect(fake.auditLog()[0].undoneBy).toBe(audits()[1].id);
    });
  });

  describe('strikes', () => {
    it('climbs the default ladder: a warning (only its line), 10 min, until the end of the stream, 30 days, then repeats', async () => {
      const { fake, events } = await subscribed();
      const strike = () => fake.moderate({ type: 'strike', userId: 'u', reason: '' });
      await strike();
      expect(events()).toEqual([
        expect.objectContaining({ type: 'audit', action: 'strike', target: 'u', detail: 'strike 1: warn', reason: '' }),
      ]);
      await strike();
      expect(events().slice(1)).toEqual([
        expect.objectContaining({ action: 'strike', detail: 'strike 2: mute 10 min' }),
        { type: 'userMuted', userId: 'u', until: T0 / 1000 + 600 },
        expect.objectContaining({ action: 'mute', target: 'u', reason: 'strike 2', duration: 600 }),
      ]);
      await strike();
      expect(events().at(-1)).toMatchObject({ action: 'mute', detail: 'until the end of this stream', reason: 'strike 3' });
      await fake.moderate({ type: 'strike', userId: 'u', reason: 'spam again' });
      expect(events().slice(-3)).toEqual([
        expect.objectContaining({ action: 'strike', detail: 'strike 4: ban 30 d', reason: 'spam again' }),
        { type: 'userKicked', userId: 'u' },
        expect.objectContaining({ action: 'ban', reason: 'spam again', duration: 30 * 86400 }),
      ]);
      await strike();
      expect(events().at(-3)).toMatchObject({ action: 'strike', detail: 'strike 5: ban 30 d' });
      expect((await fake.userCard('u')).strikes).toBe(5);
    });

    it('forgets strikes older than the window, and forgives an undone strike', async () => {
      const clock = fixedClock(T0);
      const ladder: StrikeLadder = { steps: [{ type: 'warn' }, { type: 'kick' }], windowSecs: 3600, fromFilter: false };
      const { fake, audits } = await subscribed({ clock, room: { strikeLadder: ladder } });
      await fake.moderate({ type: 'strike', userId: 'u', reason: '' });
      clock.advance(3600_000);
      await fake.moderate({ type: 'strike', userId: 'u', reason: '' });
      expect(audits()[1]).toMatchObject({ action: 'strike', detail: 'strike 1: warn' }); // the first was forgotten
      await fake.moderate({ type: 'strike', userId: 'u', reason: '' });
      expect(audits().map((l) => l.action)).toEqual(['strike', 'strike', 'strike', 'kick']);
      expect((await fake.userCard('u')).strikes).toBe(2);

      const second = audits()[2];
      await fake.undo(second.id);
      expect(audits().at(-1)).toMatchObject({ action: 'forgive', target: 'u', detail: `strike #${second.id}` });
      expect(fake.auditLog().find((l) => l.id === second.id)!.undoneBy).toBe(audits().at(-1)!.id);
      expect((await fake.userCard('u')).strikes).toBe(1);
      await expect(fake.undo(second.id)).rejects.toMatchObject({ message: expect.stringContaining('undone already') });
    });

    it('gives a strike for a message the word filter drops or refuses, at most one a minute per viewer', async () => {
      const clock = fixedClock(T0);
      const { fake, audits } = await subscribed({ clock });
      fake.send('b', 's p a m');
      fake.send('b', 'spam spam');
      fake.send('c', '加 微 信');
      fake.send('d', 'free coins'); // held: no strike
      expect(audits().map((l) => [l.actor, l.action, l.target, l.reason])).toEqual([
        ['word filter', 'strike', 'b', 'the word filter: "spam"'],
        ['word filter', 'strike', 'c', 'the word filter: "加微信"'],
      ]);
      clock.advance(60_000);
      fake.send('b', 'spam');
      expect(audits().slice(2).map((l) => [l.actor, l.action, l.detail])).toEqual([
        ['word filter', 'strike', 'strike 2: mute 10 min'],
        ['word filter', 'mute', ''],
      ]);
    });

    it('gives no filter strikes when the ladder says so', async () => {
      const { fake, audits } = await subscribed({ room: { strikeLadder: { ...DEFAULT_LADDER, fromFilter: false } } });
      fake.send('b', 'spam');
      expect(audits()).toEqual([]);
    });

    it('replaces the ladder (event and audit line) and refuses what the room refuses, in its words', async () => {
      const { fake, events } = await subscribed();
      const ladder: StrikeLadder = {
        steps: [{ type: 'mute', seconds: 90 }, { type: 'muteUntilEndOfStream' }, { type: 'kick' }],
        windowSecs: 7200,
        fromFilter: false,
      };
      await fake.setStrikeLadder(ladder);
      expect(events()).toEqual([
        { type: 'strikeLadder', ...ladder },
        expect.objectContaining({
          type: 'audit',
          action: 'ladder',
          target: 'room',
          detail: 'mute 1 min 30 s → mute until the end of this stream → kick',
        }),
      ]);
      expect(fake.snapshot().strikeLadder).toEqual(ladder);
      const refuse = (l: StrikeLadder, message: string) => expect(fake.setStrikeLadder(l)).rejects.toEqual({ code: 'invalid', message });
      await refuse({ ...ladder, steps: [] }, 'a strike ladder has 1 to 10 steps; this one has 0');
      await refuse({ ...ladder, steps: Array(11).fill({ type: 'warn' }) }, 'a strike ladder has 1 to 10 steps; this one has 11');
      await refuse({ ...ladder, steps: [{ type: 'warn' }, { type: 'ban', seconds: 0 }] }, 'step 2 (ban 0 s) needs a duration of at least 1 second');
      await refuse({ ...ladder, windowSecs: 59 }, 'strikes must be remembered for at least 60 seconds');
      await expect(fake.setStrikeLadder({ ...ladder, steps: [{ type: 'jail' }] } as unknown as StrikeLadder)).rejects.toMatchObject({
        code: 'invalid',
      });
      expect(fake.snapshot().strikeLadder).toEqual(ladder);
    });
  });

  describe('stream sessions', () => {
    it('starts a stream on going live, counts into it, reports it, ends it, and lists streams newest first', async () => {
      const clock = fixedClock(T0);
      const past = { id: 1, startedAt: T0 - 86_400_000, endedAt: T0 - 80_000_000, peakOnline: 50, messages: 9, likes: 3, giftValue: 0 };
      const { fake, events } = await subscribed({ clock, sessions: [past], room: { status: 'upcoming', online: 12 } });
      expect(fake.snapshot().session).toEqual(past);
      await fake.setStatus('live');
      const started = { id: 2, startedAt: T0, endedAt: null, peakOnline: 12, messages: 0, likes: 0, giftValue: 0 };
      expect(events().at(-1)).toEqual({ type: 'session', ...started });

      fake.push(
        { type: 'chat', id: 'm1', userId: 'ava', text: 'hi', at: T0 + 1, hidden: false },
        { type: 'likes', total: 30 },
        { type: 'gift', id: 'g', userId: 'ava', giftId: 'rose', giftName: 'Rose', count: 2, unitPrice: 5, at: T0 },
        { type: 'online', count: 40 },
        { type: 'online', count: 20 },
      );
      const live = { ...started, peakOnline: 40, messages: 1, likes: 30, giftValue: 10 };
      expect(fake.snapshot().session).toEqual(live);
      expect(fake.reportSession().map((e) => e.event)).toEqual([{ type: 'session', ...live }]);
      expect(fake.reportSession()).toEqual([]); // nothing new since
      expect((await fake.userCard('ava')).streamMessages).toBe(1);

      clock.advance(3_600_000);
      await fake.setStatus('ended');
      expect(events().at(-1)).toEqual({ type: 'session', ...live, endedAt: T0 + 3_600_000 });
      expect(await fake.sessions(20)).toEqual([{ ...live, endedAt: T0 + 3_600_000 }, past]);
      expect(await fake.sessions(1)).toHaveLength(1);
      fake.push({ type: 'chat', id: 'm2', userId: 'ava', text: 'bye', at: T0 + 3_700_000, hidden: false });
      expect(fake.snapshot().session!.messages).toBe(1); // between streams nothing counts
    });

    it('counts a viewer’s messages in the current stream only', async () => {
      const session = { id: 5, startedAt: T0, endedAt: null, peakOnline: 0, messages: 0, likes: 0, giftValue: 0 };
      const fake = new FakeBackend({
        clock: fixedClock(T0),
        room: {
          session,
          chat: [
            { id: 'a', userId: 'ava', text: 'before', at: T0 - 1, hidden: false },
            { id: 'b', userId: 'ava', text: 'during', at: T0 + 1, hidden: false },
          ],
        },
      });
      expect(await fake.userCard('ava')).toMatchObject({ messages: 2, streamMessages: 1 });
      expect(await fake.sessions(0)).toEqual([session]);
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
