'use client';

import { Trash2 } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '../../../_components/ui/button';
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogTitle,
  DialogTrigger,
} from '../../../_components/ui/dialog';
import { FormAlert } from '../../../_components/ui/form-field';
import { toast } from '../../../_components/ui/toast';
import { toResult } from '../../_components/action-result';
import { useInvalidateSyncStatus } from '../../_components/sync-status';
import { disconnectAction } from '../actions';

/**
 * For a connection disconnected earlier whose holdings were kept: disconnecting again with
 * keepHoldings false removes them (the connection itself is already gone).
 */
export function RemoveHoldingsDialog({ connectionId, label }: { connectionId: string; label: string }) {
  const router = useRouter();
  const invalidate = useInvalidateSyncStatus();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [deleteHistory, setDeleteHistory] = useState(false);
  const [error, setError] = useState<string>();

  async function confirm() {
    setPending(true);
    setError(undefined);
    try {
      const result = toResult(await disconnectAction({ connectionId, keepHoldings: false, deleteHistory }));
      if (!result.ok) {
        setError(result.message);
        return;
      }
      toast.success(`Removed the holdings of ${label} from your portfolio`);
      setOpen(false);
      await invalidate();
      router.push('/exchanges');
    } catch {
      setError('Could not reach Coinsphere. Check your connection and try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (pending) return;
        setOpen(next);
        setDeleteHistory(false);
        setError(undefined);
      }}
    >
      <DialogTrigger asChild>
        <Button variant="danger">
          <Trash2 className="size-4" aria-hidden />
          Remove holdings
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogTitle>Remove the holdings of {label}?</DialogTitle>
        <DialogDescription>
          Its frozen balances disappear from your portfolio. The sync history stays, and so does its imported history
          unless you delete it. To see this account again, connect it anew.
        </DialogDescription>
        <label className="mt-4 flex cursor-pointer items-start gap-3 text-sm">
          <input
            type="checkbox"
            checked={deleteHistory}
            onChange={(event) => setDeleteHistory(event.target.checked)}
            disabled={pending}
            aria-describedby="delete-history-help"
            className="mt-0.5 size-4 shrink-0 accent-primary"
          />
          <span className="flex flex-col gap-0.5">
            <span className="font-medium">Also delete imported history</span>
            <span id="delete-history-help" className="text-xs text-muted">
              Its imported trades, deposits and withdrawals are deleted too. Left unticked, they stay in Activity.
            </span>
          </span>
        </label>
        <div className="mt-4 empty:hidden">
          <FormAlert message={error} />
        </div>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="secondary" disabled={pending}>
              Cancel
            </Button>
          </DialogClose>
          <Button variant="danger" loading={pending} onClick={confirm}>
            Remove holdings
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
