// Records behind a lost point: the ledger names them "kind:id" (e.g.
// "complaint:123", "work_order:9", "region:440305"). A record becomes a link
// when the app has a page for it that the user may open; otherwise it is
// shown as text.

/** A parsed record reference. */
export interface RecordRef {
  raw: string
  kind: string
  id: string
}

/** parseRecordId splits "kind:id"; anything else is kind "" with the whole text as id. */
export function parseRecordId(raw: string): RecordRef {
  const s = String(raw ?? '').trim()
  const i = s.indexOf(':')
  if (i <= 0 || i === s.length - 1) return { raw: s, kind: '', id: s }
  return { raw: s, kind: s.slice(0, i), id: s.slice(i + 1) }
}

/**
 * RECORD_PAGES lists, per record kind, the in-app addresses that may show
 * it, first match wins. Only addresses the router resolves to a real page
 * are used, so pages added later light up without a change here.
 */
export const RECORD_PAGES: Readonly<Record<string, (id: string) => string[]>> = {
  ticket: (id) => [`/tickets/${id}`],
  complaint: (id) => [`/complaints/${id}`, `/quality/complaints/${id}`],
  work_order: (id) => [`/work-orders/${id}`, `/outlet/work-orders/${id}`],
  repair: (id) => [`/repairs/${id}`],
  return: (id) => [`/returns/${id}`],
  recall_unit: (id) => [`/recall-units/${id}`],
  requisition: (id) => [`/parts/requisitions/${id}`],
  corrective_action: (id) => [`/corrective-actions/${id}`, `/quality/corrective-actions/${id}`],
  survey_response: (id) => [`/surveys/responses/${id}`],
  survey_invitation: (id) => [`/surveys/invitations/${id}`],
  customer: (id) => [`/customers/${id}`],
  outlet: (id) => [`/admin/outlets/${id}`, `/outlets/${id}`],
  staff: (id) => [`/admin/staff/${id}`, `/staff/${id}`],
  document: (id) => [`/evidence?doc=${encodeURIComponent(id)}`],
}

/** What the router says about an address: the page's name and permission, or null when none. */
export type ResolvePage = (path: string) => { permission?: string } | null

/**
 * recordLink returns the first address of a record that resolves to a page
 * the user may open, or null.
 */
export function recordLink(ref: RecordRef, resolve: ResolvePage, hasPermission: (p: string) => boolean): string | null {
  const candidates = RECORD_PAGES[ref.kind]
  if (!candidates || !ref.id) return null
  for (const path of candidates(ref.id)) {
    const page = resolve(path)
    if (page && (!page.permission || hasPermission(page.permission))) return path
  }
  return null
}

/** groupRecords groups references by kind, keeping their order. */
export function groupRecords(ids: readonly string[] | null | undefined): { kind: string; refs: RecordRef[] }[] {
  const groups = new Map<string, RecordRef[]>()
  for (const raw of ids ?? []) {
    const ref = parseRecordId(raw)
    const list = groups.get(ref.kind) ?? []
    list.push(ref)
    groups.set(ref.kind, list)
  }
  return [...groups.entries()].map(([kind, refs]) => ({ kind, refs }))
}
