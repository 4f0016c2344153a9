import { eventType } from 'inngest';
import { z } from 'zod';

/** Asks for every stored credential to be re-encrypted under the current key. Carries no data. */
export const credentialsRotationRequested = eventType('vault/credentials.rotation.requested', {
  schema: z.object({}).strict(),
});
