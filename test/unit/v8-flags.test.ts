import { workerV8Flags } from '../../worker/v8-flags';

describe('workerV8Flags', () => {
  it('caps the heap at SPARKIFY_WORKER_HEAP_MB (1024 by default) and enlarges the young generation', () => {
    expect(workerV8Flags([], {})).toEqual(['--max-old-space-size=1024', '--max-semi-space-size=32']);
    expect(workerV8Flags([], { SPARKIFY_WORKER_HEAP_MB: '2048' })).toEqual(['--max-old-space-size=2048', '--max-semi-space-size=32']);
  });

  it("leaves the young generation to the user's own flag", () => {
    expect(workerV8Flags(['--max-semi-space-size=64'], {})).toEqual(['--max-old-space-size=1024']);
  });

  it('refuses a heap size that is not a whole number of megabytes, at least 128', () => {
    for (const bad of ['64', '1.5', 'lots']) {
      expect(() => workerV8Flags([], { SPARKIFY_WORKER_HEAP_MB: bad })).toThrow('SPARKIFY_WORKER_HEAP_MB must be a whole number of megabytes, at least 128');
    }
  });
});
