import type { PlayEvent } from '../model';

export interface UserRow {
  user_id: string;
  first_name: string | null;
  last_name: string | null;
  gender: string | null;
  level: string;
}

/** A user's attributes at their latest NextSong event of one month, with what orders it against other months. */
export interface UserState extends UserRow {
  ts: number;
  session_id: number;
  item_in_session: number;
}

/** Orders two observations of a user in time; the tie-breaks keep the choice deterministic. */
function isLater(a: UserState, b: UserState): boolean {
  if (a.ts !== b.ts) return a.ts > b.ts;
  if (a.session_id !== b.session_id) return a.session_id > b.session_id;
  if (a.item_in_session !== b.item_in_session) return a.item_in_session > b.item_in_session;
  return JSON.stringify(a) > JSON.stringify(b);
}

export function userStateOf(play: PlayEvent): UserState {
  return {
    user_id: play.userId,
    first_name: play.firstName,
    last_name: play.lastName,
    gender: play.gender,
    level: play.level,
    ts: play.ts,
    session_id: play.sessionId,
    item_in_session: play.itemInSession,
  };
}

/** Latest state per user over any set of observations; associative and commutative, so months merge in any order. */
export function latestUserStates(states: Iterable<UserState>): UserState[] {
  const latest = new Map<string, UserState>();
  for (const state of states) {
    const current = latest.get(state.user_id);
    if (!current || isLater(state, current)) latest.set(state.user_id, state);
  }
  return [...latest.values()].sort((a, b) => compareUserIds(a.user_id, b.user_id));
}

export function toUserRow({ user_id, first_name, last_name, gender, level }: UserState): UserRow {
  return { user_id, first_name, last_name, gender, level };
}

/**
 * Numeric ids in numeric order (the simulator's ids are numbers in strings), others after them in string order.
 * The numeric/other split comes first so the order stays total (and the sort deterministic) when the kinds mix.
 */
function compareUserIds(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (aNumeric && Number(a) !== Number(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
