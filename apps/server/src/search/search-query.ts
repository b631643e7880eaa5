/**
 * What a search box query asks for. The full text goes to PostgreSQL's websearch_to_tsquery ("quoted phrases",
 * -excluded, OR); the typo-tolerant trigram match needs the plain words, and must honour exclusions.
 */
export interface ParsedQuery {
  /** Whitespace-normalised text, for full-text search. */
  text: string;
  /** Words matched approximately against titles, each on its own; empty when the query asks for exactness. */
  fuzzyWords: string[];
  /** Words prefixed with "-": results must not contain them. */
  excludedWords: string[];
}

/** More words than this only slow the trigram match down without making it more precise. */
const MAX_FUZZY_WORDS = 6;
/** One- and two-letter words have too few trigrams to match approximately; they are left to full-text search. */
const MIN_FUZZY_WORD_LENGTH = 3;

export function parseQuery(input: string): ParsedQuery {
  const text = input.replace(/\s+/g, ' ').trim();
  const tokens = text.split(' ').filter(Boolean);
  const excludedWords = tokens
    .filter((token) => token.startsWith('-'))
    .map(bareWord)
    .filter(Boolean);
  const plainWords = tokens
    .filter((token) => !token.startsWith('-') && token.toLowerCase() !== 'or')
    .map(bareWord)
    .filter(Boolean);
  const longWords = plainWords.filter((word) => word.length >= MIN_FUZZY_WORD_LENGTH);
  // A quoted phrase is a request for those exact words.
  const fuzzyWords = text.includes('"') ? [] : (longWords.length ? longWords : plainWords).slice(0, MAX_FUZZY_WORDS);
  return { text, fuzzyWords, excludedWords };
}

function bareWord(token: string): string {
  return token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').toLowerCase();
}
