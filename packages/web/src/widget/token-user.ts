/**
 * The user id inside a JWT (`sub`, or the seed systems' `userId`), read without verifying: it
 * only names the widget's outbox, and the server checks the token itself.
 */
export function tokenUserId(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown; userId?: unknown };
    const id = json.sub ?? json.userId;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}
