// Why: a moderator joins with what the owner sent them, a link or its two parts; a link read wrong
// sends the code to the wrong place or not at all, and a name or an address the app would refuse
// should be pointed out before the code is sent. The link is read as the hub writes it
// (`anchordesk://join?hub=<address>&code=<code>`, unescaped), and escaped too.
import { describe, expect, it } from 'vitest';
import { joinArgs, joinProblems, parseInviteLink, type JoinForm } from './hub-join';

const form = (over: Partial<JoinForm> = {}): JoinForm => ({
  url: 'https://hub.example.com:8690',
  code: 'q9V2xKp0bW4tLm8sYe1RzA',
  name: '',
  ca: '',
  ...over,
});

describe('reading an invite link', () => {
  it('finds the hub’s address and the code as the hub writes them', () => {
    expect(parseInviteLink('anchordesk://join?hub=https://hub.example.com:8690&code=q9V2xKp0bW4tLm8sYe1RzA')).toEqual({
      ok: true,
      hub: 'https://hub.example.com:8690',
      code: 'q9V2xKp0bW4tLm8sYe1RzA',
    });
  });

  it('takes what a paste brings along: spaces around, an escaped address, the parts in another order', () => {
    expect(parseInviteLink('  ANCHORDESK://join?code=abc-_123&hub=http%3A%2F%2F127.0.0.1%3A8690\n')).toEqual({
      ok: true,
      hub: 'http://127.0.0.1:8690',
      code: 'abc-_123',
    });
    expect(parseInviteLink('anchordesk://join?hub=http://[::1]:8690&code=x1')).toEqual({ ok: true, hub: 'http://[::1]:8690', code: 'x1' });
  });

  it('says what is wrong with a link that is not one, or is cut short', () => {
    expect(parseInviteLink('https://hub.example.com:8690')).toEqual({ ok: false, problem: 'settings.hubJoin.problem.notLink' });
    expect(parseInviteLink('q9V2xKp0bW4tLm8sYe1RzA')).toEqual({ ok: false, problem: 'settings.hubJoin.problem.notLink' });
    expect(parseInviteLink('anchordesk://join?code=abc')).toEqual({ ok: false, problem: 'settings.hubJoin.problem.linkNoHub' });
    expect(parseInviteLink('anchordesk://join?hub=https://hub.example.com&code=')).toEqual({
      ok: false,
      problem: 'settings.hubJoin.problem.linkNoCode',
    });
    expect(parseInviteLink('anchordesk://join?hub=https://hub.example.com')).toEqual({
      ok: false,
      problem: 'settings.hubJoin.problem.linkNoCode',
    });
  });
});

describe('the join form', () => {
  it('finds nothing wrong with an address and a code, and sends them trimmed, the rest as not given', () => {
    expect(joinProblems(form())).toEqual({});
    expect(joinArgs(form({ url: ' https://hub.example.com:8690 ', code: ' abc\n', name: '  ', ca: '' }))).toEqual([
      'https://hub.example.com:8690',
      'abc',
      null,
      null,
    ]);
    expect(joinArgs(form({ name: ' mod_kim ', ca: ' /home/me/hub.pem ' })).slice(2)).toEqual(['mod_kim', '/home/me/hub.pem']);
  });

  it('asks for the address and the code, and refuses an address the token must not travel to', () => {
    expect(joinProblems(form({ url: ' ', code: '' }))).toEqual({
      url: 'settings.hubJoin.problem.urlNeeded',
      code: 'settings.hubJoin.problem.codeNeeded',
    });
    expect(joinProblems(form({ url: 'http://hub.example.com:8690' }))).toEqual({ url: 'settings.problem.hubUrl' });
    expect(joinProblems(form({ code: 'q9V2 xKp0' }))).toEqual({ code: 'settings.hubJoin.problem.codeSpaces' });
  });

  it('takes a name only as the hub does: 1 to 32 letters, digits, _, - or ., none of its own', () => {
    for (const good of ['mod_kim', 'Anna-Lena.K', '小明', '민준_kr', 'a'.repeat(32)]) {
      expect(joinProblems(form({ name: good })), good).toEqual({});
    }
    for (const bad of ['kim lee', 'kim@home', 'a'.repeat(33)]) {
      expect(joinProblems(form({ name: bad })), bad).toEqual({ name: 'settings.hubJoin.problem.name' });
    }
    for (const reserved of ['owner', 'Anchor', 'API', 'hub']) {
      expect(joinProblems(form({ name: reserved })), reserved).toEqual({ name: 'settings.hubJoin.problem.nameReserved' });
    }
  });

  it('takes the certificate’s path, not its text', () => {
    expect(joinProblems(form({ ca: '-----BEGIN CERTIFICATE-----\nMIIB…' }))).toEqual({ ca: 'settings.problem.hubCa' });
  });
});
