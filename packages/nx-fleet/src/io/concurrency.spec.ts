import { describe, expect, it, vi } from 'vitest';
import { eachAsDone, limiter, mapWithLimit } from './concurrency';

describe('mapWithLimit', () => {
  it('keeps the order of the items, never running more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const answers = await mapWithLimit([30, 10, 20, 0, 5], 2, async (ms) => {
      most = Math.max(most, ++running);
      await new Promise((done) => setTimeout(done, ms));
      running--;
      return ms * 2;
    });
    expect(answers).toEqual([60, 20, 40, 0, 10]);
    expect(most).toBe(2);
  });

  it('throws the first failure; no items, no work', async () => {
    await expect(
      mapWithLimit([1, 2], 4, async (n) => {
        if (n === 2) throw new Error('two');
        return n;
      }),
    ).rejects.toThrow('two');
    expect(await mapWithLimit([], 4, async () => expect.fail('no work'))).toEqual([]);
  });
});

describe('eachAsDone', () => {
  const collect = async <T>(answers: AsyncIterable<T>) => {
    const seen: T[] = [];
    for await (const answer of answers) seen.push(answer);
    return seen;
  };

  it('yields each answer as it is ready, never running more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    // Timers faked: the order is the durations', not the machine's load.
    vi.useFakeTimers();
    try {
      const answers = eachAsDone([30, 5, 10, 1], 2, async (ms) => {
        most = Math.max(most, ++running);
        await new Promise((done) => setTimeout(done, ms));
        running--;
        return ms;
      });
      const collected = collect(answers);
      await vi.runAllTimersAsync();
      expect(await collected).toEqual([5, 10, 1, 30]);
    } finally {
      vi.useRealTimers();
    }
    expect(most).toBe(2);
  });

  it('throws a failure where it is met; no items, no work', async () => {
    await expect(
      collect(
        eachAsDone([1, 2], 2, async (n) => {
          if (n === 2) throw new Error('two');
          return n;
        }),
      ),
    ).rejects.toThrow('two');
    expect(await collect(eachAsDone([], 3, async () => expect.fail('no work')))).toEqual([]);
  });
});

describe('limiter', () => {
  it('runs at most the limit at once, the rest in turn, and frees a slot after a failure', async () => {
    const slot = limiter(2);
    let running = 0;
    let most = 0;
    const work = (ms: number, fail = false) =>
      slot(async () => {
        most = Math.max(most, ++running);
        await new Promise((done) => setTimeout(done, ms));
        running--;
        if (fail) throw new Error('failed');
        return ms;
      });
    const answers = await Promise.allSettled([work(20, true), work(10), work(5), work(1)]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : 'failed'))).toEqual(['failed', 10, 5, 1]);
    expect(most).toBe(2);
    expect(running).toBe(0);
  });

  it('hands a freed slot to the one waiting, not to one asking in between', async () => {
    // Whoever asks a few microtasks after a piece ends may land between the slot's release and the
    // waiting one's start: every such moment is tried.
    for (let ticks = 0; ticks < 8; ticks++) {
      const slot = limiter(1);
      let running = 0;
      let most = 0;
      const work = () =>
        slot(async () => {
          most = Math.max(most, ++running);
          await new Promise((done) => setTimeout(done, 1));
          running--;
        });
      const asked: Array<Promise<void>> = [];
      const late = (left: number): void =>
        left === 0 ? void asked.push(work()) : queueMicrotask(() => late(left - 1));
      const first = slot(async () => {
        most = Math.max(most, ++running);
        await new Promise((done) => setTimeout(done, 1));
        running--;
        late(ticks);
      });
      await Promise.all([first, work(), new Promise((done) => setTimeout(done, 5))]);
      await Promise.all(asked);
      expect({ ticks, most }).toEqual({ ticks, most: 1 });
    }
  });
});
