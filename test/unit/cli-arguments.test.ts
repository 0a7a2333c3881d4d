import net from 'node:net';
import { cronExpression, dayOf, dayText, monthText, timeOfDay, wholeNumber } from '../../cli/arguments';
import { choosePort, portIsFree } from '../../cli/free-port';

describe('option values', () => {
  it('accepts cron expressions Temporal takes, and rejects the rest naming the field', () => {
    for (const ok of ['0 3 * * *', '*/15 * * * *', '0 3 1,15 * MON-FRI', '30 2 * JAN-MAR 0', '@daily']) expect(cronExpression(ok)).toBe(ok);
    expect(() => cronExpression('0 3 * *')).toThrow(/5 fields/);
    expect(() => cronExpression('60 3 * * *')).toThrow(/minute field "60".*outside 0-59/);
    expect(() => cronExpression('0 3 32 * *')).toThrow(/day of month field/);
    expect(() => cronExpression('0 3 * * FUNDAY')).toThrow(/day of week field "FUNDAY"/);
    expect(() => cronExpression('0 3/x * * *')).toThrow(/step "x"/);
  });

  it('checks times, months, days and numbers', () => {
    expect(timeOfDay('3:05')).toBe('3:05');
    expect(() => timeOfDay('23:60')).toThrow(/time of day/);
    expect(monthText('2018-11')).toBe('2018-11');
    expect(() => monthText('2018-00')).toThrow(/a month like/);
    expect(dayText('2020-02-29')).toBe('2020-02-29');
    expect(() => dayText('2019-02-29')).toThrow(/no day 29/);
    expect(() => wholeNumber(1, 64)('1.5')).toThrow(/whole number/);
    expect(() => wholeNumber(0)('')).toThrow(/whole number/);
  });

  it('reads a bare month as its first day at the start of a range and its last day at the end', () => {
    expect(dayOf('2020-02', 'start').toISOString()).toBe('2020-02-01T00:00:00.000Z');
    expect(dayOf('2020-02', 'end').toISOString()).toBe('2020-02-29T00:00:00.000Z');
    expect(dayOf('2020-02-10', 'end').toISOString()).toBe('2020-02-10T00:00:00.000Z');
  });
});

describe('ports for the embedded server', () => {
  it('keeps a free port and moves off one a plain TCP listener holds', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      expect(await portIsFree(taken)).toBe(false);
      const moved = await choosePort(taken);
      expect(moved.moved).toBe(true);
      expect(moved.port).not.toBe(taken);
      expect(await portIsFree(moved.port)).toBe(true);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(await choosePort(taken)).toEqual({ port: taken, moved: false });
  });
});
