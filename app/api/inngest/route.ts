import { serve } from 'inngest/next';
import { inngest } from '@/lib/jobs/client';
import { refuseUnsignedInProduction } from '@/lib/jobs/serve-guard';
import { functions } from '@/inngest/functions';

export const maxDuration = 60;

const handlers = serve({ client: inngest, functions });

export const GET = refuseUnsignedInProduction(handlers.GET);
export const POST = refuseUnsignedInProduction(handlers.POST);
export const PUT = refuseUnsignedInProduction(handlers.PUT);
