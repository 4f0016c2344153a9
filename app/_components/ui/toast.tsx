'use client';

// Sonner handles stacking, timing, swipe-to-dismiss and screen-reader announcements for us.
import { Toaster as Sonner } from 'sonner';

export { toast } from 'sonner';

// Bottom right, away from the header's account menu and navigation (top right hid the menu while a toast
// showed); below 600 px sonner spans the width at the same bottom edge, over nothing the header holds.
export function Toaster() {
  return <Sonner theme="system" richColors closeButton position="bottom-right" />;
}
