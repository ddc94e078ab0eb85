import { useMutation } from '@tanstack/react-query';
import { apiPost, isApiError } from '../client';

/** POST /api/auth/logout (204). A 401 means the session had already ended: that is a success too. */
export async function logout(): Promise<void> {
  try {
    await apiPost<null>('/api/auth/logout', undefined, { skipUnauthorizedHandler: true });
  } catch (error) {
    if (isApiError(error) && error.status === 401) return;
    throw error;
  }
}

/**
 * The caller decides what happens after (the shell navigates to /login, then clears the cache),
 * so that the redirect does not remember the page the user logged out from.
 */
export function useLogout() {
  return useMutation({ mutationKey: ['auth', 'logout'], mutationFn: logout });
}
