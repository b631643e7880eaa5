import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { nextHighlightedIndex } from '../../lib/list-navigation.ts';
import { Icon } from '../../components/Icon.tsx';
import { useDebouncedValue } from '../../components/use-debounced-value.ts';
import { searchQueries } from './api.ts';
import './search.css';

const SUGGESTION_DELAY_MS = 120;

/**
 * The top bar's search box, with suggestions as you type (a combobox: arrows move through them,
 * Enter searches the highlighted one, Escape closes the list).
 */
export function SearchBox({ onCloseMobile }: { onCloseMobile: () => void }) {
  const [searchParams] = useSearchParams();
  const [query, setQuery] = useState(searchParams.get('q') ?? '');
  const [listOpen, setListOpen] = useState(false);
  const [highlighted, setHighlighted] = useState(-1);
  const navigate = useNavigate();
  const listId = useId();
  const typed = useDebouncedValue(query.trim(), SUGGESTION_DELAY_MS);
  const suggestions = useQuery({
    ...searchQueries.suggestions(typed),
    enabled: listOpen && typed.length > 0,
    staleTime: 60_000,
    retry: false,
    placeholderData: keepPreviousData,
  });
  const options = listOpen && query.trim().length > 0 ? (suggestions.data?.suggestions ?? []) : [];
  const expanded = options.length > 0;

  const search = (text: string) => {
    const trimmed = text.trim();
    if (!trimmed) return;
    setQuery(trimmed);
    setListOpen(false);
    setHighlighted(-1);
    onCloseMobile();
    void navigate(`/results?q=${encodeURIComponent(trimmed)}`);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    search(highlighted >= 0 ? (options[highlighted] ?? query) : query);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!listOpen) {
        setListOpen(true);
        return;
      }
      event.preventDefault();
      setHighlighted((current) => nextHighlightedIndex(current, options.length, event.key === 'ArrowDown' ? 'ArrowDown' : 'ArrowUp'));
    } else if (event.key === 'Escape' && expanded) {
      event.preventDefault();
      setListOpen(false);
      setHighlighted(-1);
    }
  };
  const optionId = (index: number) => `${listId}-option-${index}`;

  return (
    <form className="search" role="search" onSubmit={submit}>
      <button type="button" className="icon-button search-back" aria-label="Close search" onClick={onCloseMobile}>
        <Icon name="arrowBack" />
      </button>
      <div className="search-field">
        <input
          type="search"
          name="q"
          role="combobox"
          placeholder="Search"
          aria-label="Search videos"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-activedescendant={expanded && highlighted >= 0 ? optionId(highlighted) : undefined}
          autoComplete="off"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setListOpen(true);
            setHighlighted(-1);
          }}
          onFocus={() => setListOpen(true)}
          onBlur={() => setListOpen(false)}
          onKeyDown={onKeyDown}
          enterKeyHint="search"
        />
        <ul id={listId} role="listbox" aria-label="Search suggestions" className="search-suggestions" hidden={!expanded} data-testid="search-suggestions">
          {options.map((suggestion, index) => (
            <li
              key={suggestion}
              id={optionId(index)}
              role="option"
              aria-selected={index === highlighted}
              // mousedown, not click: the input would lose focus (and close the list) before a click lands.
              onMouseDown={(event) => {
                event.preventDefault();
                search(suggestion);
              }}
              onMouseEnter={() => setHighlighted(index)}
            >
              <Icon name="search" size={18} />
              <span>{suggestion}</span>
            </li>
          ))}
        </ul>
      </div>
      <button type="submit" className="search-submit" aria-label="Search">
        <Icon name="search" />
      </button>
    </form>
  );
}
