import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isConnectionError, reconnecting, TemporalUnreachable, type ConnectionEvent } from '../../client/reconnect';

/** What grpc-js rejects a call with while the frontend is down. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}
const unavailable = () => new ServiceError('Failed to get workflow history', { cause: grpcError(14, 'No connection established') });

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let now = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  return async (ms: number) => {
    now += ms;
  };
}

afterEach(() => jest.restoreAllMocks());

describe('isConnectionError', () => {
  it('knows an unreachable or restarting frontend, wrapped by the SDK or not', () => {
    expect(isConnectionError(unavailable())).toBe(true);
    expect(isConnectionError(grpcError(4, 'Deadline exceeded'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7233'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it('does not take a failed run or a refused request for an outage', () => {
    expect(isConnectionError(new WorkflowFailedError('Workflow execution failed', ApplicationFailure.nonRetryable('x', 'InputError'), 'NON_RETRYABLE_FAILURE'))).toBe(false);
    expect(isConnectionError(new ServiceError('Failed', { cause: grpcError(3, 'invalid argument') }))).toBe(false);
  });
});

describe('reconnecting', () => {
  it('retries through an outage, saying once that the connection is lost and once that it is back', async () => {
    const sleep = fakeTime();
    const events: ConnectionEvent['state'][] = [];
    let calls = 0;
    const value = await reconnecting(
      async () => {
        if (++calls <= 4) throw unavailable();
        return 'report';
      },
      { sleep, onConnection: (e) => events.push(e.state) },
    );
    expect(value).toBe('report');
    expect(calls).toBe(5);
    expect(events).toEqual(['lost', 'back']);
  });

  it('passes a real failure through at once', async () => {
    const failure = new WorkflowFailedError('Workflow execution failed', undefined, 'NON_RETRYABLE_FAILURE');
    let calls = 0;
    await expect(reconnecting(async () => { calls++; throw failure; }, { sleep: fakeTime() })).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('gives up with TemporalUnreachable once the window has passed', async () => {
    const sleep = fakeTime();
    const err = await reconnecting(async () => { throw unavailable(); }, { sleep, reconnectForMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalUnreachable);
    expect((err as Error).message).toMatch(/did not answer for 60 s/);
  });
});
