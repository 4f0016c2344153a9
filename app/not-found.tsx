import Link from 'next/link';
import { Button } from './_components/ui/button';

export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-4 px-4 text-center">
      <p className="text-sm font-medium text-primary">404</p>
      <h1 className="text-2xl font-semibold">We could not find that page</h1>
      <Button asChild variant="secondary">
        <Link href="/">Back to Coinsphere</Link>
      </Button>
    </main>
  );
}
