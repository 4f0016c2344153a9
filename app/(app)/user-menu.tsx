'use client';

import { useQueryClient } from '@tanstack/react-query';
import { ChevronDown, LogOut, MonitorX, Settings } from 'lucide-react';
import Link from 'next/link';
import { useAction } from 'next-safe-action/hooks';
import { Button } from '../_components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '../_components/ui/dropdown-menu';
import { toast } from '../_components/ui/toast';
import { signOutAction, signOutEverywhereAction } from './actions';

export function UserMenu({ email, name }: { email: string; name: string | null }) {
  const onError = ({ error }: { error: { serverError?: string } }) =>
    toast.error(error.serverError ?? 'Could not sign you out. Try again.');
  const queryClient = useQueryClient();
  // Nothing of this account may stay cached for whoever signs in next in this tab: the QueryClient
  // survives the client-side navigation to sign-in. Cleared before the action, and again on its
  // redirect while this menu is still mounted (the per-user sync-status key covers any later poll).
  const clearCache = () => queryClient.clear();
  const signOut = useAction(signOutAction, { onError, onNavigation: clearCache });
  const signOutEverywhere = useAction(signOutEverywhereAction, { onError, onNavigation: clearCache });
  const initial = (name || email).charAt(0).toUpperCase();
  // Not modal: a modal menu hides the rest of the page with aria-hidden while its links and buttons stay
  // focusable (axe aria-hidden-focus). Escape, outside clicks and focus return work the same.
  return (
    <DropdownMenu modal={false}>
      <DropdownMenuTrigger asChild>
        {/* Named by what it shows (the email, read out at every width), not a label of its own: a name that
            differs from the visible text fails WCAG 2.5.3 (Label in Name) for people who speak to their browser. */}
        <Button variant="ghost" size="sm" className="gap-2 px-1.5 sm:px-2">
          <span
            className="flex size-7 items-center justify-center rounded-full bg-primary/15 text-xs font-semibold text-primary"
            aria-hidden
          >
            {initial}
          </span>
          <span className="max-w-48 truncate text-sm max-sm:sr-only" data-testid="signed-in-user">
            {email}
          </span>
          <span className="sr-only">, account menu</span>
          <ChevronDown className="size-4 text-muted" aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <DropdownMenuLabel>
          Signed in as
          <span className="block truncate text-sm font-medium text-foreground">{email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/settings">
            <Settings className="size-4" aria-hidden /> Settings
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem
          onSelect={() => {
            clearCache();
            signOutEverywhere.execute({});
          }}
          disabled={signOutEverywhere.isPending}
        >
          <MonitorX className="size-4" aria-hidden /> Sign out of all devices
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem
          onSelect={() => {
            clearCache();
            signOut.execute({});
          }}
          disabled={signOut.isPending}
        >
          <LogOut className="size-4" aria-hidden /> Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
