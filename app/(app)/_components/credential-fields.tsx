'use client';

import { useState } from 'react';
import { get, type FieldErrors, type FieldValues, type Path, type UseFormRegister } from 'react-hook-form';
import { Checkbox } from '@/app/_components/ui/checkbox';
import { cn } from '@/app/_components/ui/cn';
import { Input } from '@/app/_components/ui/input';
import { Label } from '@/app/_components/ui/label';
import { Textarea } from '@/app/_components/ui/textarea';
import { credentialFieldsFor, type CredentialField } from '@/lib/exchanges/catalog';

/** The form path of a credential: the actions' fieldErrors use the same keys (`credentials.apiKey`). */
export const credentialPath = (name: string) => `credentials.${name}`;

// "API secret" keeps its acronym, "Passphrase" becomes "passphrase" (as the server words it).
const lowerFirst = (label: string) =>
  /^[A-Z]{2}/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);

/**
 * The credential inputs one exchange needs, as its catalog describes them: a visible label (the
 * accessible name people and tests use: "API key", "API secret", "Passphrase"…), help text, and the
 * error next to the field. Secrets are masked, with a Show toggle; PEM keys get a textarea so their
 * line breaks survive, and a secret that may be either (Binance) is one line until the user says it
 * is a PEM key. Used by the connect form and by a connection's Update keys form.
 *
 * What the user typed stays in the form after a failed attempt (a Binance secret is shown only once):
 * only in the browser's memory, never sent back by the server, gone when the page is left.
 */
export function CredentialFields<T extends FieldValues>({
  exchangeId,
  register,
  errors,
  disabled,
  idPrefix = '',
}: {
  exchangeId: string;
  register: UseFormRegister<T>;
  errors: FieldErrors<T>;
  disabled?: boolean;
  /** Keeps ids unique when two credential forms share a page. */
  idPrefix?: string;
}) {
  const fields = credentialFieldsFor(exchangeId);
  return (
    <div className="flex flex-col gap-4">
      {fields.map((field) => (
        <CredentialInput
          key={`${exchangeId}-${field.name}`}
          field={field}
          id={`${idPrefix}${field.name}`}
          error={(get(errors, credentialPath(field.name)) as { message?: string } | undefined)?.message}
          disabled={disabled}
          // The path is typed by the caller's form (it has a `credentials` record); the field names come from the catalog.
          registration={register(credentialPath(field.name) as Path<T>, {
            validate: (value: unknown) =>
              (typeof value === 'string' && value.trim() !== '') || `Enter your ${lowerFirst(field.label)}.`,
          })}
        />
      ))}
    </div>
  );
}

function CredentialInput({
  field,
  id,
  error,
  disabled,
  registration,
}: {
  field: CredentialField;
  id: string;
  error?: string;
  disabled?: boolean;
  registration: ReturnType<UseFormRegister<FieldValues>>;
}) {
  const [revealed, setRevealed] = useState(false);
  const [pem, setPem] = useState(false);
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const pemId = `${id}-pem`;
  const masked = field.secret && !revealed;
  const multiline = field.multiline || (field.pemOptional && pem);
  const common = {
    id,
    disabled,
    'aria-invalid': Boolean(error),
    'aria-describedby': error ? `${errorId} ${helpId}` : helpId,
    autoComplete: 'off',
    autoCapitalize: 'off',
    autoCorrect: 'off',
    spellCheck: false,
    // Password managers must not offer to save an exchange key as a site password.
    'data-1p-ignore': true,
    'data-lpignore': 'true',
    ...registration,
  };
  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex items-center justify-between gap-2">
        <Label htmlFor={id}>{field.label}</Label>
        {field.secret ? (
          <button
            type="button"
            className="rounded px-1 text-xs font-medium text-primary hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
            aria-pressed={revealed}
            aria-controls={id}
            onClick={() => setRevealed((value) => !value)}
          >
            {revealed ? 'Hide' : 'Show'}
          </button>
        ) : null}
      </div>
      {multiline ? (
        <Textarea
          {...common}
          rows={4}
          placeholder={field.secret ? 'Paste the key, including its -----BEGIN and -----END lines' : undefined}
          // A textarea has no password type: mask the characters instead until the user asks to see them.
          className={cn(masked && '[-webkit-text-security:disc]')}
        />
      ) : (
        <Input {...common} type={masked ? 'password' : 'text'} className="font-mono" />
      )}
      {error ? (
        <p id={errorId} className="text-sm text-danger-text">
          {error}
        </p>
      ) : null}
      {field.pemOptional ? (
        <div className="flex items-center gap-2">
          <Checkbox
            id={pemId}
            checked={pem}
            disabled={disabled}
            onChange={(event) => setPem(event.currentTarget.checked)}
          />
          <Label htmlFor={pemId} className="text-sm font-normal">
            I use an Ed25519 or RSA key
          </Label>
        </div>
      ) : null}
      <p id={helpId} className="text-xs leading-relaxed text-muted">
        {field.help}
      </p>
    </div>
  );
}
