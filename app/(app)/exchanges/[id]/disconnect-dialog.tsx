'use client';

import { Unplug } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '../../../_components/ui/button';
import { cn } from '../../../_components/ui/cn';
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

type Choice = 'keep' | 'remove';

const CHOICES: { value: Choice; label: string; help: string }[] = [
  {
    value: 'keep',
    label: 'Keep its holdings in my portfolio (frozen, no longer synced)',
    help: 'They stay as they are now, marked Frozen, until you remove them.',
  },
  {
    value: 'remove',
    label: 'Remove its holdings from my portfolio',
    help: 'Its balances disappear from your portfolio at once.',
  },
];

/**
 * Disconnecting deletes the keys at once; what happens to the balances is the user's choice, so
 * it is asked in a dialog instead of guessed. Keeping them is preselected: it loses nothing.
 */
export function DisconnectDialog({ connectionId, label }: { connectionId: string; label: string }) {
  const router = useRouter();
  const invalidate = useInvalidateSyncStatus();
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<Choice>('keep');
  const [deleteHistory, setDeleteHistory] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  async function confirm() {
    setPending(true);
    setError(undefined);
    try {
      const keepHoldings = choice === 'keep';
      const result = toResult(await disconnectAction({ connectionId, keepHoldings, deleteHistory }));
      if (!result.ok) {
        setError(result.message);
        return;
      }
      toast.success(
        keepHoldings
          ? `Disconnected ${label} — its holdings stay in your portfolio, frozen`
          : `Disconnected ${label} — its holdings were removed`,
      );
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
        if (next) {
          setChoice('keep');
          setDeleteHistory(false);
          setError(undefined);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant="danger">
          <Unplug className="size-4" aria-hidden />
          Disconnect
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-lg">
        <DialogTitle>Disconnect {label}?</DialogTitle>
        <DialogDescription>
          Coinsphere deletes this connection&apos;s API key and stops syncing it. Its sync history stays either way; its
          imported history stays unless you delete it.
        </DialogDescription>
        <fieldset className="mt-5 flex flex-col gap-2" disabled={pending}>
          <legend className="mb-2 text-sm font-medium">What should happen to its holdings?</legend>
          {CHOICES.map((option) => (
            <label
              key={option.value}
              className={cn(
                'flex cursor-pointer items-start gap-3 rounded-lg border border-border p-3 text-sm transition-colors',
                'has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring',
                choice === option.value && 'border-primary/60 bg-primary/5',
              )}
            >
              <input
                type="radio"
                name="holdings"
                value={option.value}
                checked={choice === option.value}
                onChange={() => setChoice(option.value)}
                aria-labelledby={`holdings-${option.value}-label`}
                aria-describedby={`holdings-${option.value}-help`}
                className="mt-0.5 size-4 shrink-0 accent-primary focus-visible:outline-none"
              />
              <span className="flex flex-col gap-0.5">
                <span id={`holdings-${option.value}-label`} className="font-medium">
                  {option.label}
                </span>
                <span id={`holdings-${option.value}-help`} className="text-xs text-muted">
                  {option.help}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
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
            Disconnect
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
