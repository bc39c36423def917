import { describe, expect, it } from 'vitest';
import { Backlog } from '../../electron/engine/ingest/backlog.js';

/** A piece of work that finishes (or fails) when the test says so. */
function controllable(): { work: () => Promise<void>; finish: () => void; fail: (error: Error) => void; started: () => boolean } {
  let started = false;
  let finish = (): void => {};
  let fail: (error: Error) => void = () => {};
  const work = (): Promise<void> => {
    started = true;
    return new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return { work, finish: () => finish(), fail: (error) => fail(error), started: () => started };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Backlog (work finished in the background, bounded by weight)', () => {
  it('lets work in while it fits, holds the next until enough has finished, and drains', async () => {
    const backlog = new Backlog(10);
    const [a, b, c] = [controllable(), controllable(), controllable()];
    await backlog.add(6, a.work);
    await backlog.add(4, b.work);
    let cAdded = false;
    const adding = backlog.add(3, c.work).then(() => (cAdded = true));
    await turn();
    expect([a.started(), b.started(), c.started(), cAdded]).toEqual([true, true, false, false]);
    a.finish();
    await adding;
    expect(c.started()).toBe(true);
    let drained = false;
    const draining = backlog.drain().then(() => (drained = true));
    b.finish();
    await turn();
    expect(drained).toBe(false);
    c.finish();
    await draining;
  });

  it('lets in work heavier than the limit when nothing else runs', async () => {
    const backlog = new Backlog(10);
    const big = controllable();
    await backlog.add(50, big.work);
    expect(big.started()).toBe(true);
    big.finish();
    await backlog.drain();
  });

  it('throws a failure from the next add and from drain, never as an unhandled rejection', async () => {
    const backlog = new Backlog(10);
    const failing = controllable();
    await backlog.add(1, failing.work);
    failing.fail(new Error('disk full'));
    await turn();
    await expect(backlog.add(1, controllable().work)).rejects.toThrow('disk full');
    await expect(backlog.drain()).rejects.toThrow('disk full');
  });
});
