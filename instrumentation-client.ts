import { z } from 'zod';

// Runs in the browser before the app's own modules. Zod compiles object parsers with `new Function`
// unless told not to, and even its probe for whether that is allowed is a CSP violation: the policy
// (proxy.ts) gives scripts no 'unsafe-eval'. In the browser zod only checks form fields, where a
// compiled parser gains nothing, so it interprets them instead.
z.config({ jitless: true });
