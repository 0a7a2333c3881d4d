import { ByteBudget } from '../../lake/memory-budget';

/** A task that records when it starts and holds its share until told to finish. */
function held(budget: ByteBudget, bytes: number, log: string[], name: string) {
  let finish!: () => void;
  const done = budget.use(bytes, async () => {
    log.push(`start ${name}`);
    await new Promise<void>((resolve) => (finish = resolve));
    log.push(`end ${name}`);
  });
  return { done, finish: () => finish() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  it('admits what fits at once and holds the rest until enough is given back, in arrival order', async () => {
    const budget = new ByteBudget(100);
    const log: string[] = [];
    const a = held(budget, 60, log, 'a');
    const b = held(budget, 30, log, 'b');
    const c = held(budget, 50, log, 'c');
    const d = held(budget, 5, log, 'd');
    await tick();
    // d would fit beside a and b, but waits behind c: a stream of small batches never starves a large one.
    expect(log).toEqual(['start a', 'start b']);
    a.finish();
    await a.done;
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end a', 'start c', 'start d']);
    b.finish();
    c.finish();
    d.finish();
    await Promise.all([b.done, c.done, d.done]);
  });

  it('runs a batch larger than the whole budget alone rather than never', async () => {
    const budget = new ByteBudget(10);
    const log: string[] = [];
    const small = held(budget, 5, log, 'small');
    const huge = held(budget, 1000, log, 'huge');
    await tick();
    expect(log).toEqual(['start small']);
    small.finish();
    await small.done;
    await tick();
    expect(log).toEqual(['start small', 'end small', 'start huge']);
    huge.finish();
    await huge.done;
  });

  it('gives its share back when the work fails', async () => {
    const budget = new ByteBudget(10);
    await expect(budget.use(10, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(budget.use(10, async () => 'next')).resolves.toBe('next');
  });
});
