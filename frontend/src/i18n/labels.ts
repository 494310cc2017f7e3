// The one place where labels the server sends as codes become words (issue 9
// item 12). The server writes no sentence: a passport line's title is
// labels.passport.<title_code> said with its title_params, a timeline line
// labels.timeline.<body_code> with its body_params. Params are put in as
// follows:
//   - a param whose name has a list under labels.values (ticket_status,
//     work_order_kind …; with a from_/to_ prefix too) is a code itself and is
//     translated first;
//   - a param that is an object {code, params} is a label itself
//     (labels.parts.<code>), said the same way;
//   - a reason that starts with a code the UI knows ("ticket_resolved",
//     "no_parts: 压缩机缺货", see labels.reasons) is said with it;
//   - anything else (numbers, serials, names, text a person typed) goes in
//     as it is.
// An unknown code shows as itself, never as a blank line.
import type { Translate } from './apiErrors'

/** A label as the server sends it. */
export interface Label {
  code: string
  params?: Record<string, unknown> | null
}

// sharedValues are the value lists the console already names elsewhere:
// said from there instead of a second copy under labels.values.
const sharedValues: Record<string, string> = { ticket_type: 'ticketDesk.types' }

function valueKey(i18n: Translate, name: string, value: string): string | undefined {
  const m = /^(?:from|to)_(.+)$/.exec(name)
  for (const n of m ? [name, m[1]] : [name]) {
    const key = `${sharedValues[n] ?? `labels.values.${n}`}.${value}`
    if (i18n.te(key)) return key
  }
  return undefined
}

function isLabel(v: unknown): v is Label {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string'
}

/** reasonText says a stored reason: a leading code the UI knows is translated, the rest kept. */
export function reasonText(i18n: Translate, reason: string): string {
  const m = /^([a-z_]+)(?::\s*([\s\S]*))?$/.exec(reason)
  if (!m || !m[1] || !i18n.te(`labels.reasons.${m[1]}`)) return reason
  const said = i18n.t(`labels.reasons.${m[1]}`)
  return m[2] ? i18n.t('labels.reasonWithText', { reason: said, text: m[2] }) : said
}

/** labelText renders label under namespace (e.g. 'labels.passport'). */
export function labelText(i18n: Translate, namespace: string, label: Label): string {
  const key = `${namespace}.${label.code}`
  if (!i18n.te(key)) return label.code
  const named: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(label.params ?? {})) {
    if (isLabel(value)) named[name] = labelText(i18n, 'labels.parts', value)
    else if (typeof value === 'string' && (name === 'reason' || name.endsWith('_reason')) && !valueKey(i18n, name, value)) named[name] = reasonText(i18n, value)
    else if (typeof value === 'string') {
      const k = valueKey(i18n, name, value)
      named[name] = k ? i18n.t(k) : value
    } else named[name] = value
  }
  return i18n.t(key, named)
}

/** passportTitle renders a passport line's or flag's title. */
export function passportTitle(i18n: Translate, e: { title_code: string; title_params?: Record<string, unknown> | null }): string {
  return labelText(i18n, 'labels.passport', { code: e.title_code, params: e.title_params })
}

/** timelineText renders a timeline line the server wrote (body_code), with the note a person added to it. */
export function timelineText(i18n: Translate, e: { body_code: string; body_params?: Record<string, unknown> | null }): string {
  const text = labelText(i18n, 'labels.timeline', { code: e.body_code, params: e.body_params })
  const note = e.body_params?.note
  return typeof note === 'string' && note ? i18n.t('labels.withNote', { text, note }) : text
}
