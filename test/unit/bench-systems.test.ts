import { parseSystems, SYSTEMS } from '../../bench/systems';

describe('the bench\'s --systems', () => {
  it('runs every system but scaling when absent, and the ones named, in their order', () => {
    expect(parseSystems(undefined)).toEqual(SYSTEMS.filter((s) => s !== 'scaling'));
    expect(parseSystems('duckdb,sparkify-local')).toEqual(['duckdb', 'sparkify-local']);
  });

  it('refuses a name it does not know, listing the known ones, instead of running this pipeline under that label', () => {
    expect(() => parseSystems('sparkify-s3,duckdb-s4')).toThrow('--systems: unknown duckdb-s4; known systems are sparkify-local, sparkify-s3, duckdb, duckdb-s3, pyspark, scaling');
  });
});
