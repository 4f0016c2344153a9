import { checkHealth } from '@/lib/health/check';

export const dynamic = 'force-dynamic';

/** Liveness and readiness for load balancers and monitors: no session needed, nothing secret. */
export async function GET() {
  const health = await checkHealth();
  return Response.json(health, {
    status: health.status === 'ok' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  });
}
