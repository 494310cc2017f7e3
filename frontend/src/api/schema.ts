// The API's types, generated from the OpenAPI document that the Go route
// table produces (schema.d.ts; regenerate with `npm run api:types`). API
// modules alias these instead of copying the backend's shapes by hand.
import type { components } from './schema.d'

/** Every named schema of the API document, keyed by its Go type's name. */
export type Schemas = components['schemas']

/** A permission name the backend knows (rbac.KnownPermissions). */
export type Permission = Schemas['Permission']

/** A role name the backend knows (auth.AllRoles). */
export type Role = Schemas['Role']

/** One page of an offset-paged list (httpapi.Page[T]: ?page=&size=). */
export interface Page<T> {
  items: T[]
  total: number
  page: number
  size: number
}

/** One page of a list paged by id, newest first (httpapi.Keyset[T]). */
export interface Keyset<T> {
  items: T[]
  next_before_id: number | null
}

/** A complete, unpaged list (httpapi.List[T]). */
export interface List<T> {
  items: T[]
}
