import Link from 'next/link';
import { Filter } from 'lucide-react';
import type { ActivityConnectionOption } from '@/lib/history/activity-options';
import {
  ACTIVITY_KINDS,
  type ActivityFilters,
  type ActivityInputErrors,
  type ActivityFilterField,
} from '@/lib/history/activity-filters';
import { Button } from '../../_components/ui/button';
import { cn } from '../../_components/ui/cn';
import { KIND_WORDS } from './activity-format';

// A plain GET form: submitting it puts the filters in the URL, so a filtered view is a link, and it works
// before (and without) any JavaScript. Each field says its own error beside it.

const FIELD =
  'h-10 w-full rounded-lg border border-border bg-surface px-3 text-sm text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring aria-invalid:border-danger';

interface Props {
  filters: ActivityFilters;
  errors: ActivityInputErrors;
  connections: ActivityConnectionOption[];
  assets: string[];
}

function Field({
  name,
  label,
  error,
  children,
}: {
  name: ActivityFilterField;
  label: string;
  error?: string;
  children: React.ReactNode;
}) {
  return (
    <div className="flex min-w-0 flex-col gap-1.5">
      <label htmlFor={`activity-${name}`} className="text-sm font-medium">
        {label}
      </label>
      {children}
      {error && (
        <p id={`activity-${name}-error`} className="text-sm text-danger-text">
          {error}
        </p>
      )}
    </div>
  );
}

const invalid = (error: string | undefined, name: string) =>
  error ? { 'aria-invalid': true as const, 'aria-describedby': `activity-${name}-error` } : {};

export function ActivityFiltersForm({ filters, errors, connections, assets }: Props) {
  const filtered = Object.values(filters).some(Boolean);
  return (
    <form
      method="get"
      action="/activity"
      role="search"
      aria-label="Filter activity"
      className="grid grid-cols-2 gap-3 rounded-xl border border-border bg-surface p-4 shadow-sm sm:grid-cols-3 lg:grid-cols-[minmax(0,1.4fr)_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)_auto] lg:items-end"
    >
      <div className="col-span-2 sm:col-span-1">
        <Field name="connection" label="Connection" error={errors.connection}>
          <select
            id="activity-connection"
            name="connection"
            defaultValue={filters.connectionId ?? ''}
            className={FIELD}
            {...invalid(errors.connection, 'connection')}
          >
            <option value="">All connections</option>
            {connections.map((connection) => (
              <option key={connection.id} value={connection.id}>
                {connection.label}
                {connection.label.includes(connection.exchangeName) ? '' : ` (${connection.exchangeName})`}
                {connection.disconnected ? ' — disconnected' : ''}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field name="asset" label="Asset" error={errors.asset}>
        <input
          id="activity-asset"
          name="asset"
          defaultValue={filters.asset ?? ''}
          list="activity-asset-options"
          placeholder="Any"
          autoComplete="off"
          spellCheck={false}
          maxLength={32}
          className={cn(FIELD, 'uppercase placeholder:normal-case placeholder:text-muted')}
          {...invalid(errors.asset, 'asset')}
        />
        <datalist id="activity-asset-options">
          {assets.map((asset) => (
            <option key={asset} value={asset} />
          ))}
        </datalist>
      </Field>
      <Field name="kind" label="Kind" error={errors.kind}>
        <select
          id="activity-kind"
          name="kind"
          defaultValue={filters.kind ?? ''}
          className={FIELD}
          {...invalid(errors.kind, 'kind')}
        >
          <option value="">All kinds</option>
          {ACTIVITY_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_WORDS[kind]}
            </option>
          ))}
        </select>
      </Field>
      <Field name="from" label="From" error={errors.from}>
        <input
          id="activity-from"
          name="from"
          type="date"
          defaultValue={filters.from ?? ''}
          className={FIELD}
          {...invalid(errors.from, 'from')}
        />
      </Field>
      <Field name="to" label="To" error={errors.to}>
        <input
          id="activity-to"
          name="to"
          type="date"
          defaultValue={filters.to ?? ''}
          className={FIELD}
          {...invalid(errors.to, 'to')}
        />
      </Field>
      <div className="col-span-2 flex items-center gap-2 sm:col-span-1 lg:col-span-1">
        <Button type="submit" className="flex-1 lg:flex-none">
          <Filter className="size-4" aria-hidden />
          Apply filters
        </Button>
        {filtered && (
          <Button asChild variant="ghost">
            <Link href="/activity">Clear</Link>
          </Button>
        )}
      </div>
    </form>
  );
}
