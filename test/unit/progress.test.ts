import { aboveProgress, backfillProgressText, dagProgressText, pollProgress, progressBar, progressLine } from '../../cli/progress';
import type { DagProgress } from '../../workflows/dag';

const dag: DagProgress = {
  dag: 'sparkify-etl',
  tasks: {
    'stage-songs': { state: 'done', seconds: 1, parts: 2, partsDone: 2 },
    'stage-events': { state: 'running', parts: 4, partsDone: 3 },
    'transform-dimensions': { state: 'running' },
    publish: { state: 'waiting' },
  },
};

/** A stream that keeps what was written to it. */
function sink(isTTY: boolean, columns = 80): { writes: string[]; isTTY: boolean; columns: number; write(s: string): boolean } {
  const writes: string[] = [];
  return { writes, isTTY, columns, write: (s: string) => writes.push(s) > 0 };
}

describe('progress text', () => {
  it('counts tasks and parts and names what runs', () => {
    expect(dagProgressText(dag, false)).toBe('tasks 1/4 · parts 5/6 · running stage-events 3/4, transform-dimensions');
    expect(dagProgressText(dag, true)).toBe('[###·······] tasks 1/4 · parts 5/6 · running stage-events 3/4, transform-dimensions');
  });

  it('names failed tasks', () => {
    const failed: DagProgress = { dag: 'd', tasks: { a: { state: 'failed' }, b: { state: 'upstream_failed' } } };
    expect(dagProgressText(failed, false)).toBe('tasks 0/2 · failed a');
  });

  it("shows a backfill's months done and failed, and each running month's tasks", () => {
    const text = backfillProgressText(
      {
        from: '2018-11',
        to: '2019-01',
        parallelism: 2,
        total: 3,
        running: ['2018-12', '2019-01'],
        done: [{ month: '2018-11', status: 'failed', workflowId: 'sparkify-etl-2018-11' }],
      },
      new Map([['2018-12', dag]]),
      false,
    );
    expect(text).toBe('months 1/3 (1 failed) · running 2018-12 tasks 1/4 parts 5/6, 2019-01');
  });

  it('draws a bar of the share done', () => {
    expect(progressBar(0, 4)).toBe('[··········]');
    expect(progressBar(4, 4)).toBe('[##########]');
    expect(progressBar(0, 0)).toBe('[··········]');
  });
});

describe('progress line', () => {
  it('in a log: one line per change, none for a repeat', () => {
    const out = sink(false);
    const line = progressLine(out);
    line.update('a');
    line.update('a');
    line.update('b');
    line.finish();
    expect(out.writes).toEqual(['a\n', 'b\n']);
  });

  it('on a terminal: one line rewritten in place, cut to the width, ended by a newline', () => {
    const out = sink(true, 24);
    const line = progressLine(out);
    line.update('short');
    line.update('a line much longer than the terminal');
    line.finish();
    expect(out.writes).toEqual(['\r\x1b[2Kshort', '\r\x1b[2Ka line much longer tha…', '\n']);
  });

  it('on a terminal, a message erases the line first and the next update draws it again', () => {
    const out = sink(true);
    const line = progressLine(out);
    line.update('tasks 1/9');
    out.write(`${aboveProgress('worker: Activity failed', out)}\n`);
    line.update('tasks 1/9');
    expect(out.writes).toEqual(['\r\x1b[2Ktasks 1/9', '\r\x1b[2Kworker: Activity failed\n', '\r\x1b[2Ktasks 1/9']);
    expect(aboveProgress('plain', sink(false))).toBe('plain');
  });

  it('polls until stopped, skipping reads that fail', async () => {
    const out = sink(false);
    let calls = 0;
    const poller = pollProgress(
      async () => {
        calls++;
        if (calls === 2) throw new Error('not yet');
        return `tick ${calls}`;
      },
      progressLine(out),
      5,
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    await poller.stop();
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toBe(after);
    expect(out.writes[0]).toBe('tick 1\n');
    expect(out.writes[1]).toBe('tick 3\n');
  });
});
