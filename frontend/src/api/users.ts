// User administration (permission user:manage).
import { http } from './http'
import type { CreateUserInput, Page, Role, User } from './types'

export interface UserQuery {
  page: number
  size: number
  q?: string
}

export async function listUsers(query: UserQuery): Promise<Page<User>> {
  const params: Record<string, string | number> = { page: query.page, size: query.size }
  if (query.q) params.q = query.q
  const res = await http.get<Page<User>>('/users', { params })
  return res.data
}

export async function createUser(input: CreateUserInput): Promise<User> {
  const res = await http.post<User>('/users', input)
  return res.data
}

export async function setUserRoles(id: number, roles: Role[]): Promise<void> {
  await http.put(`/users/${id}/roles`, { roles })
}

export async function disableUser(id: number): Promise<void> {
  await http.post(`/users/${id}/disable`)
}

export async function enableUser(id: number): Promise<void> {
  await http.post(`/users/${id}/enable`)
}

export async function resetUserPassword(id: number, password: string): Promise<void> {
  await http.post(`/users/${id}/password`, { password })
}
