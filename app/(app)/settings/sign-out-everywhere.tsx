'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useAction } from 'next-safe-action/hooks';
import { Button } from '../../_components/ui/button';
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogTitle,
  DialogTrigger,
} from '../../_components/ui/dialog';
import { toast } from '../../_components/ui/toast';
import { signOutEverywhereAction } from '../actions';

export function SignOutEverywhere() {
  const queryClient = useQueryClient();
  // As in the user menu: nothing of this account stays cached for the next sign-in in this tab.
  const clearCache = () => queryClient.clear();
  const { execute, isPending } = useAction(signOutEverywhereAction, {
    onError: ({ error }) => toast.error(error.serverError ?? 'Could not end your sessions. Try again.'),
    onNavigation: clearCache,
  });
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button variant="secondary">Sign out of all devices</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogTitle>Sign out of all devices?</DialogTitle>
        <DialogDescription>
          Every browser signed in to your account, this one included, will need to sign in again.
        </DialogDescription>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="secondary">Cancel</Button>
          </DialogClose>
          <Button
            variant="danger"
            loading={isPending}
            onClick={() => {
              clearCache();
              execute({});
            }}
          >
            Sign out everywhere
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
