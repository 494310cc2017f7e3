// Types of the JSON the backend sends and accepts (API contract v1).
// Times are UTC RFC3339 strings; display them with utils/time.ts.

import type { Page as GeneratedPage, Permission as GeneratedPermission, Role as GeneratedRole, Schemas } from './schema'

/** Role names known to the backend (generated from auth.AllRoles). */
export type Role = GeneratedRole

export const ROLES: readonly Role[] = [
  'admin',
  'hotline_agent',
  'outlet_manager',
  'technician',
  'quality_manager',
  'auditor',
]

/** Permission names checked by the backend route table (generated from rbac.KnownPermissions). */
export type Permission = GeneratedPermission

/** GET /api/v1/me */
export type Me = Schemas['MeResponse']

/** POST /api/v1/auth/login response. */
export interface LoginResponse {
  token: string
  expires_at: string
  user: Me
}

/** A paged list as returned by offset-paged endpoints (httpapi.Page[T]). */
export type Page<T> = GeneratedPage<T>

/** A user row in the admin list. */
export interface User {
  id: number
  username: string
  display_name: string
  roles: Role[]
  outlet_id: number | null
  disabled: boolean
  expires_at: string | null
  last_login_at: string | null
  created_at: string
  /** Optimistic-locking version, when the backend sends it. */
  version?: number
}

/** POST /api/v1/users body. */
export interface CreateUserInput {
  username: string
  display_name: string
  password: string
  roles: Role[]
  outlet_id?: number
  expires_at?: string
}

/** The actor of an audit record: the backend may send a name or an object. */
export type AuditActor =
  | string
  | number
  | null
  | { id?: number; username?: string; display_name?: string }

/** One audit trail record. */
export interface AuditRecord {
  id: number
  at: string
  actor: AuditActor
  action: string
  entity: string
  entity_id: string | number | null
  before: unknown
  after: unknown
  request_id: string
  hash: string
  /** Extras the backend sends beyond the contract. */
  actor_id?: number
  ip?: string
  prev_hash?: string
}

/** GET /api/v1/audit response (keyset paged, newest first). */
export interface AuditPage {
  items: AuditRecord[]
  next_before_id: number | null
}

/** Filters accepted by GET /api/v1/audit. */
export interface AuditQuery {
  entity?: string
  entity_id?: string
  actor?: string
  action?: string
  before_id?: number
  size?: number
}
