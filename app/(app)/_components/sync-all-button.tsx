'use client';

import { RefreshCw } from 'lucide-react';
import { useState } from 'react';
import { Button, type ButtonProps } from '@/app/_components/ui/button';
import { cn } from '@/app/_components/ui/cn';
import { toast } from '@/app/_components/ui/toast';
import { syncAllAction } from '../exchanges/actions';
import { toResult } from './action-result';
import { useExpectSync, useInvalidateSyncStatus, useSyncStatus } from './sync-status';

/** Queues a sync of every connected exchange; the live status then shows each one's progress. */
export function SyncAllButton({
  size = 'md',
  variant = 'secondary',
  className,
}: {
  size?: ButtonProps['size'];
  variant?: ButtonProps['variant'];
  className?: string;
}) {
  const { connections } = useSyncStatus();
  const invalidate = useInvalidateSyncStatus();
  const expectSync = useExpectSync();
  const [sending, setSending] = useState(false);
  const syncable = connections.filter((connection) => !connection.disconnectedAt);
  const allPending = syncable.length > 0 && syncable.every((connection) => connection.pendingRun);

  async function syncAll() {
    setSending(true);
    let queued = false;
    try {
      const result = toResult(await syncAllAction({}));
      if (!result.ok) toast.error(result.message);
      else if (result.connections === 0) {
        toast.info('No exchange can sync right now: connections whose credentials need updating are skipped.');
      } else {
        toast.success(`Syncing ${result.connections} ${result.connections === 1 ? 'exchange' : 'exchanges'}`);
        queued = true;
      }
    } catch {
      toast.error('Could not reach Coinsphere. Check your connection and try again.');
    } finally {
      // The runs are queued by a background function a moment after the action returns: poll fast
      // until they show up (and end), rather than at the next 30 s poll.
      await (queued ? expectSync() : invalidate());
      setSending(false);
    }
  }

  if (syncable.length === 0) return null;
  const busy = sending || allPending;
  return (
    <Button
      type="button"
      variant={variant}
      size={size}
      className={className}
      onClick={syncAll}
      disabled={busy}
      aria-busy={busy || undefined}
    >
      <RefreshCw className={cn('size-4', busy && 'animate-spin')} aria-hidden />
      Sync all
    </Button>
  );
}
