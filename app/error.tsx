'use client';

import { Button } from './_components/ui/button';

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-4 px-4 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="text-sm text-muted">We could not load this page. Your data is safe; try again in a moment.</p>
      <Button onClick={reset}>Try again</Button>
    </main>
  );
}
