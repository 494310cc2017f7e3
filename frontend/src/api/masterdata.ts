// Corrections of master data (issue 12 §2): a customer's phones and
// addresses, merging duplicates, PIPL erasure; a unit's purchase data, owner
// and deactivation. Types come from the generated API document (schema.d.ts).
import { http } from './http'
import type { Schemas, List } from './schema'

export type CustomerProfile = Schemas['CustomerProfileResponse']
export type UnitCard = Schemas['UnitCardResponse']
export type Passport = Schemas['PassportResponse']
export type UnitTransfer = Schemas['UnitTransferResponse']
export type MergeResult = Schemas['MergeCustomerResponse']
export type ErasureRecord = Schemas['ErasureRequestResponse']
export type UpdatePhoneRequest = Schemas['UpdatePhoneRequest']
export type RemovePhoneRequest = Schemas['RemovePhoneRequest']
export type UpdateAddressRequest = Schemas['UpdateAddressRequest']
export type RemoveAddressRequest = Schemas['RemoveAddressRequest']
export type MergeCustomerRequest = Schemas['MergeCustomerRequest']
export type EraseCustomerRequest = Schemas['EraseCustomerRequest']
export type CorrectPurchaseRequest = Schemas['CorrectPurchaseRequest']
export type TransferUnitRequest = Schemas['TransferUnitRequest']
export type DeactivateUnitRequest = Schemas['DeactivateUnitRequest']
export type ReactivateUnitRequest = Schemas['ReactivateUnitRequest']

/** GET /customers/{id}: the profile (merged_into_id / erased_at say what became of it). */
export async function getCustomerProfile(id: number): Promise<CustomerProfile> {
  return (await http.get<CustomerProfile>(`/customers/${id}`)).data
}

/** GET /customers?q=: customers whose name, phone (or its last 4 digits) or address contains q. */
export async function findCustomers(q: string, size = 10): Promise<CustomerProfile[]> {
  const res = await http.get<{ items: CustomerProfile[] }>('/customers', { params: { q, size } })
  return res.data.items
}

/** GET /units?customer_id=: a customer's units with warranty. */
export async function unitsOfCustomer(customerId: number): Promise<UnitCard[]> {
  return (await http.get<List<UnitCard>>('/units', { params: { customer_id: customerId } })).data.items
}

export async function updatePhone(customerId: number, phoneId: number, body: UpdatePhoneRequest): Promise<CustomerProfile> {
  return (await http.patch<CustomerProfile>(`/customers/${customerId}/phones/${phoneId}`, body)).data
}

export async function removePhone(customerId: number, phoneId: number, body: RemovePhoneRequest): Promise<CustomerProfile> {
  return (await http.delete<CustomerProfile>(`/customers/${customerId}/phones/${phoneId}`, { data: body })).data
}

export async function updateAddress(customerId: number, addressId: number, body: UpdateAddressRequest): Promise<CustomerProfile> {
  return (await http.patch<CustomerProfile>(`/customers/${customerId}/addresses/${addressId}`, body)).data
}

export async function removeAddress(customerId: number, addressId: number, body: RemoveAddressRequest): Promise<CustomerProfile> {
  return (await http.delete<CustomerProfile>(`/customers/${customerId}/addresses/${addressId}`, { data: body })).data
}

/** POST /customers/{id}/merge: the path's customer survives and takes over the duplicate. */
export async function mergeCustomer(survivorId: number, body: MergeCustomerRequest): Promise<MergeResult> {
  return (await http.post<MergeResult>(`/customers/${survivorId}/merge`, body)).data
}

/** POST /customers/{id}/erasure: a PIPL deletion request, carried out at once. */
export async function eraseCustomer(customerId: number, body: EraseCustomerRequest): Promise<ErasureRecord> {
  return (await http.post<ErasureRecord>(`/customers/${customerId}/erasure`, body)).data
}

/** GET /customers/{id}/erasure: the kept record of the deletion request. */
export async function getErasure(customerId: number): Promise<ErasureRecord> {
  return (await http.get<ErasureRecord>(`/customers/${customerId}/erasure`)).data
}

/** GET /units/{serial}: the unit passport. */
export async function getPassport(serial: string): Promise<Passport> {
  return (await http.get<Passport>(`/units/${encodeURIComponent(serial)}`)).data
}

export async function correctPurchase(serial: string, body: CorrectPurchaseRequest): Promise<UnitCard> {
  return (await http.patch<UnitCard>(`/units/${encodeURIComponent(serial)}/purchase`, body)).data
}

export async function transferUnit(serial: string, body: TransferUnitRequest): Promise<UnitCard> {
  return (await http.post<UnitCard>(`/units/${encodeURIComponent(serial)}/transfer`, body)).data
}

export async function deactivateUnit(serial: string, body: DeactivateUnitRequest): Promise<UnitCard> {
  return (await http.post<UnitCard>(`/units/${encodeURIComponent(serial)}/deactivate`, body)).data
}

export async function reactivateUnit(serial: string, body: ReactivateUnitRequest): Promise<UnitCard> {
  return (await http.post<UnitCard>(`/units/${encodeURIComponent(serial)}/reactivate`, body)).data
}
