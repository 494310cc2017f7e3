import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { i18n, loadApiErrors } from '@/i18n'
import type { PrintDocument } from '@/api/print'

vi.mock('@/api/print', async (orig) => ({ ...(await orig<typeof import('@/api/print')>()), getPrintDocument: vi.fn() }))
vi.mock('qrcode', () => ({ default: { toDataURL: vi.fn().mockResolvedValue('data:image/png;base64,') } }))
const route = { params: { id: '7' }, meta: { printKind: 'return' } }
vi.mock('vue-router', () => ({ useRoute: () => route }))

import * as api from '@/api/print'
import PrintView from '@/views/print/PrintView.vue'

const base: PrintDocument = {
  kind: 'return_voucher',
  number: 'RT20261207-0001',
  ticket_number: 'T20261207-0001',
  customer_name: '王**',
  product: { model_code: 'KFR-35', model_name: '挂式空调', serial: 'AC2026000001', purchase_date: '2026-11-20' },
  outlet: { name: '深圳南山服务网点', phone: '0755-86001234', address: '' },
  technician: '',
  status_path: '/s/status?number=T20261207-0001',
  issued_at: '2026-12-07T08:00:00Z',
  created_at: '2026-12-07T07:00:00Z',
  return_kind: 'exchange',
  status: 'accepted',
  decision: 'accepted',
  labour_fen: 0,
  parts_fen: 0,
  charge_fen: 0,
  refund_fen: 0,
}

async function render(locale: 'zh-CN' | 'en', kind: string, doc: PrintDocument) {
  i18n.global.locale.value = locale
  route.meta.printKind = kind
  vi.mocked(api.getPrintDocument).mockResolvedValue(doc)
  const w = mount(PrintView, { global: { plugins: [i18n], stubs: { 'el-button': true, 'el-alert': true } } })
  await vi.waitFor(() => w.get('[data-testid="print-ready"]'), { timeout: 15000, interval: 20 })
  await flushPromises()
  return w
}

const cell = (w: Awaited<ReturnType<typeof render>>, id: string) => w.get(`[data-testid="${id}"]`).text()

// The printouts speak the reader's language: titles and field names, and
// the codes the server sends (kinds, statuses, hazard levels, remedies).
describe('PrintView', () => {
  // The codes' words (labels.*) come with the API error catalogues' chunk.
  beforeAll(() => loadApiErrors(), 30000)
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => {
    i18n.global.locale.value = 'zh-CN'
  })

  it('prints a 三包 voucher in English and in Chinese', async () => {
    let w = await render('en', 'return', base)
    expect(cell(w, 'print-title')).toBe('Return / exchange voucher (三包)')
    expect(cell(w, 'print-return-kind')).toBe('Exchange')
    expect(cell(w, 'print-status')).toBe('accepted')
    w.unmount()
    w = await render('zh-CN', 'return', base)
    expect(cell(w, 'print-return-kind')).toBe('换货')
    expect(cell(w, 'print-status')).toBe('已同意')
    expect(w.text()).toContain('同意')
    w.unmount()
  })

  it('prints a work order and a recall notice with their codes as words', async () => {
    const wo: PrintDocument = { ...base, kind: 'work_order', work_kind: 'installation', status: 'assigned' }
    let w = await render('en', 'work-order', wo)
    expect(cell(w, 'print-work-kind')).toBe('Installation')
    w.unmount()
    w = await render('zh-CN', 'work-order', wo)
    expect(cell(w, 'print-work-kind')).toBe(String(i18n.global.t('labels.values.work_order_kind.installation')))
    expect(cell(w, 'print-work-kind')).not.toBe('installation')
    w.unmount()

    const notice: PrintDocument = { ...base, kind: 'recall_notice', hazard_level: 'high', remedy: 'replace', remedy_description: 'free swap' }
    w = await render('en', 'recall-notice', notice)
    expect(cell(w, 'print-hazard')).toBe('High (level 1)')
    expect(cell(w, 'print-remedy')).toBe('Replacement: free swap')
    w.unmount()
    w = await render('zh-CN', 'recall-notice', notice)
    expect(cell(w, 'print-hazard')).toBe('高（一级）')
    expect(cell(w, 'print-remedy')).toBe('更换：free swap')
    w.unmount()

    const unknown: PrintDocument = { ...notice, hazard_level: 'extreme' }
    w = await render('en', 'recall-notice', unknown)
    expect(cell(w, 'print-hazard')).toBe('extreme')
    w.unmount()
  })
})

describe('download links', () => {
  it('carry the UI language, after any query', async () => {
    const { withLang, fileNameOf } = await import('@/api/download')
    expect(withLang('/api/v1/outlets/import/template', 'en')).toBe('/api/v1/outlets/import/template?lang=en')
    expect(withLang('/api/v1/outlets/export?kind=own', 'zh-CN')).toBe('/api/v1/outlets/export?kind=own&lang=zh-CN')
    expect(withLang('/x', '')).toBe('/x')
    expect(fileNameOf(`attachment; filename="tickets-1.xlsx"; filename*=UTF-8''${encodeURIComponent('工单-1.xlsx')}`, 't.xlsx')).toBe('工单-1.xlsx')
    expect(fileNameOf('attachment; filename="tickets-1.xlsx"', 't.xlsx')).toBe('tickets-1.xlsx')
  })
})
