import type { ComponentProps, ReactNode } from 'react';
import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { FormField } from './form-field';
import { Input } from './input';

type TextFieldProps<T extends FieldValues> = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any context and output type of the form
  form: UseFormReturn<T, any, any>;
  name: Path<T>;
  label: string;
  hint?: ReactNode;
} & Omit<ComponentProps<'input'>, 'name' | 'form' | 'id'>;

/** A labelled input registered with react-hook-form, its error (or hint) wired up for screen readers. */
export function TextField<T extends FieldValues>({ form, name, label, hint, ...input }: TextFieldProps<T>) {
  const error = (form.formState.errors as Record<string, { message?: string } | undefined>)[name]?.message;
  const describedBy = error ? `${name}-error` : hint ? `${name}-hint` : undefined;
  return (
    <FormField id={name} label={label} error={error} hint={hint}>
      <Input
        id={name}
        aria-invalid={Boolean(error)}
        aria-describedby={describedBy}
        {...input}
        {...form.register(name)}
      />
    </FormField>
  );
}
