// Why: the chime is synthesized, not loaded: two short notes that fade out (no click at the end, no
// endless tone), resuming a context the autoplay rules suspended, and nothing at all without WebAudio.
import { describe, expect, it } from 'vitest';
import { playChime } from './chime';

function fakeContext(state: AudioContextState = 'running') {
  const log: string[] = [];
  const param = (name: string) => ({
    setValueAtTime: (v: number, t: number) => log.push(`${name}=${v}@${t}`),
    exponentialRampToValueAtTime: (v: number, t: number) => log.push(`${name}→${v}@${t.toFixed(2)}`),
  });
  const ctx = {
    currentTime: 10,
    destination: { name: 'speakers' },
    state,
    resume: async () => void log.push('resume'),
    createOscillator: () => ({
      type: '',
      frequency: param('freq'),
      connect: () => log.push('osc→gain'),
      start: (t: number) => log.push(`start@${t}`),
      stop: (t: number) => log.push(`stop@${t.toFixed(2)}`),
    }),
    createGain: () => ({ gain: param('gain'), connect: (to: unknown) => log.push(to === ctx.destination ? 'gain→out' : 'gain→?') }),
  };
  return { ctx: ctx as unknown as AudioContext, log };
}

describe('playChime', () => {
  it('schedules two notes that rise fast, fade to silence and stop', () => {
    const { ctx, log } = fakeContext();
    expect(playChime(ctx)).toBe(true);
    expect(log.filter((l) => l.startsWith('start@'))).toEqual(['start@10', 'start@10.12']);
    expect(log.filter((l) => l.startsWith('freq='))).toEqual(['freq=1318.51@10', 'freq=1975.53@10.12']);
    expect(log.filter((l) => l.startsWith('gain→0.0001'))).toHaveLength(2);
    expect(log.filter((l) => l === 'gain→out')).toHaveLength(2);
    expect(log.filter((l) => l.startsWith('stop@'))).toEqual(['stop@10.65', 'stop@10.77']);
    expect(log).not.toContain('resume');
  });

  it('resumes a context that starts suspended', () => {
    const { ctx, log } = fakeContext('suspended');
    playChime(ctx);
    expect(log[0]).toBe('resume');
  });

  it('does nothing without WebAudio', () => {
    expect(playChime(null)).toBe(false);
  });
});
