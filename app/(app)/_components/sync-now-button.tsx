'use client';

import { RefreshCw } from 'lucide-react';
import { useId, useState } from 'react';
import { Button, type ButtonProps } from '@/app/_components/ui/button';
import { cn } from '@/app/_components/ui/cn';
import { toast } from '@/app/_components/ui/toast';
import { syncNowAction } from '../exchanges/actions';
import { toResult } from './action-result';
import { useConnectionStatus, useExpectSync, useInvalidateSyncStatus } from './sync-status';
import { useNow } from './use-now';
import { RESEND_QUEUED_AFTER_MS } from '@/lib/connections/schemas';

/**
 * Starts a sync of one connection. Its accessible name is always "Sync now" (several on a page are
 * told apart by their card or row, and by the connection label as description); while the request is
 * in flight or the connection's run is queued or running it is disabled, busy and spins.
 */
export function SyncNowButton({
  connectionId,
  label,
  size = 'sm',
  variant = 'secondary',
  className,
}: {
  connectionId: string;
  /** The connection's label, read out as the button's description. */
  label?: string;
  size?: ButtonProps['size'];
  variant?: ButtonProps['variant'];
  className?: string;
}) {
  const connection = useConnectionStatus(connectionId);
  const invalidate = useInvalidateSyncStatus();
  const expectSync = useExpectSync();
  const [sending, setSending] = useState(false);
  const descriptionId = useId();
  const now = useNow();
  // A run that stayed queued this long may have lost its start (Sync now sends it again, see syncNow).
  const pending = connection?.pendingRun;
  const stuck = pending?.status === 'queued' && now - Date.parse(pending.queuedAt) >= RESEND_QUEUED_AFTER_MS;
  const busy = sending || (Boolean(pending) && !stuck);

  async function syncNow() {
    setSending(true);
    let started = false;
    try {
      const result = toResult(await syncNowAction({ connectionId }));
      if (!result.ok) toast.error(result.message);
      else started = true;
    } catch {
      toast.error('Could not reach Coinsphere. Check your connection and try again.');
    } finally {
      // Before the button enables again, fetch the run it started so it stays disabled while pending;
      // then keep polling fast until that run has ended.
      await (started ? expectSync() : invalidate());
      setSending(false);
    }
  }

  return (
    <>
      <Button
        type="button"
        variant={variant}
        size={size}
        className={className}
        onClick={syncNow}
        disabled={busy}
        aria-busy={busy || undefined}
        aria-describedby={label ? descriptionId : undefined}
      >
        <RefreshCw className={cn('size-4', busy && 'animate-spin')} aria-hidden />
        Sync now
      </Button>
      {label ? (
        <span id={descriptionId} hidden>
          {label}
        </span>
      ) : null}
    </>
  );
}
