import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/i18n/locales/zh-CN'
import en from '@/i18n/locales/en'
import { labelText, passportTitle } from '@/i18n/labels'

function composer(locale: 'zh-CN' | 'en') {
  return createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, en } }).global
}

// The server sends a passport line's title as a code with params (issue 9
// item 12); the UI says it in the user's language.
describe('server labels', () => {
  const recall = { title_code: 'recall_campaign', title_params: { number: 'RC-2026-01', title: '电源板召回', campaign_status: 'active', recall_unit_status: 'notified' } }

  it('says a passport line in Chinese and English, codes among the params translated', () => {
    expect(passportTitle(composer('zh-CN'), recall)).toBe('召回活动 RC-2026-01《电源板召回》（进行中）：已通知车主/用户')
    expect(passportTitle(composer('en'), recall)).toBe('Recall RC-2026-01 “电源板召回” (active): owner notified')
  })

  it('leaves free text and numbers as they are', () => {
    const line = { title_code: 'work_order_result', title_params: { number: 'WO-1', work_order_kind: 'repair', work_order_status: 'completed', work_order_result: 'done' } }
    expect(passportTitle(composer('zh-CN'), line)).toBe('维修工单 WO-1（已完工）：已完成')
    expect(passportTitle(composer('zh-CN'), { title_code: 'transfer', title_params: { reason: 'completed' } })).toBe('过户：completed')
    expect(passportTitle(composer('en'), { title_code: 'survey_csat', title_params: { survey_channel: 'phone', csat: 2 } })).toBe(
      'Satisfaction survey (phone follow-up), overall 2',
    )
  })

  it('shows an unknown code as itself, and takes absent params', () => {
    expect(labelText(composer('en'), 'labels.passport', { code: 'no_such_line' })).toBe('no_such_line')
    expect(passportTitle(composer('en'), { title_code: 'installation', title_params: null })).toBe('Installed')
  })

  it('every value a template names exists in both languages', () => {
    for (const cat of [zhCN, en]) {
      for (const [code, template] of Object.entries(cat.labels.passport)) {
        for (const [, name] of template.matchAll(/\{(\w+)\}/g)) {
          expect(name, `${code}: {${name}}`).toMatch(/^\w+$/)
        }
      }
    }
    expect(Object.keys(en.labels.values).sort()).toEqual(Object.keys(zhCN.labels.values).sort())
  })
})
