import { describe, expect, it } from 'vitest'
import zhCN from '@/i18n/locales/readiness.zh-CN'
import en from '@/i18n/locales/readiness.en'
import { i18n } from '@/i18n'
import { loadReadinessMessages } from '@/views/readiness/loader'

function flatKeys(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix]
  return Object.entries(o).flatMap(([k, v]) => flatKeys(v, prefix ? `${prefix}.${k}` : k))
}

describe('certification pages strings', () => {
  it('zh-CN and en have the same keys, none empty', () => {
    expect(flatKeys(en).sort()).toEqual(flatKeys(zhCN).sort())
    for (const k of flatKeys(zhCN)) {
      const get = (m: unknown) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], m)
      expect(String(get(zhCN)).trim(), k).not.toBe('')
      expect(String(get(en)).trim(), k).not.toBe('')
    }
  })

  it('are merged into the app\'s locales on demand, next to the shared strings', async () => {
    expect(i18n.global.te('readinessUi.title', 'zh-CN')).toBe(false)
    await loadReadinessMessages()
    await loadReadinessMessages()
    expect(i18n.global.t('readinessUi.title', {}, { locale: 'zh-CN' })).toBe('认证就绪')
    expect(i18n.global.t('evidenceUi.buckets.expiring', {}, { locale: 'en' })).toBe('Expiring soon')
    expect(i18n.global.t('common.cancel', {}, { locale: 'zh-CN' })).toBe('取消')
    expect(i18n.global.t('readinessUi.gauge.toNext', { band: '三星', points: '3.12' }, { locale: 'zh-CN' })).toBe('距 三星 还差 3.12 分')
  })
})
