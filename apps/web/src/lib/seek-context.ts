import { createContext, useContext } from 'react';

/** Lets timestamps in the description and comments move the watch page's player. */
export interface SeekTarget {
  videoId: string;
  durationSeconds: number | null;
  seek(seconds: number): void;
}

export const SeekContext = createContext<SeekTarget | null>(null);

export const useSeekTarget = () => useContext(SeekContext);
