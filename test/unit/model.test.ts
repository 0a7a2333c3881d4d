import { addCounts } from '../../lake/model';

describe('addCounts', () => {
  it('adds reason counts into the first argument and returns it', () => {
    const into = { 'invalid-json': 1, 'outside-month': 2 } as const;
    const target = { ...into };
    const result = addCounts(target, { 'invalid-json': 3, 'missing-user-id': 4 });
    expect(result).toBe(target);
    expect(result).toEqual({ 'invalid-json': 4, 'outside-month': 2, 'missing-user-id': 4 });
    expect(addCounts({}, {})).toEqual({});
  });
});
