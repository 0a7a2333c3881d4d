import { MonthAlreadyRunning } from '../../client/month-conflict';

describe('MonthAlreadyRunning', () => {
  it('names the running workflow and each location as asked for and as running', () => {
    const err = new MonthAlreadyRunning('sparkify-etl-2018-11', 'run-1', { input: 's3://in/', output: 's3://lake-a/' }, { input: 's3://in/', output: 's3://lake-b/' });
    expect(err.message).toContain('sparkify-etl-2018-11 is already running (run run-1)');
    expect(err.message).toContain('output asked for: s3://lake-b/, output of the running run: s3://lake-a/');
    expect(err.message).not.toContain('input asked for');
  });

  it("says a location left to the workers' settings is their default", () => {
    const err = new MonthAlreadyRunning('w', 'r', { input: null, output: null }, { input: null, output: '/tmp/lake' });
    expect(err.message).toContain("output of the running run: (the workers' configured default)");
  });
});
