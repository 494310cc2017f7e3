// labelText says a label the server sent as a code with params (issue 9
// item 12) in the current language: the template is <namespace>.<code>
// (labels.passport.<code> for a unit passport's lines and flags); each
// param named under labels.values is a code itself (a status, a kind) and
// is translated first, the others (numbers, serials, free text) go in as
// they are. An unknown code shows as itself, never as a blank line.

import type { Translate } from './apiErrors'

/** A label as the server sends it. */
export interface Label {
  code: string
  params?: Record<string, unknown> | null
}

/** labelText renders label under namespace (e.g. 'labels.passport'). */
export function labelText(i18n: Translate, namespace: string, label: Label): string {
  const key = `${namespace}.${label.code}`
  if (!i18n.te(key)) return label.code
  const named: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(label.params ?? {})) {
    const valueKey = `labels.values.${name}.${String(value)}`
    named[name] = typeof value === 'string' && i18n.te(valueKey) ? i18n.t(valueKey) : value
  }
  return i18n.t(key, named)
}

/** passportTitle renders a passport line's or flag's title. */
export function passportTitle(i18n: Translate, e: { title_code: string; title_params?: Record<string, unknown> | null }): string {
  return labelText(i18n, 'labels.passport', { code: e.title_code, params: e.title_params })
}
