import { describe, expect, it } from 'vitest';
import { TurnCancelledError, TurnQueue } from '../../electron/engine/generate/turns.js';
import { StopCutter } from '../../electron/engine/openai/stop.js';

describe('TurnQueue', () => {
  it('runs callers one at a time in arrival order, and drops a waiting caller whose signal aborts without running it', async () => {
    const queue = new TurnQueue();
    const order: string[] = [];
    let release!: () => void;
    const first = queue.run(undefined, () => new Promise<void>((done) => (release = done)).then(() => order.push('a')));
    const abort = new AbortController();
    const ran: string[] = [];
    const dropped = queue.run(abort.signal, async () => ran.push('dropped'));
    const rest = ['b', 'c', 'd'].map((name) => queue.run(undefined, async () => order.push(name)));
    expect(queue.pending).toBe(4);
    abort.abort();
    await expect(dropped).rejects.toBeInstanceOf(TurnCancelledError);
    expect(queue.pending).toBe(3);
    release();
    await Promise.all([first, ...rest]);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(ran).toEqual([]);
    expect(queue.pending).toBe(0);
  });

  it('refuses a caller whose signal has already aborted', async () => {
    await expect(new TurnQueue().run(AbortSignal.abort(), async () => 1)).rejects.toBeInstanceOf(TurnCancelledError);
  });
});

describe('StopCutter', () => {
  const cut = (stops: string[], pieces: string[]) => {
    const cutter = new StopCutter(stops);
    let out = '';
    for (const piece of pieces) out += cutter.push(piece);
    if (!cutter.stopped) out += cutter.flush();
    return { out, stopped: cutter.stopped };
  };

  it('cuts before a stop sequence split across pieces and never lets part of it through', () => {
    const cutter = new StopCutter(['\nUser:']);
    expect(cutter.push('Hello\nUs')).toBe('Hello');
    expect(cutter.push('er: more')).toBe('');
    expect(cutter.stopped).toBe(true);
  });

  it('releases a held-back tail that turned out not to be a stop sequence', () => {
    expect(cut(['END'], ['the E', 'ND', 'ing'])).toEqual({ out: 'the ', stopped: true });
    expect(cut(['END'], ['the E', 'nd'])).toEqual({ out: 'the End', stopped: false });
    expect(cut(['x', 'yz'], ['ab', 'cy', 'q'])).toEqual({ out: 'abcyq', stopped: false });
    expect(cut([], ['a', 'b'])).toEqual({ out: 'ab', stopped: false });
  });

  it('stops at whichever stop sequence comes first', () => {
    expect(cut(['two', 'one'], ['zero one two'])).toEqual({ out: 'zero ', stopped: true });
  });
});
