'use client';

// Sonner handles stacking, timing, swipe-to-dismiss and screen-reader announcements for us.
import { Toaster as Sonner } from 'sonner';

export { toast } from 'sonner';

export function Toaster() {
  return <Sonner theme="system" richColors closeButton position="top-right" />;
}
