import { playEvent } from '../helpers/builders';
import { latestUserStates, toUserRow, userStateOf, type UserState } from '../../lake/tables/users';

/** mulberry32: a fixed-seed generator so the shuffles are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const play = (overrides: Parameters<typeof playEvent>[0] = {}) => playEvent({ ts: Date.UTC(2018, 10, 1, 12), ...overrides });

const state = (overrides: Partial<UserState> = {}): UserState => ({
  user_id: '8',
  first_name: 'Kaylee',
  last_name: 'Summers',
  gender: 'F',
  level: 'free',
  ts: Date.UTC(2018, 10, 1),
  session_id: 1,
  item_in_session: 0,
  ...overrides,
});

describe('userStateOf and toUserRow', () => {
  it('carries the user attributes and the ordering fields of a play', () => {
    const p = play({ firstName: null, gender: null });
    expect(userStateOf(p)).toEqual({
      user_id: '8',
      first_name: null,
      last_name: 'Summers',
      gender: null,
      level: 'free',
      ts: p.ts,
      session_id: 139,
      item_in_session: 0,
    });
  });

  it('drops the ordering fields for the table row', () => {
    expect(toUserRow(state({ level: 'paid' }))).toEqual({ user_id: '8', first_name: 'Kaylee', last_name: 'Summers', gender: 'F', level: 'paid' });
  });
});

describe('latestUserStates', () => {
  it('keeps only the level of the latest event when a user upgrades free → paid', () => {
    const free = userStateOf(play({ ts: Date.UTC(2018, 10, 3), level: 'free' }));
    const paid = userStateOf(play({ ts: Date.UTC(2018, 10, 20), level: 'paid' }));
    expect(latestUserStates([free, paid]).map(toUserRow)).toEqual([expect.objectContaining({ user_id: '8', level: 'paid' })]);
    expect(latestUserStates([paid, free]).map(toUserRow)).toEqual([expect.objectContaining({ user_id: '8', level: 'paid' })]);
  });

  it('keeps the later downgrade too: the latest event wins, not the "best" level', () => {
    const paid = state({ ts: 1000, level: 'paid' });
    const free = state({ ts: 2000, level: 'free', last_name: 'Married' });
    expect(latestUserStates([paid, free])).toEqual([free]);
    expect(latestUserStates([free, paid])).toEqual([free]);
  });

  it('breaks timestamp ties by session, then by item in session', () => {
    const a = state({ ts: 5000, session_id: 10, item_in_session: 7, level: 'free' });
    const b = state({ ts: 5000, session_id: 11, item_in_session: 0, level: 'paid' });
    expect(latestUserStates([a, b])).toEqual([b]);
    expect(latestUserStates([b, a])).toEqual([b]);
    const c = state({ ts: 5000, session_id: 11, item_in_session: 3, level: 'free' });
    expect(latestUserStates([c, b])).toEqual([c]);
    expect(latestUserStates([b, c])).toEqual([c]);
  });

  it('picks the same state for fully tied observations whatever their order', () => {
    const a = state({ ts: 5000, level: 'free' });
    const b = state({ ts: 5000, level: 'paid' });
    expect(latestUserStates([a, b])).toEqual(latestUserStates([b, a]));
  });

  it('returns one state per user, numeric ids in numeric order', () => {
    const ids = ['10', '2', '101', '1', '2', '10'];
    const result = latestUserStates(ids.map((user_id, i) => state({ user_id, ts: i })));
    expect(result.map((s) => s.user_id)).toEqual(['1', '2', '10', '101']);
    expect(result.find((s) => s.user_id === '10')?.ts).toBe(5);
  });

  it('is empty for no observations', () => {
    expect(latestUserStates([])).toEqual([]);
  });

  describe('is order-independent and merges month by month (fixed-seed property test)', () => {
    const rand = seeded(20181101);
    const levels = ['free', 'paid'];
    const lastNames = ['Summers', 'Frye', 'Koch', null];
    // Three months of observations for 12 users, with deliberate ties on ts and on (ts, session).
    const months: UserState[][] = [0, 1, 2].map((m) =>
      Array.from({ length: 60 }, () =>
        state({
          user_id: String(1 + Math.floor(rand() * 12)),
          ts: Date.UTC(2018, 9 + m, 1) + Math.floor(rand() * 2) * 3_600_000,
          session_id: Math.floor(rand() * 2),
          item_in_session: Math.floor(rand() * 2),
          level: levels[Math.floor(rand() * 2)],
          last_name: lastNames[Math.floor(rand() * 4)],
        }),
      ),
    );
    const all = months.flat();
    const expected = latestUserStates(all);

    it('has a sensible baseline', () => {
      expect(new Set(expected.map((s) => s.user_id)).size).toBe(expected.length);
      // Every user's state is one of that user's observations with the greatest timestamp of all months.
      for (const s of expected) {
        const maxTs = Math.max(...all.filter((o) => o.user_id === s.user_id).map((o) => o.ts));
        expect(s.ts).toBe(maxTs);
        expect(all).toContainEqual(s);
      }
    });

    it('exercises the tie-breaks: some users have several observations at their latest ts, some fully tied', () => {
      const key = (o: UserState) => `${o.user_id}|${o.ts}|${o.session_id}|${o.item_in_session}`;
      const atLatestTs = expected.filter((s) => all.filter((o) => o.user_id === s.user_id && o.ts === s.ts).length > 1);
      expect(atLatestTs.length).toBeGreaterThan(0);
      const fullyTied = expected.filter((s) => new Set(all.filter((o) => key(o) === key(s)).map((o) => JSON.stringify(o))).size > 1);
      expect(fullyTied.length).toBeGreaterThan(0);
    });

    it('gives the same result for 200 shuffles of the input', () => {
      for (let i = 0; i < 200; i++) expect(latestUserStates(shuffle(all, rand))).toEqual(expected);
    });

    it('gives the same result when months are reduced separately and merged in any order', () => {
      for (let i = 0; i < 50; i++) {
        const perMonth = shuffle(months, rand).map((m) => latestUserStates(shuffle(m, rand)));
        expect(latestUserStates(perMonth.flat())).toEqual(expected);
        // Incremental: fold month after month into the running state, as successive runs do.
        let running: UserState[] = [];
        for (const month of perMonth) running = latestUserStates([...running, ...month]);
        expect(running).toEqual(expected);
      }
    });

    it('gives the same result when split at arbitrary points, not only month boundaries', () => {
      for (let i = 0; i < 50; i++) {
        const shuffled = shuffle(all, rand);
        const cut = Math.floor(rand() * shuffled.length);
        const merged = latestUserStates([...latestUserStates(shuffled.slice(cut)), ...latestUserStates(shuffled.slice(0, cut))]);
        expect(merged).toEqual(expected);
      }
    });
  });

  // Regression: the comparator was not transitive when numeric and non-numeric ids mixed
  // ('9' < '10' numerically, '10' < '1a' and '1a' < '9' as text), so the users' order depended on input order.
  it('orders mixed numeric and non-numeric ids the same way whatever the input order (numeric first)', () => {
    const ids = ['9', '10', '1a'];
    const perms = [
      ['9', '10', '1a'],
      ['10', '9', '1a'],
      ['1a', '9', '10'],
      ['1a', '10', '9'],
      ['9', '1a', '10'],
      ['10', '1a', '9'],
    ];
    for (const perm of perms) {
      expect(latestUserStates(perm.map((user_id) => state({ user_id }))).map((s) => s.user_id)).toEqual(ids);
    }
  });

  it('breaks numeric ties by text and puts every non-numeric id after the numbers, in string order', () => {
    const ids = ['7', '07', '', ' 1', '-1', 'b', '1.5', 'a10', '100', '2'];
    const expected = ['2', '07', '7', '100', '', ' 1', '-1', '1.5', 'a10', 'b'];
    const rand = seeded(7);
    for (let i = 0; i < 20; i++) {
      expect(latestUserStates(shuffle(ids, rand).map((user_id) => state({ user_id }))).map((s) => s.user_id)).toEqual(expected);
    }
  });
});
