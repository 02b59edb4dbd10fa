// Why: the fake must take the same step for the n-th strike as the room, word it the same in the audit
// log and refuse the same ladders with the same words; the user card's hint must name the step the
// next strike takes, in every language; and the ladder editor's form must only ever turn into a
// ladder the room accepts, saying per field what is wrong otherwise.
import { describe, expect, it } from 'vitest';
import type { StrikeLadder } from './bindings';
import {
  DEFAULT_LADDER,
  MAX_STEPS,
  addStep,
  auditDuration,
  describeStep,
  formProblems,
  ladderForm,
  ladderProblem,
  ladderStep,
  moveStep,
  nextStep,
  readLadderForm,
  removeStep,
  sameForm,
  setStepDuration,
  setStepKind,
  stepAction,
  stepDetail,
} from './strikes';

describe('the ladder (mirror of Rust)', () => {
  it('climbs the default ladder and repeats the last step', () => {
    const steps = [1, 2, 3, 4, 5, 6].map((n) => ladderStep(DEFAULT_LADDER, n));
    expect(steps).toEqual([
      { type: 'warn' },
      { type: 'mute', seconds: 600 },
      { type: 'muteUntilEndOfStream' },
      { type: 'ban', seconds: 2592000 },
      { type: 'ban', seconds: 2592000 },
      { type: 'ban', seconds: 2592000 },
    ]);
    expect(DEFAULT_LADDER).toMatchObject({ windowSecs: 86400, fromFilter: true });
  });

  it('words durations and steps like a person wrote them', () => {
    expect([90, 86400, 600, 0, 4294967295, 90061].map(auditDuration)).toEqual([
      '1 min 30 s',
      '1 d',
      '10 min',
      '0 s',
      'permanently',
      '1 d 1 h 1 min 1 s',
    ]);
    expect(DEFAULT_LADDER.steps.map(stepDetail)).toEqual(['warn', 'mute 10 min', 'mute until the end of this stream', 'ban 30 d']);
    expect(stepDetail({ type: 'kick' })).toBe('kick');
  });

  it('says what to fix in a bad ladder, in the room’s words', () => {
    const ok: StrikeLadder = { steps: [{ type: 'kick' }], windowSecs: 60, fromFilter: false };
    expect(ladderProblem(ok)).toBeNull();
    expect(ladderProblem(DEFAULT_LADDER)).toBeNull();
    expect(ladderProblem({ ...ok, steps: [] })).toContain('1 to 10 steps');
    expect(ladderProblem({ ...ok, steps: [{ type: 'warn' }, { type: 'mute', seconds: 0 }] })).toBe(
      'step 2 (mute 0 s) needs a duration of at least 1 second',
    );
    expect(ladderProblem({ ...ok, windowSecs: 5 })).toBe('strikes must be remembered for at least 60 seconds');
  });

  it('turns a step into the moderation it takes (a warning takes none)', () => {
    expect(stepAction({ type: 'warn' }, 'u', 'r')).toBeNull();
    expect(stepAction({ type: 'mute', seconds: 60 }, 'u', 'r')).toEqual({ type: 'mute', userId: 'u', seconds: 60, untilEndOfStream: false, reason: 'r' });
    expect(stepAction({ type: 'muteUntilEndOfStream' }, 'u', 'r')).toMatchObject({ type: 'mute', untilEndOfStream: true });
    expect(stepAction({ type: 'kick' }, 'u', 'r')).toEqual({ type: 'kick', userId: 'u', reason: 'r' });
    expect(stepAction({ type: 'ban', seconds: 7 }, 'u', 'r')).toEqual({ type: 'ban', userId: 'u', seconds: 7, reason: 'r' });
  });
});

describe('the next strike', () => {
  it('is step min(strikes + 1, steps) of the ladder', () => {
    expect(nextStep(DEFAULT_LADDER, 0)).toEqual({ type: 'warn' });
    expect(nextStep(DEFAULT_LADDER, 1)).toEqual({ type: 'mute', seconds: 600 });
    expect(nextStep(DEFAULT_LADDER, 3)).toEqual({ type: 'ban', seconds: 2592000 });
    expect(nextStep(DEFAULT_LADDER, 40)).toEqual({ type: 'ban', seconds: 2592000 });
    expect(nextStep({ ...DEFAULT_LADDER, steps: [] }, 0)).toBeNull();
  });

  it('reads in every language, with its duration', () => {
    const mute = { type: 'mute', seconds: 5400 } as const;
    expect(describeStep('en', mute)).toBe('mute for 1 h 30 min');
    expect(describeStep('zh', mute)).toBe('禁言 1 小时 30 分钟');
    expect(describeStep('ko', { type: 'ban', seconds: 604800 })).toBe('7일 정지');
    expect(describeStep('ja', { type: 'muteUntilEndOfStream' })).toBe('この配信が終わるまでミュート');
    expect(describeStep('en', { type: 'warn' })).toBe('a warning');
    expect(describeStep('en', { type: 'kick' })).toBe('kick and block');
  });
});

describe('the ladder form', () => {
  const form = ladderForm(DEFAULT_LADDER);

  it('shows a ladder as typed text and reads it back', () => {
    expect(form).toEqual({
      steps: [
        { kind: 'warn', duration: '' },
        { kind: 'mute', duration: '10m' },
        { kind: 'muteUntilEndOfStream', duration: '' },
        { kind: 'ban', duration: '30d' },
      ],
      windowHours: '24',
      fromFilter: true,
    });
    expect(readLadderForm(form)).toEqual(DEFAULT_LADDER);
    expect(ladderForm({ ...DEFAULT_LADDER, windowSecs: 5400 }).windowHours).toBe('1.5');
    expect(ladderForm({ ...DEFAULT_LADDER, windowSecs: 60 }).windowHours).toBe('0.0167');
    expect(readLadderForm(ladderForm({ ...DEFAULT_LADDER, windowSecs: 60 }))!.windowSecs).toBe(60);
  });

  it('says per field what is wrong, and gives no ladder until all is well', () => {
    let f = setStepDuration(form, 1, '10 minutes please');
    f = setStepDuration(f, 3, '0');
    f = { ...f, windowHours: 'a day' };
    expect(formProblems(f)).toEqual({ steps: [null, 'format', null, 'zero'], window: 'format', empty: false });
    expect(readLadderForm(f)).toBeNull();
    expect(formProblems({ ...form, windowHours: '0.01' }).window).toBe('tooShort');
    expect(formProblems(setStepDuration(form, 1, '')).steps[1]).toBe('empty');
    const none = { ...form, steps: [] };
    expect(formProblems(none).empty).toBe(true);
    expect(readLadderForm(none)).toBeNull();
    expect(readLadderForm({ ...setStepDuration(form, 1, '1h 30m'), windowHours: ' 2 ' })).toEqual({
      ...DEFAULT_LADDER,
      steps: [{ type: 'warn' }, { type: 'mute', seconds: 5400 }, { type: 'muteUntilEndOfStream' }, { type: 'ban', seconds: 2592000 }],
      windowSecs: 7200,
    });
  });

  it('every form it reads is a ladder the room accepts', () => {
    const forms = [form, { ...form, windowHours: '0.017' }, setStepKind(form, 0, 'ban'), setStepDuration(form, 1, '1s')];
    for (const f of forms) {
      const ladder = readLadderForm(f);
      expect(ladder).not.toBeNull();
      expect(ladderProblem(ladder!)).toBeNull();
    }
  });

  it('adds (copying the last step, up to the maximum), removes and moves steps', () => {
    expect(addStep(form).steps.at(-1)).toEqual({ kind: 'ban', duration: '30d' });
    expect(addStep({ ...form, steps: [] }).steps).toEqual([{ kind: 'warn', duration: '' }]);
    let full = form;
    for (let i = 0; i < 20; i++) full = addStep(full);
    expect(full.steps).toHaveLength(MAX_STEPS);
    expect(addStep(full)).toBe(full);

    expect(removeStep(form, 0).steps.map((s) => s.kind)).toEqual(['mute', 'muteUntilEndOfStream', 'ban']);
    expect(moveStep(form, 1, -1).steps.map((s) => s.kind)).toEqual(['mute', 'warn', 'muteUntilEndOfStream', 'ban']);
    expect(moveStep(form, 3, 1)).toBe(form);
    expect(moveStep(form, 0, -1)).toBe(form);
  });

  it('changes a step’s kind: a duration appears for mute and ban, carries between them, goes otherwise', () => {
    expect(setStepKind(form, 0, 'mute').steps[0]).toEqual({ kind: 'mute', duration: '10m' });
    expect(setStepKind(form, 0, 'ban').steps[0]).toEqual({ kind: 'ban', duration: '7d' });
    expect(setStepKind(form, 1, 'ban').steps[1]).toEqual({ kind: 'ban', duration: '10m' });
    expect(setStepKind(form, 3, 'kick').steps[3]).toEqual({ kind: 'kick', duration: '' });
    expect(form.steps[0]).toEqual({ kind: 'warn', duration: '' }); // never mutated
  });

  it('compares forms by what they show', () => {
    expect(sameForm(form, ladderForm(DEFAULT_LADDER))).toBe(true);
    expect(sameForm(form, setStepDuration(form, 1, '10 m'))).toBe(false);
    expect(sameForm(form, { ...form, fromFilter: false })).toBe(false);
    expect(sameForm(form, removeStep(form, 3))).toBe(false);
  });
});
