import type { UserJson } from '@switchboard/protocol';
import { ApiClient } from '../api/api-client.js';
import type { Session } from '../api/session.js';

/** Exchanges email and password for a token, then asks what the user may do. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<Session> {
  const anonymous = new ApiClient({ baseUrl, token: () => null });
  const login = await anonymous.post<{ access_token: string; user: UserJson }>('/v1/auth/login', { email, password });
  const me = await new ApiClient({ baseUrl, token: () => login.access_token }).get<{ user: UserJson; abilities: string[] }>('/v1/me');
  return { token: login.access_token, user: me.user, abilities: me.abilities };
}
