import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { i18n, LOCALE_STORAGE_KEY, storedLocale } from '@/i18n'
import { useLocaleStore } from '@/stores/locale'

describe('locale store', () => {
  beforeEach(() => {
    localStorage.clear()
    i18n.global.locale.value = 'zh-CN'
    setActivePinia(createPinia())
  })

  it('defaults to zh-CN', () => {
    expect(storedLocale()).toBe('zh-CN')
    expect(useLocaleStore().locale).toBe('zh-CN')
    expect(i18n.global.t('menu.users')).toBe('用户管理')
  })

  it('switches the i18n language and remembers the choice', () => {
    const s = useLocaleStore()
    s.setLocale('en')
    expect(s.locale).toBe('en')
    expect(i18n.global.locale.value).toBe('en')
    expect(i18n.global.t('menu.users')).toBe('Users')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en')
    expect(document.documentElement.lang).toBe('en')
    expect(storedLocale()).toBe('en')
  })

  it('ignores unsupported locales', () => {
    const s = useLocaleStore()
    s.setLocale('fr')
    expect(s.locale).toBe('zh-CN')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBeNull()
  })

  it('reads a stored choice and falls back on junk or broken storage', () => {
    expect(storedLocale({ getItem: () => 'en' })).toBe('en')
    expect(storedLocale({ getItem: () => 'de' })).toBe('zh-CN')
    expect(
      storedLocale({
        getItem: () => {
          throw new Error('denied')
        },
      }),
    ).toBe('zh-CN')
  })
})
