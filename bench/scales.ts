import type { GenerateOptions } from '../lake/generate/generate';
import { UsageError } from './command';

export type Scale = 'small' | 'medium' | 'large';

/** Data-set sizes; medium and large are the floors (100k songs and 2M events; 5M events). */
export const SCALES: Record<Scale, Omit<GenerateOptions, 'onProgress'>> = {
  small: { songs: 5_000, users: 300, events: 200_000, from: { year: 2018, month: 11 }, months: 1, seed: 2018 },
  medium: { songs: 100_000, users: 5_000, events: 2_000_000, from: { year: 2018, month: 11 }, months: 1, seed: 2018 },
  large: { songs: 200_000, users: 20_000, events: 5_000_000, from: { year: 2018, month: 11 }, months: 1, seed: 2018 },
};

/**
 * A scale's options, the song count replaced when `songs` is given (`--songs`: the catalogue's size apart from the
 * month's), and the name its data set is kept under, so each variant is generated once and reused.
 */
export function scaleOptions(scale: Scale, songs?: string): { options: Omit<GenerateOptions, 'onProgress'>; name: string } {
  if (songs === undefined) return { options: SCALES[scale], name: scale };
  const count = Number(songs);
  if (!Number.isInteger(count) || count < 1) throw new UsageError('--songs must be a positive whole number');
  return { options: { ...SCALES[scale], songs: count }, name: `${scale}-songs-${count}` };
}
