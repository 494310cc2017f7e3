import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { entityKey, errorCodeText, fieldErrorText, type Translate } from '@/i18n/apiErrors'
import { apiErrorMessages } from '@/i18n/apiErrorCatalogue'
import { fromResponse, describeError } from '@/api/errors'
import { errorText, fieldTexts } from '@/mobile/api'

// The API sends codes with params; these tests run the real catalogues
// through a real vue-i18n in each language.
function translator(locale: 'zh-CN' | 'en'): Translate {
  const i18n = createI18n({
    legacy: false,
    locale,
    messages: { 'zh-CN': { apiErrors: apiErrorMessages['zh-CN'] }, en: { apiErrors: apiErrorMessages.en } },
    missingWarn: false,
    fallbackWarn: false,
  })
  return { t: (k, named) => i18n.global.t(k, named ?? {}), te: (k) => i18n.global.te(k) }
}

const zh = translator('zh-CN')
const en = translator('en')

describe('fieldErrorText', () => {
  it('says too_long with its max in Chinese and in English', () => {
    const p = { code: 'too_long', params: { max: 4000 }, message: 'at most 4000 characters' }
    expect(fieldErrorText(zh, p)).toBe('最多 4000 个字符')
    expect(fieldErrorText(en, p)).toBe('at most 4000 characters')
  })

  it('joins one_of lists the way each language does', () => {
    const p = { code: 'one_of', params: { allowed: ['phone', 'sms', 'letter'] } }
    expect(fieldErrorText(zh, p)).toBe('须为以下之一：phone、sms、letter')
    expect(fieldErrorText(en, p)).toBe('must be one of: phone, sms, letter')
  })

  it('names entities and formats in the language', () => {
    expect(fieldErrorText(zh, { code: 'no_such', params: { entity: 'work_order' } })).toBe('派工单不存在')
    expect(fieldErrorText(en, { code: 'no_such', params: { entity: 'work_order' } })).toBe('no such work order')
    expect(fieldErrorText(zh, { code: 'invalid_format', params: { format: 'date' } })).toBe('格式有误，应为日期 YYYY-MM-DD')
    expect(fieldErrorText(zh, { code: 'out_of_range', params: { min: 1, max: 200 } })).toBe('须在 1 到 200 之间')
  })

  it('falls back to the English message, then the code, for a code it does not know', () => {
    expect(fieldErrorText(zh, { code: 'brand_new', message: 'something new' })).toBe('something new')
    expect(fieldErrorText(zh, { code: 'brand_new' })).toBe('brand_new')
  })
})

describe('errorCodeText', () => {
  it('translates top-level codes with their details', () => {
    expect(errorCodeText(zh, 'version_conflict', { entity: 'ticket' })).toBe('该记录已被他人修改，请刷新后重试')
    expect(errorCodeText(zh, 'not_found', { entity: 'ticket' })).toBe('工单不存在')
    expect(errorCodeText(en, 'not_found', { entity: 'work order' })).toBe('work order not found')
    expect(errorCodeText(zh, 'not_found')).toBe('记录不存在')
    expect(errorCodeText(zh, 'no_such_code')).toBeUndefined()
  })

  it('normalises entity names as the backend test does', () => {
    expect(entityKey('work order')).toBe('work_order')
    expect(entityKey('follow-up')).toBe('follow_up')
  })
})

describe('the API error shape, end to end', () => {
  const body = {
    error: {
      code: 'validation_failed',
      message: 'some fields are invalid',
      fields: { description: { code: 'too_long', params: { max: 4000 }, message: 'at most 4000 characters' } },
    },
  }

  it('the console shows a Chinese user Chinese, never the English message', () => {
    const e = fromResponse({ status: 422, data: body }, zh)
    expect(e.fields).toEqual({ description: '最多 4000 个字符' })
    expect(e.problems.description).toEqual(body.error.fields.description)
    expect(describeError(e, zh)).toBe('最多 4000 个字符')
    expect(describeError(fromResponse({ status: 422, data: body }, en), en)).toBe('at most 4000 characters')
  })

  it('the phone translates the same codes', () => {
    const fields = fieldTexts(body.error.fields, zh)
    expect(fields).toEqual({ description: '最多 4000 个字符' })
    expect(errorText('validation_failed', 'some fields are invalid', fields, undefined, zh)).toBe('最多 4000 个字符')
    expect(errorText('version_conflict', 'changed', {}, { entity: 'work order' }, en)).toBe('This record was changed by someone else; reload and retry')
  })
})

describe('the catalogues', () => {
  // A message that names {max} in one language and {min} in the other says
  // something different: every entry uses the same params in both.
  it('use the same params in zh-CN and English', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    const zhCat = apiErrorMessages['zh-CN'] as unknown as Record<string, Record<string, string>>
    const enCat = apiErrorMessages.en as unknown as Record<string, Record<string, string>>
    for (const section of Object.keys(zhCat)) {
      for (const [k, v] of Object.entries(zhCat[section] ?? {})) {
        expect(placeholders(v), `${section}.${k}`).toEqual(placeholders(enCat[section]?.[k] ?? ''))
      }
    }
  })
})
