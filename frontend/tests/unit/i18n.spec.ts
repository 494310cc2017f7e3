import { describe, expect, it } from 'vitest'
import zhCN from '@/i18n/locales/zh-CN'
import en from '@/i18n/locales/en'
import { ROLES } from '@/api/types'

function flatKeys(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix]
  return Object.entries(o).flatMap(([k, v]) => flatKeys(v, prefix ? `${prefix}.${k}` : k))
}

describe('locale files', () => {
  it('zh-CN and en have the same keys', () => {
    expect(flatKeys(en).sort()).toEqual(flatKeys(zhCN).sort())
  })

  it('translate every role and every API error code', () => {
    for (const r of ROLES) {
      expect(zhCN.roles[r]).toBeTruthy()
      expect(en.roles[r]).toBeTruthy()
    }
    for (const c of ['validation_failed', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'rate_limited', 'invalid_transition']) {
      expect((zhCN.errors as Record<string, string>)[c]).toBeTruthy()
      expect((en.errors as Record<string, string>)[c]).toBeTruthy()
    }
  })

  it('the Chinese menu says what the brief says', () => {
    expect(zhCN.menu).toMatchObject({
      agent: '坐席工作台',
      tickets: '工单',
      outlet: '网点看板',
      readiness: '认证就绪',
      evidence: '证据库',
      certification: '认证周期',
      kpi: '指标',
      users: '用户管理',
      audit: '审计日志',
    })
    expect(zhCN.common.notConnected).toBe('尚未接入')
  })
})
