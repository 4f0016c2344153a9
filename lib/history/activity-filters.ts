import { z } from 'zod';
import { ACTIVITY_KINDS, ACTIVITY_STATUSES, type ActivityKind, type ActivityStatus } from '@/db/schema';

// The /activity filters as they arrive in a URL (so a filtered view is a link) and in the export's query
// string: every value is the client's, so each is checked, and a bad one is answered with a message that
// names its field — never a 500, never a query with it.

export { ACTIVITY_KINDS, ACTIVITY_STATUSES };
export type { ActivityKind, ActivityStatus };

export const ACTIVITY_FILTER_FIELDS = ['connection', 'asset', 'kind', 'from', 'to'] as const;
export type ActivityFilterField = (typeof ACTIVITY_FILTER_FIELDS)[number];

export interface ActivityFilters {
  connectionId?: string;
  asset?: string;
  kind?: ActivityKind;
  /** Calendar days (YYYY-MM-DD) in the reader's time zone, both inclusive. */
  from?: string;
  to?: string;
}

export type ActivityInputField = ActivityFilterField | 'cursor';

/** Field → the message to show beside it. */
export type ActivityInputErrors = Partial<Record<ActivityInputField, string>>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ASSET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

const isCalendarDay = (value: string) => {
  if (!DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

const day = (name: string) => z.string().refine(isCalendarDay, `${name} must be a date such as 2026-03-31.`).optional();

export const activityFiltersSchema = z
  .object({
    connection: z.uuid({ error: 'Connection is not one of your connections.' }).optional(),
    asset: z
      .string()
      .regex(ASSET, 'Asset must be a ticker such as BTC (letters, digits, “.”, “-” or “_”, at most 32).')
      .optional(),
    kind: z.enum(ACTIVITY_KINDS, { error: `Kind must be one of ${ACTIVITY_KINDS.join(', ')}.` }).optional(),
    from: day('From'),
    to: day('To'),
  })
  .refine((value) => !value.from || !value.to || value.from <= value.to, {
    path: ['from'],
    message: 'From must be on or before To.',
  });

type RawParams = Record<string, string | string[] | undefined> | URLSearchParams;

/** One value per name: a repeated parameter is refused by name, an empty one is "no filter". */
function single(raw: RawParams, name: string, errors: ActivityInputErrors): string | undefined {
  const values = raw instanceof URLSearchParams ? raw.getAll(name) : [raw[name]].flat();
  const present = values.filter((value): value is string => typeof value === 'string');
  if (present.length > 1) {
    errors[name as ActivityInputField] = `${name[0]!.toUpperCase()}${name.slice(1)} must be given once.`;
    return undefined;
  }
  const value = present[0]?.trim();
  return value ? value : undefined;
}

export type ParsedActivityInput =
  | { ok: true; filters: ActivityFilters; cursor: string | undefined }
  | { ok: false; errors: ActivityInputErrors; filters: ActivityFilters; cursor: string | undefined };

/**
 * The filters and the page cursor of a URL. On bad input, the errors by field, and the filters that were
 * fine (so the form can show what the person typed).
 */
export function parseActivityInput(raw: RawParams): ParsedActivityInput {
  const errors: ActivityInputErrors = {};
  const values = Object.fromEntries(
    [...ACTIVITY_FILTER_FIELDS, 'cursor'].map((name) => [name, single(raw, name, errors)]),
  ) as Record<ActivityInputField, string | undefined>;
  const result = activityFiltersSchema.safeParse(values);
  const cursor = values.cursor;
  const filters: ActivityFilters = {
    connectionId: values.connection,
    asset: values.asset,
    kind: values.kind as ActivityKind | undefined,
    from: values.from,
    to: values.to,
  };
  if (result.success && Object.keys(errors).length === 0) {
    const { connection, asset, kind, from, to } = result.data;
    return { ok: true, filters: stripUndefined({ connectionId: connection, asset, kind, from, to }), cursor };
  }
  for (const issue of result.error?.issues ?? []) {
    const field = issue.path[0] as ActivityInputField | undefined;
    if (field && !errors[field]) errors[field] = issue.message;
  }
  return { ok: false, errors, filters: stripUndefined(filters), cursor };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The filters as URL parameters (the page's links and the export's). */
export function activityFilterParams(filters: ActivityFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.connectionId) params.set('connection', filters.connectionId);
  if (filters.asset) params.set('asset', filters.asset);
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  return params;
}
