// Product categories and models with their 三包 warranty policy (read:
// product:read; write: product:manage). Shapes follow
// backend/internal/httpapi/handlers_product.go exactly.
import { http } from './http'
import type { Page } from './types'

/** A 三包 policy: return / exchange windows in days, repair warranty in months, replacement after N repairs. */
export interface WarrantyPolicy {
  return_days: number
  exchange_days: number
  repair_warranty_months: number
  replace_after_repairs: number
}

export type PolicyKey = keyof WarrantyPolicy
export const POLICY_KEYS: readonly PolicyKey[] = ['return_days', 'exchange_days', 'repair_warranty_months', 'replace_after_repairs']

export interface ProductCategory {
  id: number
  code: string
  name: string
  policy: WarrantyPolicy
  version: number
  created_at: string
  updated_at: string
}

/** A model's own policy values; null inherits the category's. */
export type PolicyOverrides = { [K in PolicyKey]: number | null }

export interface ProductModel {
  id: number
  code: string
  name: string
  category_id: number
  overrides: PolicyOverrides
  /** The effective policy (overrides over the category's). */
  policy: WarrantyPolicy
  version: number
  created_at: string
  updated_at: string
}

/** POST /product-categories: policy fields left out take the 三包 defaults. */
export interface CreateCategoryInput extends Partial<WarrantyPolicy> {
  code: string
  name: string
}

/** PATCH /product-categories/{id}: absent fields stay; version required. */
export interface UpdateCategoryInput extends Partial<WarrantyPolicy> {
  name?: string
  version: number
}

/** POST /product-models: policy fields left out (or null) inherit the category's. */
export interface CreateModelInput extends Partial<PolicyOverrides> {
  code: string
  name: string
  category_id: number
}

/** PATCH /product-models/{id}: a policy field set to null clears the override; version required. */
export interface UpdateModelInput extends Partial<PolicyOverrides> {
  name?: string
  category_id?: number
  version: number
}

export async function listCategories(): Promise<ProductCategory[]> {
  const res = await http.get<{ items: ProductCategory[] | null }>('/product-categories')
  return res.data.items ?? []
}

export async function createCategory(input: CreateCategoryInput): Promise<ProductCategory> {
  const res = await http.post<ProductCategory>('/product-categories', input)
  return res.data
}

export async function updateCategory(id: number, input: UpdateCategoryInput): Promise<ProductCategory> {
  const res = await http.patch<ProductCategory>(`/product-categories/${id}`, input)
  return res.data
}

/** q is a model code prefix. */
export async function listModels(query: { page: number; size: number; category_id?: number; q?: string }): Promise<Page<ProductModel>> {
  const params: Record<string, string | number> = { page: query.page, size: query.size }
  if (query.category_id) params.category_id = query.category_id
  if (query.q) params.q = query.q
  const res = await http.get<Page<ProductModel>>('/product-models', { params })
  return { ...res.data, items: res.data.items ?? [] }
}

export async function createModel(input: CreateModelInput): Promise<ProductModel> {
  const res = await http.post<ProductModel>('/product-models', input)
  return res.data
}

export async function updateModel(id: number, input: UpdateModelInput): Promise<ProductModel> {
  const res = await http.patch<ProductModel>(`/product-models/${id}`, input)
  return res.data
}
