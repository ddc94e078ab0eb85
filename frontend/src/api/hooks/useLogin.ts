import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../client';
import type { LoginRequest, Me } from '../types';
import { resetSession } from '../session';

export function login(credentials: LoginRequest): Promise<Me> {
  // Wrong credentials are a 400 {code: "invalid_credentials"}; never treat a failure here as "session ended".
  return apiPost<Me>('/api/auth/login', credentials, { skipUnauthorizedHandler: true });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['auth', 'login'],
    mutationFn: login,
    onSuccess: (user) => {
      // Another user may have used this tab before: start from an empty cache.
      resetSession(queryClient, user);
    },
  });
}
