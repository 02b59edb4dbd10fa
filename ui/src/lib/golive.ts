// Why: going live is five steps (address → OBS → start → ingest → live) that the stream desk reports
// one `goLive` event at a time, to every console. These rules fold the reports into the run the
// checklist shows: a new run begins when the address step starts, a step's latest report replaces its
// earlier one, and a snapshot — which keeps only the last report — still reads as a full checklist,
// because the desk runs the steps in order (every step before a reported one was done). Words are left
// to the catalogue: this module names the message keys.
import type { GoLiveProgress, GoLiveStep, StepState } from './bindings';
import type { MessageKey } from './i18n';

export const GO_LIVE_STEPS: readonly GoLiveStep[] = ['address', 'obs', 'start', 'ingest', 'live'];

/** A step as the checklist shows it: not reached yet, or as last reported. */
export type StepStatus = StepState | 'pending';

export interface ChecklistStep {
  step: GoLiveStep;
  state: StepStatus;
  /** The desk's words (what it is doing, what it found, or why it failed); empty when not reported. */
  message: string;
  /** When it was reported (unix ms); null for a step not reported in this run. */
  at: number | null;
}

export type GoLiveOutcome =
  | { state: 'idle' }
  | { state: 'running'; step: GoLiveStep }
  | { state: 'done' }
  | { state: 'failed'; step: GoLiveStep; message: string };

const order = (step: GoLiveStep) => GO_LIVE_STEPS.indexOf(step);

/**
 * The run after one more report: the address step starting begins a new run (the old one is
 * forgotten); any other report replaces its step's earlier one. Kept in step order.
 */
export function advanceGoLive(run: readonly GoLiveProgress[], report: GoLiveProgress): GoLiveProgress[] {
  if (report.step === 'address' && report.state === 'running') return [report];
  return [...run.filter((r) => r.step !== report.step), report].sort((a, b) => order(a.step) - order(b.step));
}

/** The run a snapshot implies: its one report (the last), or none. */
export function runFromSnapshot(last: GoLiveProgress | null): GoLiveProgress[] {
  return last ? [last] : [];
}

/** The five steps with their state: reported ones as reported, earlier unreported ones done, later ones pending. */
export function goLiveChecklist(run: readonly GoLiveProgress[]): ChecklistStep[] {
  const reached = Math.max(-1, ...run.map((r) => order(r.step)));
  return GO_LIVE_STEPS.map((step, i) => {
    const report = run.find((r) => r.step === step);
    if (report) return { step, state: report.state, message: report.message, at: report.at };
    return { step, state: i < reached ? 'done' : 'pending', message: '', at: null };
  });
}

/** How the run stands: nothing yet, a step under way, live, or failed at a step (with the reason). */
export function goLiveOutcome(run: readonly GoLiveProgress[]): GoLiveOutcome {
  if (run.length === 0) return { state: 'idle' };
  const failed = run.find((r) => r.state === 'failed');
  if (failed) return { state: 'failed', step: failed.step, message: failed.message };
  const last = run[run.length - 1];
  if (last.step === 'live' && last.state === 'done') return { state: 'done' };
  return { state: 'running', step: last.step };
}

/** Who started the run (the address step's actor), when known. */
export function goLiveActor(run: readonly GoLiveProgress[]): string | null {
  return run.length > 0 ? run[0].actor : null;
}

/** The step's name in the checklist. */
export function stepLabelKey(step: GoLiveStep): MessageKey {
  return `goLive.step.${step}`;
}

/** What the anchor can do when `step` failed. */
export function stepAdviceKey(step: GoLiveStep): MessageKey {
  return `goLive.next.${step}`;
}
