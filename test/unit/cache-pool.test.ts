import { describe, expect, it } from 'vitest';
import { WorkPool } from '../../main/core/cache/pool.ts';

describe('the decode pool', () => {
  it('never runs more tasks at once than its size, and runs them all', async () => {
    for (const size of [1, 2, 3]) {
      const pool = new WorkPool(size);
      let running = 0;
      let peak = 0;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          pool.run(async () => {
            running++;
            peak = Math.max(peak, running);
            await new Promise((r) => setTimeout(r, 1));
            running--;
            return i;
          }),
        ),
      );
      expect(results).toEqual([...Array(12).keys()]);
      expect(peak).toBe(size);
    }
  });

  it('frees its slot when a task fails', async () => {
    const pool = new WorkPool(1);
    await expect(pool.run(async () => Promise.reject(new Error('bad image')))).rejects.toThrow('bad image');
    expect(await pool.run(async () => 'next')).toBe('next');
  });

  it('sizes itself to the cores for 0, and can be resized while busy', async () => {
    expect(new WorkPool(0).size).toBeGreaterThanOrEqual(1);
    const pool = new WorkPool(1);
    let release!: () => void;
    const first = pool.run(() => new Promise<void>((r) => (release = r)));
    let secondStarted = false;
    const second = pool.run(async () => {
      secondStarted = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(secondStarted).toBe(false);
    pool.resize(2);
    await second;
    expect(secondStarted).toBe(true);
    release();
    await first;
  });
});
