// The what-if form and its mapping to POST /readiness/what-if. Structured
// changes are used where the API's Change has JSON fields for them; a
// hypothetical document is sent in the consultant's phrasing ("document
// crisis_plan approved effective now") because the nested Go Document has
// none. The server answers a bad change with a field error naming either
// "texts[i]" or "changes" ("what-if change N (kind): …", N counting the
// structured changes first, then the texts); mapWhatIfErrors puts it back on
// the form row it came from.
import type { Change, WhatIfRequest } from '@/api/readiness'

/** One "set this measure's rate" row. */
export interface MeasureRow {
  measure: string
  /** The hypothetical rate in percent (0–100). */
  percent: number | null
}

/** The what-if form. */
export interface WhatIfForm {
  /** Certify this many more 管理师 (may be negative). */
  certifiedManagers: number | null
  /** Change the service-management headcount by this many. */
  managementHeadcount: number | null
  measures: MeasureRow[]
  /** Document types to treat as approved and in force now. */
  documents: string[]
  /** Deletable clauses to declare not applicable. */
  notApplicable: string[]
  justification: string
  /** Further changes, one per line, in the consultant's phrasing. */
  texts: string
}

export function emptyWhatIfForm(): WhatIfForm {
  return {
    certifiedManagers: null,
    managementHeadcount: null,
    measures: [],
    documents: [],
    notApplicable: [],
    justification: '',
    texts: '',
  }
}

/** The request plus, per change and per text, the form key it came from. */
export interface MappedWhatIf {
  request: WhatIfRequest
  changeSources: string[]
  textSources: string[]
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/**
 * toWhatIfRequest maps the form to the API request. Empty rows are left
 * out; percentages become rates 0–1 (the server refuses values outside).
 * Form keys: certifiedManagers, managementHeadcount, measures.<i>,
 * documents, notApplicable, texts.
 */
export function toWhatIfRequest(form: WhatIfForm, standard?: string): MappedWhatIf {
  const changes: Change[] = []
  const changeSources: string[] = []
  const texts: string[] = []
  const textSources: string[] = []

  if (isNumber(form.certifiedManagers) && form.certifiedManagers !== 0) {
    changes.push({ kind: 'certified_managers', amount: Math.trunc(form.certifiedManagers), relative: true })
    changeSources.push('certifiedManagers')
  }
  if (isNumber(form.managementHeadcount) && form.managementHeadcount !== 0) {
    changes.push({ kind: 'management_headcount', amount: Math.trunc(form.managementHeadcount), relative: true })
    changeSources.push('managementHeadcount')
  }
  form.measures.forEach((row, i) => {
    if (!row.measure || !isNumber(row.percent)) return
    changes.push({ kind: 'measure_value', measure: row.measure, value: Math.round(row.percent * 100) / 10000 })
    changeSources.push(`measures.${i}`)
  })
  for (const clause of form.notApplicable) {
    if (!clause) continue
    changes.push({ kind: 'not_applicable', clause, justification: form.justification.trim() || undefined })
    changeSources.push('notApplicable')
  }
  for (const type of form.documents) {
    if (!type || /\s/.test(type)) continue
    texts.push(`document ${type} approved effective now`)
    textSources.push('documents')
  }
  for (const line of form.texts.split(/\r?\n/)) {
    const t = line.trim()
    if (!t) continue
    texts.push(t)
    textSources.push('texts')
  }
  const request: WhatIfRequest = { changes, texts }
  if (standard) request.standard = standard
  return { request, changeSources, textSources }
}

/** isEmptyWhatIf reports whether the mapped request changes nothing. */
export function isEmptyWhatIf(m: MappedWhatIf): boolean {
  return m.request.changes.length === 0 && m.request.texts.length === 0
}

/**
 * mapWhatIfErrors turns the server's field errors into form-key messages.
 * Errors it cannot place land on "_" (shown above the form).
 */
export function mapWhatIfErrors(fields: Record<string, string>, mapped: MappedWhatIf): Record<string, string> {
  const out: Record<string, string> = {}
  const add = (key: string, msg: string) => {
    out[key] = out[key] ? `${out[key]}; ${msg}` : msg
  }
  const all = [...mapped.changeSources, ...mapped.textSources]
  for (const [field, msg] of Object.entries(fields)) {
    const t = /^texts\[(\d+)\]$/.exec(field)
    if (t) {
      add(mapped.textSources[Number(t[1])] ?? '_', msg)
      continue
    }
    if (field === 'changes') {
      const n = /what-if change (\d+)/.exec(msg)
      add(n ? (all[Number(n[1]) - 1] ?? '_') : '_', msg)
      continue
    }
    add('_', msg)
  }
  return out
}
