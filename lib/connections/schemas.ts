import { z } from 'zod';
import { hasHiddenCharacters } from '@/lib/input/display-text';

// Input of the connection server actions, parsed once as each action's inputSchema: the lib functions
// take the parsed output. Every message names its field, because the UI shows it next to that field
// (or, for a form-level problem, as the form's message).

export const MIN_SYNC_INTERVAL_SECONDS = 60;
export const MAX_SYNC_INTERVAL_SECONDS = 86_400;
export const MAX_LABEL_LENGTH = 60;
/** A run still queued after this long may have lost its event (see syncNow): Sync now sends it again. */
export const RESEND_QUEUED_AFTER_MS = 10_000;
/** A PEM private key is a few hundred characters; anything far beyond is not a credential. */
const MAX_CREDENTIAL_LENGTH = 20_000;
const MAX_CREDENTIAL_FIELDS = 16;

export const connectionIdSchema = z.uuid({ error: 'Connection id is not valid.' });

const exchangeId = z
  .string({ error: 'Exchange is required.' })
  .trim()
  .min(1, 'Exchange is required.')
  .max(64, 'Exchange is not one we know.');

const label = z
  .string({ error: 'Label must be text.' })
  .trim()
  .min(1, 'Label cannot be empty.')
  .max(MAX_LABEL_LENGTH, `Label must be at most ${MAX_LABEL_LENGTH} characters.`)
  .refine(
    (value) => !hasHiddenCharacters(value),
    'Label cannot contain line breaks, control characters or invisible text-direction marks.',
  );

/** Raw form fields by credential name; normalizeCredentialInput checks them per exchange. */
const credentials = z
  .record(
    z.string(),
    z
      .string({ error: 'Each credential must be text.' })
      .max(
        MAX_CREDENTIAL_LENGTH,
        `A credential must be at most ${MAX_CREDENTIAL_LENGTH.toLocaleString('en-US')} characters.`,
      ),
    { error: 'Credentials are required.' },
  )
  .refine((fields) => Object.keys(fields).length <= MAX_CREDENTIAL_FIELDS, 'Credentials have too many fields.');

const flag = (name: string) => z.boolean({ error: `${name} must be true or false.` });

const syncIntervalSeconds = z
  .number({ error: 'Sync interval must be a number of seconds.' })
  .int('Sync interval must be a whole number of seconds.')
  .min(MIN_SYNC_INTERVAL_SECONDS, 'Sync interval must be at least 60 seconds (1 minute).')
  .max(MAX_SYNC_INTERVAL_SECONDS, 'Sync interval must be at most 86,400 seconds (24 hours).');

export const testConnectionSchema = z.object({
  exchangeId,
  credentials,
  sandbox: flag('Sandbox').optional(),
});

export const connectExchangeSchema = testConnectionSchema.extend({
  label: label.optional(),
  acknowledgeTradingPermission: flag('Trading permission acknowledgement').optional(),
});

const connectionChanges = {
  label: label.optional(),
  syncIntervalSeconds: syncIntervalSeconds.optional(),
  autoSync: flag('Auto-sync').optional(),
  credentials: credentials.optional(),
  acknowledgeTradingPermission: flag('Trading permission acknowledgement').optional(),
};

export const NOTHING_TO_UPDATE_MESSAGE =
  'Nothing to update: change the label, the sync interval, auto-sync or the API key.';

// zod cannot extend an object that carries a refinement, so the connection id joins the fields first.
export const updateConnectionSchema = z
  .object({ connectionId: connectionIdSchema, ...connectionChanges })
  .refine(
    (input) =>
      input.label !== undefined ||
      input.syncIntervalSeconds !== undefined ||
      input.autoSync !== undefined ||
      input.credentials !== undefined,
    NOTHING_TO_UPDATE_MESSAGE,
  );

export const syncNowSchema = z.object({ connectionId: connectionIdSchema });

export const disconnectSchema = z.object({
  connectionId: connectionIdSchema,
  keepHoldings: flag('Keep holdings'),
  /** "Also delete imported history": off unless asked, so imported history stays by default. */
  deleteHistory: flag('Also delete imported history').optional(),
});

/** What the forms send (before trimming); what the lib functions take is the parsed output below. */
export type TestConnectionInput = z.input<typeof testConnectionSchema>;
export type ConnectExchangeInput = z.input<typeof connectExchangeSchema>;
export type UpdateConnectionInput = z.input<typeof updateConnectionSchema>;
export type DisconnectInput = z.input<typeof disconnectSchema>;

export type TestConnection = z.output<typeof testConnectionSchema>;
export type ConnectExchange = z.output<typeof connectExchangeSchema>;
export type ConnectionChanges = Omit<z.output<typeof updateConnectionSchema>, 'connectionId'>;
export type DisconnectChoice = Omit<z.output<typeof disconnectSchema>, 'connectionId'>;

/** A connection id that is not even a UUID is answered like one that is not the user's. */
export function isConnectionId(value: unknown): value is string {
  return connectionIdSchema.safeParse(value).success;
}
