'use client';

import { useAction } from 'next-safe-action/hooks';
import { useId, useState } from 'react';
import { DISPLAY_CURRENCIES, type DisplayCurrency } from '@/lib/valuation/types';
import { FormAlert } from '../../_components/ui/form-field';
import { toast } from '../../_components/ui/toast';
import { setDisplayCurrencyAction } from './display-currency-actions';

const NAMES: Record<DisplayCurrency, string> = {
  USD: 'US dollar (USD)',
  EUR: 'Euro (EUR)',
  GBP: 'British pound (GBP)',
  CHF: 'Swiss franc (CHF)',
  JPY: 'Japanese yen (JPY)',
};

/** Saved as soon as it is chosen: one setting, nothing to confirm. */
export function DisplayCurrencyForm({ current }: { current: DisplayCurrency }) {
  const id = useId();
  const [value, setValue] = useState<DisplayCurrency>(current);
  const { execute, isPending, result } = useAction(setDisplayCurrencyAction, {
    onSuccess: ({ data }) => {
      if (data) toast.success(`Values now show in ${data.currency}.`);
    },
    onError: () => setValue(current),
  });
  const fieldError = result.validationErrors?.currency?._errors?.[0];
  return (
    <div className="flex max-w-sm flex-col gap-2">
      <FormAlert message={result.serverError} />
      <label htmlFor={id} className="text-sm font-medium">
        Display currency
      </label>
      <select
        id={id}
        name="currency"
        value={value}
        disabled={isPending}
        aria-describedby={`${id}-help`}
        aria-invalid={fieldError ? true : undefined}
        onChange={(event) => {
          const next = event.target.value as DisplayCurrency;
          setValue(next);
          execute({ currency: next });
        }}
        className="h-10 rounded-lg border border-border bg-surface px-3 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-60"
      >
        {DISPLAY_CURRENCIES.map((currency) => (
          <option key={currency} value={currency}>
            {NAMES[currency]}
          </option>
        ))}
      </select>
      <p id={`${id}-help`} className="text-xs text-muted">
        Converted from USD with the fiat rates your exchanges quote. Without a rate, values stay in USD and say so.
      </p>
      {fieldError && <p className="text-sm text-danger-text">{fieldError}</p>}
    </div>
  );
}
