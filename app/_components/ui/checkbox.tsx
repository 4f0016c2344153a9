import type { ComponentProps } from 'react';
import { cn } from './cn';

/**
 * A native checkbox: keyboard, form submission and react-hook-form's `register` work without any
 * glue, and `accent-color` gives it the theme's colour in light and dark mode.
 */
export function Checkbox({ className, ...props }: Omit<ComponentProps<'input'>, 'type'>) {
  return (
    <input
      type="checkbox"
      className={cn(
        'size-4 shrink-0 cursor-pointer rounded border-border accent-primary',
        'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background',
        'disabled:cursor-not-allowed disabled:opacity-60',
        className,
      )}
      {...props}
    />
  );
}
