import { serve } from 'inngest/next';
import { inngest } from '@/lib/jobs/client';
import { functions } from '@/inngest/functions';

export const maxDuration = 60;

export const { GET, POST, PUT } = serve({ client: inngest, functions });
