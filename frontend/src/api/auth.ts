// Session endpoints: login, logout, who am I, change own password.
import { http } from './http'
import type { LoginResponse, Me } from './types'

export async function login(username: string, password: string): Promise<LoginResponse> {
  const res = await http.post<LoginResponse>(
    '/auth/login',
    { username, password },
    { skipAuthRedirect: true },
  )
  return res.data
}

export async function logout(): Promise<void> {
  await http.post('/auth/logout', null, { skipAuthRedirect: true })
}

/** fetchMe returns the signed-in user; it rejects with ApiError 401 when there is none. */
export async function fetchMe(): Promise<Me> {
  const res = await http.get<Me>('/me', { skipAuthRedirect: true })
  return res.data
}

export async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  await http.post('/auth/password', { old_password: oldPassword, new_password: newPassword })
}
