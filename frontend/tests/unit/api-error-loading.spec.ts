import { describe, expect, it, vi } from 'vitest'

describe('loadApiErrors', () => {
  it('tries the catalogue chunk again after a failed load, then merges it', async () => {
    vi.resetModules()
    let fail = true
    vi.doMock('@/i18n/apiErrorCatalogue', async (orig) => {
      if (fail) throw new Error('chunk failed to load')
      return orig()
    })
    const { i18n, loadApiErrors } = await import('@/i18n')
    await expect(loadApiErrors()).rejects.toThrow()
    expect(i18n.global.te('apiErrors.codes.version_conflict', 'zh-CN')).toBe(false)
    fail = false
    vi.resetModules()
    await loadApiErrors()
    expect(i18n.global.te('apiErrors.codes.version_conflict', 'zh-CN')).toBe(true)
    vi.doUnmock('@/i18n/apiErrorCatalogue')
  })
})
