'use client';

import { Command } from 'cmdk';
import { Check, ChevronsUpDown, Search } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { cn } from '@/app/_components/ui/cn';
import { exchangeCatalog, findExchange, type ExchangeCatalogEntry } from '@/lib/exchanges/catalog';
import { ExchangeAvatar } from '../../../_components/exchange-avatar';
import { rankExchanges } from './exchange-search';

const verified = exchangeCatalog.filter((entry) => entry.verified);
const others = exchangeCatalog.filter((entry) => !entry.verified);

/**
 * The searchable exchange picker: a combobox named "Exchange" over the whole catalog, the verified
 * exchanges first. Typing lists the matches best first (rankExchanges: by name or id, prefix before
 * substring; cmdk's own fuzzy filter is off), arrows move, Enter picks, Escape closes; the input then
 * shows the chosen exchange's name.
 */
export function ExchangeCombobox({
  value,
  onChange,
  error,
  disabled,
}: {
  value: string | null;
  onChange: (exchangeId: string) => void;
  error?: string;
  disabled?: boolean;
}) {
  const selected = value ? findExchange(value) : undefined;
  const [query, setQuery] = useState(selected?.name ?? '');
  const [open, setOpen] = useState(false);
  const [highlighted, setHighlighted] = useState(value ?? '');
  const inputRef = useRef<HTMLInputElement>(null);

  // cmdk always announces its list as expanded; tell assistive technology the truth.
  useEffect(() => {
    inputRef.current?.setAttribute('aria-expanded', String(open));
  }, [open]);

  function choose(entry: ExchangeCatalogEntry) {
    setQuery(entry.name);
    setHighlighted(entry.id);
    setOpen(false);
    if (entry.id !== value) onChange(entry.id);
  }

  function close() {
    setOpen(false);
    // Leaving half-typed text would look like a choice that was never made.
    setQuery(selected?.name ?? '');
  }

  // The chosen name in the input is not a search: reopening it lists every exchange again.
  const searching = query.trim() !== '' && query !== selected?.name;
  const describedBy = error ? 'exchangeId-error exchangeId-help' : 'exchangeId-help';
  const matches = useMemo(() => (searching ? rankExchanges(query, exchangeCatalog) : []), [searching, query]);
  const noMatch = searching && matches.length === 0;

  return (
    <Command
      label="Exchange"
      value={highlighted}
      onValueChange={setHighlighted}
      shouldFilter={false}
      loop
      className="flex flex-col gap-1.5"
    >
      <div className="relative">
        <label className="flex flex-col gap-1.5">
          <span className="text-sm font-medium text-foreground">Exchange</span>
          <span className="relative block">
            {selected && !searching ? (
              <ExchangeAvatar
                exchangeId={selected.id}
                name={selected.name}
                size="sm"
                className="pointer-events-none absolute left-2 top-1/2 size-6 -translate-y-1/2 text-[11px]"
              />
            ) : (
              <Search
                className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-muted"
                aria-hidden
              />
            )}
            <Command.Input
              ref={inputRef}
              value={query}
              onValueChange={(text) => {
                setQuery(text);
                setOpen(true);
              }}
              onClick={() => setOpen(true)}
              onFocus={(event) => event.currentTarget.select()}
              onBlur={close}
              onKeyDown={(event) => {
                if (event.key === 'Escape' && open) {
                  event.preventDefault();
                  event.stopPropagation();
                  close();
                } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && !open) {
                  setOpen(true);
                }
              }}
              disabled={disabled}
              placeholder={`Search ${exchangeCatalog.length} exchanges`}
              aria-invalid={Boolean(error)}
              aria-describedby={describedBy}
              className={cn(
                'flex h-11 w-full rounded-lg border border-border bg-surface pl-10 pr-9 text-sm text-foreground placeholder:text-muted',
                'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-60',
                'aria-invalid:border-danger',
                selected && !searching && 'font-medium',
              )}
            />
            <ChevronsUpDown
              className="pointer-events-none absolute right-3 top-1/2 size-4 -translate-y-1/2 text-muted"
              aria-hidden
            />
          </span>
        </label>
        <div
          hidden={!open}
          // Keeps the focus in the input while an option is clicked, so the click is not lost to blur.
          onMouseDown={(event) => event.preventDefault()}
          className="absolute inset-x-0 top-full z-20 mt-1 overflow-hidden rounded-lg border border-border bg-surface shadow-lg"
        >
          {/* Said outside the listbox: a listbox must hold options, so an empty one is hidden instead. */}
          {noMatch ? (
            <p role="status" className="px-3 py-6 text-center text-sm text-muted">
              No exchange matches “{query.trim()}”.
            </p>
          ) : null}
          <Command.List hidden={noMatch} className="max-h-72 overflow-y-auto overscroll-contain p-1">
            {searching ? (
              matches.length > 0 ? (
                <ExchangeGroup heading="Matches" entries={matches} selectedId={value} onChoose={choose} />
              ) : null
            ) : (
              <>
                <ExchangeGroup heading="Verified" entries={verified} selectedId={value} onChoose={choose} />
                <ExchangeGroup
                  heading="More exchanges (not yet verified)"
                  entries={others}
                  selectedId={value}
                  onChoose={choose}
                />
              </>
            )}
          </Command.List>
        </div>
      </div>
      {error ? (
        <p id="exchangeId-error" className="text-sm text-danger-text">
          {error}
        </p>
      ) : null}
      <p id="exchangeId-help" className="text-xs text-muted">
        Verified exchanges are tested end to end with Coinsphere; the others are read through the same open-source
        library and usually work too.
      </p>
    </Command>
  );
}

function ExchangeGroup({
  heading,
  entries,
  selectedId,
  onChoose,
}: {
  heading: string;
  entries: readonly ExchangeCatalogEntry[];
  selectedId: string | null;
  onChoose: (entry: ExchangeCatalogEntry) => void;
}) {
  return (
    <Command.Group
      heading={heading}
      className="[&_[cmdk-group-heading]]:px-2.5 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-2 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted"
    >
      {entries.map((entry) => (
        <Command.Item
          key={entry.id}
          value={entry.id}
          keywords={[entry.name]}
          onSelect={() => onChoose(entry)}
          className="flex cursor-pointer select-none items-center gap-2.5 rounded-md px-2.5 py-2 text-sm outline-none data-[selected=true]:bg-subtle"
        >
          <ExchangeAvatar exchangeId={entry.id} name={entry.name} size="sm" className="size-6 text-[11px]" />
          <span className="flex-1 truncate">{entry.name}</span>
          {entry.id === selectedId ? <Check className="size-4 text-primary" aria-hidden /> : null}
        </Command.Item>
      ))}
    </Command.Group>
  );
}
