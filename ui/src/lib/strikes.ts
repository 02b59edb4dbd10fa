// Why: the strike ladder in one place. Mirrored from Rust (`room::strikes`) for the fake: the default
// ladder, its checks in the room's words, which step the n-th strike takes, the action a step takes and
// how the audit log words it. On top, what the UI needs: the step a viewer's next strike will take, a
// step in the anchor's language, and the ladder as an editable form (durations as typed text, checked
// field by field) that turns back into a ladder only when every field is good. Invariant: a form that
// `readLadderForm` accepts is a ladder the room accepts.
import type { ModAction, StrikeLadder, StrikeStep } from './bindings';
import { translate, translateDuration, type Lang } from './i18n';
import { END_OF_STREAM_MUTE_SECONDS, formatDurationInput, parseDuration, type DurationProblem } from './time';

export type StepKind = StrikeStep['type'];

/** The kinds of step, in the order the editor offers them. */
export const STEP_KINDS: readonly StepKind[] = ['warn', 'mute', 'muteUntilEndOfStream', 'kick', 'ban'];

/** A ladder holds 1 to this many steps (Rust: `MAX_STEPS`). */
export const MAX_STEPS = 10;
/** Strikes are remembered at least this long (Rust: `StrikeLadder::validate`). */
export const MIN_WINDOW_SECS = 60;
/** The word filter strikes a viewer at most once per this many seconds (Rust: `FILTER_STRIKE_GAP`). */
export const FILTER_STRIKE_GAP = 60;

/** A room's ladder until someone changes it (Rust: `StrikeLadder::default`). */
export const DEFAULT_LADDER: StrikeLadder = {
  steps: [
    { type: 'warn' },
    { type: 'mute', seconds: 600 },
    { type: 'muteUntilEndOfStream' },
    { type: 'ban', seconds: 30 * 86400 },
  ],
  windowSecs: 86400,
  fromFilter: true,
};

/** Whether a step of this kind has a duration (mute and ban). */
export function hasDuration(kind: StepKind): kind is 'mute' | 'ban' {
  return kind === 'mute' || kind === 'ban';
}

/** The step the `n`-th strike (1-based) within the window takes; the last step repeats. */
export function ladderStep(ladder: StrikeLadder, n: number): StrikeStep {
  const steps = ladder.steps;
  return steps[Math.min(Math.max(n, 1), steps.length) - 1];
}

/** The step a viewer with `strikes` strikes in the window gets next, or null for an empty ladder. */
export function nextStep(ladder: StrikeLadder, strikes: number): StrikeStep | null {
  return ladder.steps.length === 0 ? null : ladderStep(ladder, strikes + 1);
}

/** A duration as the room's audit log words it: `90` → "1 min 30 s" (Rust: `strikes::duration`). */
export function auditDuration(seconds: number): string {
  if (seconds === 4294967295) return 'permanently';
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor(seconds / 3600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'min'],
    [seconds % 60, 's'],
  ];
  const words = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`);
  return words.length === 0 ? '0 s' : words.join(' ');
}

/** A step as the room's audit log words it (Rust: `StrikeStep::describe`). */
export function stepDetail(step: StrikeStep): string {
  switch (step.type) {
    case 'warn':
      return 'warn';
    case 'mute':
      return `mute ${auditDuration(step.seconds)}`;
    case 'muteUntilEndOfStream':
      return 'mute until the end of this stream';
    case 'kick':
      return 'kick';
    case 'ban':
      return `ban ${auditDuration(step.seconds)}`;
  }
}

/** The moderation a step takes against `userId` (null for a warning, only a message to them). */
export function stepAction(step: StrikeStep, userId: string, reason: string): ModAction | null {
  switch (step.type) {
    case 'warn':
      return null;
    case 'mute':
      return { type: 'mute', userId, seconds: step.seconds, untilEndOfStream: false, reason };
    case 'muteUntilEndOfStream':
      return { type: 'mute', userId, seconds: END_OF_STREAM_MUTE_SECONDS, untilEndOfStream: true, reason };
    case 'kick':
      return { type: 'kick', userId, reason };
    case 'ban':
      return { type: 'ban', userId, seconds: step.seconds, reason };
  }
}

/** Why the room would refuse this ladder, in its words, or null (Rust: `StrikeLadder::validate`). */
export function ladderProblem(ladder: StrikeLadder): string | null {
  const n = ladder.steps.length;
  if (n === 0 || n > MAX_STEPS) return `a strike ladder has 1 to ${MAX_STEPS} steps; this one has ${n}`;
  for (const [i, step] of ladder.steps.entries()) {
    if (hasDuration(step.type) && 'seconds' in step && step.seconds === 0) {
      return `step ${i + 1} (${stepDetail(step)}) needs a duration of at least 1 second`;
    }
  }
  if (ladder.windowSecs < MIN_WINDOW_SECS) return 'strikes must be remembered for at least 60 seconds';
  return null;
}

/** A step in `lang`, for the user card's hint and the ladder's summary: "mute for 10 min". */
export function describeStep(lang: Lang, step: StrikeStep): string {
  switch (step.type) {
    case 'mute':
    case 'ban':
      return translate(lang, `strike.${step.type}`, { duration: translateDuration(lang, step.seconds) });
    default:
      return translate(lang, `strike.${step.type}`);
  }
}

// ---- the editor's form ----

/** One step as edited: its kind and, for a mute or ban, the duration as typed. */
export interface StepField {
  kind: StepKind;
  /** Typed duration (`10m`, `7d`…); empty for kinds without one. */
  duration: string;
}

/** A ladder as edited: text where the anchor types, so a half-typed value survives. */
export interface LadderForm {
  steps: StepField[];
  /** Hours strikes are remembered, as typed. */
  windowHours: string;
  fromFilter: boolean;
}

export type WindowProblem = 'format' | 'tooShort';

export interface LadderFormProblems {
  /** Per step, what is wrong with its duration (null: fine). */
  steps: Array<DurationProblem | null>;
  window: WindowProblem | null;
  /** No steps at all. */
  empty: boolean;
}

/** Typed durations a step gets when its kind gains one. */
const DEFAULT_DURATION: Readonly<Record<'mute' | 'ban', string>> = { mute: '10m', ban: '7d' };

function hoursText(seconds: number): string {
  return String(Number((seconds / 3600).toFixed(4)));
}

/** The form showing `ladder`. */
export function ladderForm(ladder: StrikeLadder): LadderForm {
  return {
    steps: ladder.steps.map((step) => ({
      kind: step.type,
      duration: 'seconds' in step ? formatDurationInput(step.seconds) : '',
    })),
    windowHours: hoursText(ladder.windowSecs),
    fromFilter: ladder.fromFilter,
  };
}

/** Whether two forms show the same thing. */
export function sameForm(a: LadderForm, b: LadderForm): boolean {
  return (
    a.windowHours === b.windowHours &&
    a.fromFilter === b.fromFilter &&
    a.steps.length === b.steps.length &&
    a.steps.every((s, i) => s.kind === b.steps[i].kind && s.duration === b.steps[i].duration)
  );
}

function windowSecs(text: string): number | WindowProblem {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return 'format';
  const secs = Math.round(Number(t) * 3600);
  return secs < MIN_WINDOW_SECS ? 'tooShort' : secs;
}

/** What is wrong with each field of `form` (every field null and `empty` false: it can be saved). */
export function formProblems(form: LadderForm): LadderFormProblems {
  const w = windowSecs(form.windowHours);
  return {
    steps: form.steps.map((s) => {
      if (!hasDuration(s.kind)) return null;
      const parsed = parseDuration(s.duration);
      return 'problem' in parsed ? parsed.problem : null;
    }),
    window: typeof w === 'number' ? null : w,
    empty: form.steps.length === 0,
  };
}

/** The ladder `form` describes, or null while any field is wrong. */
export function readLadderForm(form: LadderForm): StrikeLadder | null {
  const w = windowSecs(form.windowHours);
  if (typeof w !== 'number' || form.steps.length === 0 || form.steps.length > MAX_STEPS) return null;
  const steps: StrikeStep[] = [];
  for (const s of form.steps) {
    if (!hasDuration(s.kind)) {
      steps.push({ type: s.kind } as StrikeStep);
      continue;
    }
    const parsed = parseDuration(s.duration);
    if ('problem' in parsed) return null;
    steps.push({ type: s.kind, seconds: parsed.seconds });
  }
  return { steps, windowSecs: w, fromFilter: form.fromFilter };
}

function withSteps(form: LadderForm, steps: StepField[]): LadderForm {
  return { ...form, steps };
}

/** A new last step (a copy of the last one's kind, or a warning); unchanged at `MAX_STEPS`. */
export function addStep(form: LadderForm): LadderForm {
  if (form.steps.length >= MAX_STEPS) return form;
  const last = form.steps.at(-1);
  return withSteps(form, [...form.steps, last ? { ...last } : { kind: 'warn', duration: '' }]);
}

export function removeStep(form: LadderForm, index: number): LadderForm {
  return withSteps(
    form,
    form.steps.filter((_, i) => i !== index),
  );
}

/** Moves step `index` by `by` places (-1 up, 1 down); unchanged at the ends. */
export function moveStep(form: LadderForm, index: number, by: -1 | 1): LadderForm {
  const to = index + by;
  if (index < 0 || index >= form.steps.length || to < 0 || to >= form.steps.length) return form;
  const steps = form.steps.slice();
  [steps[index], steps[to]] = [steps[to], steps[index]];
  return withSteps(form, steps);
}

/** Changes a step's kind; a duration typed for a mute carries over to a ban and back. */
export function setStepKind(form: LadderForm, index: number, kind: StepKind): LadderForm {
  return withSteps(
    form,
    form.steps.map((s, i) => {
      if (i !== index) return s;
      if (!hasDuration(kind)) return { kind, duration: '' };
      return { kind, duration: hasDuration(s.kind) ? s.duration : DEFAULT_DURATION[kind] };
    }),
  );
}

export function setStepDuration(form: LadderForm, index: number, duration: string): LadderForm {
  return withSteps(
    form,
    form.steps.map((s, i) => (i === index ? { ...s, duration } : s)),
  );
}
