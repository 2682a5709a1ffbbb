import { describe, expect, it } from 'vitest';
import { forEachLimited, type Halt } from '../../../functions/c12/batch.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('forEachLimited', () => {
  it('runs every item with at most `limit` at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      most = Math.max(most, running);
      await tick();
      done.push(item);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('starts nothing after a failure, waits for what runs, then rejects with the first failure', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = forEachLimited([1, 2, 3, 4, 5, 6], 2, async (item) => {
      started.push(item);
      if (item === 2) throw new Error('boom 2');
      await tick();
      await tick();
      settled.push(item);
    });
    await expect(run).rejects.toThrow('boom 2');
    // Item 1 was running when 2 failed: it finished; nothing after 2 started.
    expect(started).toEqual([1, 2]);
    expect(settled).toEqual([1]);
  });

  it('stops when another worker sharing the halt failed, and rejects with that failure', async () => {
    const halt: Halt = {};
    const started: number[] = [];
    const other = forEachLimited(
      [1],
      1,
      async () => {
        await tick();
        throw new Error('elsewhere');
      },
      halt,
    );
    const mine = forEachLimited(
      [1, 2, 3, 4, 5, 6, 7, 8],
      1,
      async (item) => {
        started.push(item);
        await tick();
        await tick();
      },
      halt,
    );
    await expect(other).rejects.toThrow('elsewhere');
    await expect(mine).rejects.toThrow('elsewhere');
    expect(started.length).toBeLessThan(8);
  });

  it('refuses a limit below one instead of silently doing nothing', async () => {
    await expect(forEachLimited([1], 0, async () => undefined)).rejects.toBeInstanceOf(RangeError);
  });
});
