// The API error catalogues themselves (both languages, ≈ 12 KB gzip), and
// the server labels' words (≈ 5 KB gzip). Kept
// apart from apiErrors.ts, whose functions every page uses, so that the
// console can load them after first paint (i18n/index.ts loadApiErrors)
// while the phone, whose budget has room, mounts them at start.
import errorsZhCN from './locales/errors.zh-CN.json'
import errorsEn from './locales/errors.en.json'
import labelsZhCN from './locales/labels.zh-CN'
import labelsEn from './locales/labels.en'

/** The error catalogues, to be mounted as `apiErrors` in each vue-i18n. */
export const apiErrorMessages = { 'zh-CN': errorsZhCN, en: errorsEn }

export type ApiErrorCatalogue = typeof errorsZhCN

/** The labels the server sends as codes with params (labels.*.ts, i18n/labels.ts),
 * merged at the root of each vue-i18n (they bring their own `labels` key). They
 * travel with the error catalogues: off the console's first paint. */
export const labelMessages = { 'zh-CN': labelsZhCN, en: labelsEn }
