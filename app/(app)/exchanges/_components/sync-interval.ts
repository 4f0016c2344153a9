/** "1 min", "15 min", "1 hour", "6 hours", "24 hours": a sync interval as people say it. */
export function formatInterval(seconds: number): string {
  if (seconds < 3_600) {
    const minutes = Math.max(1, Math.round(seconds / 60));
    return `${minutes} min`;
  }
  const hours = Math.round((seconds / 3_600) * 10) / 10;
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}
