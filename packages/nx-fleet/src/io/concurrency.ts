/** `work` over `items`, at most `limit` at once; the answers in the items' order. The first failure is thrown. */
export function mapWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const slot = limiter(limit);
  return Promise.all(items.map((item) => slot(() => work(item))));
}

/**
 * `work` over `items`, at most `limit` at once, each answer yielded as soon as it is ready: a batch of
 * tasks reports every task when it ends, not when all end. A failure is thrown where it is met.
 */
export async function* eachAsDone<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const ready: Array<PromiseSettledResult<R>> = [];
  let wake: (() => void) | undefined;
  let next = 0;
  let running = 0;
  const start = () => {
    for (; running < limit && next < items.length; running++) {
      work(items[next++]!).then(
        (value) => settle({ status: 'fulfilled', value }),
        (reason: unknown) => settle({ status: 'rejected', reason }),
      );
    }
  };
  const settle = (answer: PromiseSettledResult<R>) => {
    running--;
    ready.push(answer);
    wake?.();
  };
  start();
  while (running > 0 || ready.length > 0) {
    if (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    start();
    for (let answer = ready.shift(); answer; answer = ready.shift()) {
      if (answer.status === 'rejected') throw answer.reason;
      yield answer.value;
    }
  }
}

/** At most `limit` pieces of work at once, whoever asks: `slot(work)` waits for room, then runs it. */
export function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      // A finished piece hands its slot to the next in line: someone asking meanwhile finds none free.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
