import 'server-only';
import { take, tryAgainIn } from '@/lib/limits/limiter';
import { signUpsPerAddress } from '@/lib/limits/policies';

/**
 * Counts one sign-up attempt from `address` (lib/auth/client-ip.ts) and answers the sentence to show
 * when the address has made too many, or null. Counted before the password is hashed, so a flood of
 * sign-ups from one address costs neither argon2 time nor accounts past the limit.
 */
export async function signUpRefusal(address: string): Promise<string | null> {
  const taken = await take(signUpsPerAddress(), address);
  return taken.ok
    ? null
    : `Too many accounts were created from your network recently. ${tryAgainIn(taken.retryAfterMs)}`;
}
