'use client';

import { AlertTriangle, CheckCircle2, Circle, Clock, KeyRound, PauseCircle, Unplug } from 'lucide-react';
import type { ReactNode } from 'react';
import { Badge } from '@/app/_components/ui/badge';
import { cn } from '@/app/_components/ui/cn';
import { Spinner } from '@/app/_components/ui/spinner';
import { credentialsUnreadable, type ConnectionView } from '@/lib/connections/view';
import { CREDENTIALS_UNREADABLE_MESSAGE } from '@/lib/sync/failure-kinds';
import { LocalTime } from './relative-time';
import { useSyncStatus } from './sync-status';

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

interface StatusText {
  tone: Tone;
  icon: ReactNode;
  /** Short, so the badge fits a phone's width. */
  text: ReactNode;
  /** Why a sync failed: told on its own line next to the badge (see ConnectionStatusReason). */
  reason?: string;
}

const icon = 'size-3.5 shrink-0';

/** Said instead of "Synced" when no scheduled sync can run (see lib/jobs/availability.ts). */
export const SCHEDULED_SYNCS_PAUSED = 'Scheduled syncs paused';

/**
 * The most important thing to tell about a connection, in the user's words; the first match wins.
 * When it last synced is told on the line beside the badge, so the badge says the state only.
 */
function describe(connection: ConnectionView, scheduledSyncsPaused: boolean): StatusText {
  if (connection.disconnectedAt) {
    return { tone: 'neutral', icon: <Unplug className={icon} aria-hidden />, text: 'Disconnected' };
  }
  if (connection.pendingRun) {
    return { tone: 'info', icon: <Spinner className={icon} />, text: 'Syncing…' };
  }
  switch (connection.status) {
    case 'needs_reauth':
      return {
        tone: 'danger',
        icon: <KeyRound className={icon} aria-hidden />,
        text: 'Credentials need updating',
        // Refused keys are told by the Update keys action next to the badge; keys we can no longer
        // read are our side's doing, which the user would not guess.
        reason: credentialsUnreadable(connection) ? CREDENTIALS_UNREADABLE_MESSAGE : undefined,
      };
    case 'rate_limited':
      return {
        tone: 'warning',
        icon: <Clock className={icon} aria-hidden />,
        text: connection.blockedUntil ? (
          <>
            Rate limited — retrying at <LocalTime date={connection.blockedUntil} />
          </>
        ) : (
          'Rate limited — retrying soon'
        ),
      };
    case 'error': {
      const reason = connection.lastError ?? connection.latestRun?.error ?? 'the exchange did not answer';
      return {
        tone: 'danger',
        icon: <AlertTriangle className={icon} aria-hidden />,
        text: 'Sync failed',
        reason: reason.charAt(0).toUpperCase() + reason.slice(1),
      };
    }
    case 'disabled':
      return { tone: 'neutral', icon: <Unplug className={icon} aria-hidden />, text: 'Disconnected' };
    case 'active':
      break;
  }
  if (scheduledSyncsPaused) {
    return { tone: 'warning', icon: <PauseCircle className={icon} aria-hidden />, text: SCHEDULED_SYNCS_PAUSED };
  }
  if (connection.lastSuccessAt) {
    return { tone: 'success', icon: <CheckCircle2 className={icon} aria-hidden />, text: 'Synced' };
  }
  return { tone: 'neutral', icon: <Circle className={icon} aria-hidden />, text: 'Never synced' };
}

/** Whether the badge of `connection` says "Scheduled syncs paused" (its next-sync line then need not). */
export function badgeSaysPaused(connection: ConnectionView, scheduledSyncsPaused: boolean): boolean {
  return describe(connection, scheduledSyncsPaused).text === SCHEDULED_SYNCS_PAUSED;
}

/** A connection's status as colour, icon and text together (never colour alone). */
export function ConnectionStatusBadge({ connection, className }: { connection: ConnectionView; className?: string }) {
  const status = describe(connection, useSyncStatus().jobs.scheduledSyncsPaused);
  return (
    <Badge tone={status.tone} data-testid="connection-status" className={cn('max-w-full', className)}>
      {status.icon}
      <span className="truncate">{status.text}</span>
    </Badge>
  );
}

/**
 * The reason of a failed sync, on its own line under the badge: it wraps instead of being cut short
 * (a tooltip is out of reach on a phone). Nothing when the status has no reason to tell.
 */
export function ConnectionStatusReason({ connection, className }: { connection: ConnectionView; className?: string }) {
  const { reason } = describe(connection, useSyncStatus().jobs.scheduledSyncsPaused);
  if (!reason) return null;
  return <p className={cn('text-sm text-danger-text [overflow-wrap:anywhere]', className)}>{reason}</p>;
}
