import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/i18n/locales/zh-CN'
import en from '@/i18n/locales/en'
import labelsZhCN from '@/i18n/locales/labels.zh-CN'
import labelsEn from '@/i18n/locales/labels.en'
import { labelText, passportTitle, reasonText, timelineText } from '@/i18n/labels'

function composer(locale: 'zh-CN' | 'en') {
  return createI18n({ legacy: false, locale, messages: { 'zh-CN': { ...zhCN, ...labelsZhCN }, en: { ...en, ...labelsEn } } }).global
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

  it('says a timeline line: statuses with from_/to_ prefixes, nested parts, reasons with a code, a note', () => {
    const zh = composer('zh-CN')
    const en = composer('en')
    const status = { body_code: 'status_change_reason', body_params: { from_ticket_status: 'new', to_ticket_status: 'resolved', reason: '已电话指导' } }
    expect(timelineText(zh, status)).toBe('状态：新建 → 已解决（已电话指导）')
    expect(timelineText(en, status)).toBe('Status: new → resolved (已电话指导)')
    const reoffer = {
      body_code: 'reoffered',
      body_params: {
        head: { code: 'rejected_by', params: { outlet: '南山网点', reason: 'no_technician: 周末' } },
        number: 'WO-7',
        outlet: '福田网点',
        how: { code: 'agent_pick', params: {} },
      },
    }
    expect(timelineText(zh, reoffer)).toBe('网点「南山网点」拒单（人手不足，暂无技师：周末）；工单 WO-7 改派给网点「福田网点」（坐席指定网点）')
    expect(timelineText(en, reoffer)).toBe('Outlet “南山网点” rejected (no technician free: 周末); work order WO-7 offered to outlet “福田网点” (picked by the agent)')
    const done = { body_code: 'work_order_completed', body_params: { number: 'WO-7', work_order_result: 'done', note: '更换电容' } }
    expect(timelineText(zh, done)).toBe('工单 WO-7 已完工：已完成（备注：更换电容）')
    expect(timelineText(en, { body_code: 'not_dispatched', body_params: { work_order_kind: 'repair', number: 'WO-8', no_outlet_reason: 'no_candidates' } })).toBe(
      'Repair work order WO-8 created; no outlet to offer it to: no candidate outlet (coverage, authorised categories, capacity, or all rejected)',
    )
  })

  it('says a stored reason that starts with a code, and leaves a typed one alone', () => {
    expect(reasonText(composer('zh-CN'), 'ticket_resolved')).toBe('工单已解决')
    expect(reasonText(composer('en'), 'ticket_closed: 客户撤回')).toBe('ticket closed: 客户撤回')
    expect(reasonText(composer('en'), '客户撤回')).toBe('客户撤回')
    expect(reasonText(composer('en'), 'nonsense_code: x')).toBe('nonsense_code: x')
  })

  it('every value a template names exists in both languages', () => {
    for (const cat of [labelsZhCN, labelsEn]) {
      for (const [code, template] of [...Object.entries(cat.labels.passport), ...Object.entries(cat.labels.timeline), ...Object.entries(cat.labels.parts)]) {
        for (const [, name] of template.matchAll(/\{(\w+)\}/g)) {
          expect(name, `${code}: {${name}}`).toMatch(/^\w+$/)
        }
      }
    }
    expect(Object.keys(labelsEn.labels.values).sort()).toEqual(Object.keys(labelsZhCN.labels.values).sort())
  })
})
