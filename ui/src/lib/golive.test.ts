// Why: the checklist must read the desk's reports the way the desk runs the steps — a new run starts
// when the address step starts and forgets the last one, a step's latest report wins, a snapshot's one
// report still gives a full checklist (the steps before it were done), and the outcome says whether the
// run goes on, is live, or failed and where.
import { describe, expect, it } from 'vitest';
import type { GoLiveProgress, GoLiveStep, StepState } from './bindings';
import { GO_LIVE_STEPS, advanceGoLive, goLiveActor, goLiveChecklist, goLiveOutcome, runFromSnapshot, stepAdviceKey, stepLabelKey } from './golive';
import { CATALOGUES } from './i18n';

let at = 1000;
const report = (step: GoLiveStep, state: StepState, message = `${step} ${state}`, actor = 'anchor'): GoLiveProgress => ({
  step,
  state,
  message,
  actor,
  at: at++,
});
const fold = (reports: GoLiveProgress[]) => reports.reduce<GoLiveProgress[]>((run, r) => advanceGoLive(run, r), []);
const states = (run: GoLiveProgress[]) => goLiveChecklist(run).map((s) => s.state);

describe('going live as a checklist', () => {
  it('has the five steps in the desk’s order, each named and with advice in the catalogue', () => {
    expect(GO_LIVE_STEPS).toEqual(['address', 'obs', 'start', 'ingest', 'live']);
    for (const step of GO_LIVE_STEPS) {
      expect(CATALOGUES.en[stepLabelKey(step)]).toBeTruthy();
      expect(CATALOGUES.en[stepAdviceKey(step)]).toBeTruthy();
    }
  });

  it('shows every step pending before any run', () => {
    expect(states([])).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    expect(goLiveOutcome([])).toEqual({ state: 'idle' });
    expect(goLiveActor([])).toBeNull();
  });

  it('follows a run step by step: running, then done, until the room is live', () => {
    let run = fold([report('address', 'running'), report('address', 'done', 'valid for 24 h'), report('obs', 'running')]);
    expect(states(run)).toEqual(['done', 'running', 'pending', 'pending', 'pending']);
    expect(goLiveChecklist(run)[0].message).toBe('valid for 24 h');
    expect(goLiveOutcome(run)).toEqual({ state: 'running', step: 'obs' });

    for (const step of ['obs', 'start', 'ingest', 'live'] as const) {
      if (step !== 'obs') run = advanceGoLive(run, report(step, 'running'));
      run = advanceGoLive(run, report(step, 'done'));
    }
    expect(states(run)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(goLiveOutcome(run)).toEqual({ state: 'done' });
    expect(run).toHaveLength(5); // one report a step: the latest
  });

  it('says where a run failed and why', () => {
    const run = fold([
      report('address', 'running'),
      report('address', 'done'),
      report('obs', 'running'),
      report('obs', 'failed', 'OBS is not connected (connection refused); AnchorDesk keeps retrying'),
    ]);
    expect(states(run)).toEqual(['done', 'failed', 'pending', 'pending', 'pending']);
    expect(goLiveOutcome(run)).toEqual({
      state: 'failed',
      step: 'obs',
      message: 'OBS is not connected (connection refused); AnchorDesk keeps retrying',
    });
  });

  it('starts afresh when a new run starts with the address step, forgetting the failure', () => {
    const failed = fold([report('address', 'running'), report('address', 'done'), report('obs', 'failed', 'no')]);
    const again = advanceGoLive(failed, report('address', 'running', 'making the push address', 'mod_mei'));
    expect(states(again)).toEqual(['running', 'pending', 'pending', 'pending', 'pending']);
    expect(goLiveOutcome(again)).toEqual({ state: 'running', step: 'address' });
    expect(goLiveActor(again)).toBe('mod_mei');
  });

  it('reads a snapshot’s one report as a whole checklist: the steps before it were done', () => {
    const run = runFromSnapshot(report('ingest', 'running', 'waiting for the stream to reach CSS'));
    const list = goLiveChecklist(run);
    expect(list.map((s) => s.state)).toEqual(['done', 'done', 'done', 'running', 'pending']);
    expect(list[0]).toEqual({ step: 'address', state: 'done', message: '', at: null });
    expect(list[3].message).toBe('waiting for the stream to reach CSS');
    expect(goLiveOutcome(runFromSnapshot(report('live', 'done')))).toEqual({ state: 'done' });
    expect(runFromSnapshot(null)).toEqual([]);
  });

  it('keeps the reports in step order even when a later step is reported first (after a snapshot)', () => {
    const run = advanceGoLive(runFromSnapshot(report('obs', 'done')), report('start', 'running'));
    expect(run.map((r) => r.step)).toEqual(['obs', 'start']);
    expect(states(run)).toEqual(['done', 'done', 'running', 'pending', 'pending']);
  });
});
