import { didYouMean } from '@pipeline/core';

/** ` (did you mean 'x'?)` for a message, or '' when nothing is close (core's one rule decides). */
export const mean = (word: string, candidates: Iterable<string>): string => {
  const m = didYouMean(word, candidates);
  return m ? ` (did you mean '${m}'?)` : '';
};
