import { Inngest } from 'inngest';

// Cloud mode by default (needs INNGEST_SIGNING_KEY / INNGEST_EVENT_KEY); INNGEST_DEV=1 for a local dev server.
export const inngest = new Inngest({ id: 'coinsphere' });
