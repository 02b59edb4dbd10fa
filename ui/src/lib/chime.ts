// Why: the big-gift chime, synthesized with WebAudio (no audio files to ship or load): two short sine
// notes, a fifth apart, with a fast attack and an exponential fade, quiet enough not to startle. One
// AudioContext is made on first use and reused (browsers limit how many a page may hold); where there
// is no WebAudio (tests, old webviews) the chime is silently skipped.

type AudioContextLike = Pick<AudioContext, 'currentTime' | 'destination' | 'state' | 'resume' | 'createOscillator' | 'createGain'>;

/** E6 then B6, in Hz, and when each starts (s). */
const NOTES: readonly { freq: number; at: number }[] = [
  { freq: 1318.51, at: 0 },
  { freq: 1975.53, at: 0.12 },
];
const PEAK = 0.2;
const DECAY_S = 0.6;

let shared: AudioContextLike | null = null;

function audioContext(): AudioContextLike | null {
  if (shared) return shared;
  const g = globalThis as unknown as { AudioContext?: new () => AudioContext; webkitAudioContext?: new () => AudioContext };
  const Ctor = g.AudioContext ?? g.webkitAudioContext;
  if (!Ctor) return null;
  try {
    shared = new Ctor();
  } catch {
    return null; // no audio device: no chime
  }
  return shared;
}

/** Plays the chime on `ctx` (default: the shared context); returns whether it was scheduled. */
export function playChime(ctx: AudioContextLike | null = audioContext()): boolean {
  if (!ctx) return false;
  // A context made before any click starts suspended (autoplay rules); resuming is allowed after one.
  if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
  const now = ctx.currentTime;
  for (const note of NOTES) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    const start = now + note.at;
    osc.type = 'sine';
    osc.frequency.setValueAtTime(note.freq, start);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(PEAK, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + DECAY_S);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(start);
    osc.stop(start + DECAY_S + 0.05);
  }
  return true;
}
