import type { Route } from 'next';
import Link from 'next/link';

/** Where a key that is already connected can get its new secret or passphrase: that connection's Update keys. */
export function ExistingConnectionLink({ connection }: { connection: { id: string; label: string } }) {
  return (
    <Link
      href={`/exchanges/${connection.id}#update-keys` as Route}
      className="mt-1 block font-medium underline underline-offset-2 hover:no-underline"
    >
      Update keys of “{connection.label}”
    </Link>
  );
}
