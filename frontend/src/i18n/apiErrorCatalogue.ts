// The API error catalogues themselves (both languages, ≈ 12 KB gzip). Kept
// apart from apiErrors.ts, whose functions every page uses, so that the
// console can load them after first paint (i18n/index.ts loadApiErrors)
// while the phone, whose budget has room, mounts them at start.
import errorsZhCN from './locales/errors.zh-CN.json'
import errorsEn from './locales/errors.en.json'

/** The error catalogues, to be mounted as `apiErrors` in each vue-i18n. */
export const apiErrorMessages = { 'zh-CN': errorsZhCN, en: errorsEn }

export type ApiErrorCatalogue = typeof errorsZhCN
