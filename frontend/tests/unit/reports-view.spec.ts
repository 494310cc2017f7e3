import { afterEach, beforeEach, describe, expect, it, vi, beforeAll } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h } from 'vue'
import { i18n } from '@/i18n'
import { loadReadinessMessages } from '@/views/readiness/loader'

vi.mock('@/api/reports', async (orig) => ({
  ...(await orig<typeof import('@/api/reports')>()),
  volumeReport: vi.fn(),
  failureRateReport: vi.fn(),
  technicianReport: vi.fn(),
  exportReport: vi.fn(),
}))

import * as api from '@/api/reports'
import { fileNameOf } from '@/api/reports'
import FailureRateReport from '@/views/reports/FailureRateReport.vue'
import { failureOption, volumeOption } from '@/views/reports/charts'

// ECharts needs a canvas: the stub shows the option it was given.
const ChartStub = defineComponent({
  props: { option: { type: Object, default: null } },
  setup: (p) => () => h('div', { 'data-testid': 'chart', 'data-option': JSON.stringify(p.option) }),
})

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}

const t = (k: string, named?: Record<string, unknown>) => (i18n.global.t as (k: string, n?: Record<string, unknown>) => string)(k, named ?? {})

const report: api.FailureRateReport = {
  from: '2026-10-31T16:00:00Z',
  to: '2026-11-30T16:00:00Z',
  outlet_id: null,
  threshold: 0.05,
  rows: [
    { lot: 'L2026-07', model: '挂机A', installed: 300, repairs: 24, units_repaired: 20, rate: 0.08, warning: true },
    { lot: 'L2026-08', model: '挂机A', installed: 500, repairs: 5, units_repaired: 5, rate: 0.01, warning: false },
  ],
}


// The report strings load with the report pages (views/readiness/loader.ts).
beforeAll(() => loadReadinessMessages())

describe('report charts', () => {
  beforeEach(() => {
    i18n.global.locale.value = 'zh-CN'
  })

  it('draws lots at or above the threshold in red with the threshold line in percent', () => {
    const o = failureOption(report.rows, 0.05, t)
    expect(o.xAxis.data).toEqual(['L2026-07', 'L2026-08'])
    expect(o.series[0]!.data.map((d) => d.value)).toEqual([8, 1])
    expect(o.series[0]!.data.map((d) => d.itemStyle.color)).toEqual(['#d03050', '#2080f0'])
    expect(o.series[0]!.markLine.data).toEqual([{ yAxis: 5 }])
    expect(o.series[0]!.markLine.label.formatter).toBe('预警 5%')
  })

  it('names the group without a value and keeps volume and backlog apart', () => {
    const o = volumeOption(
      [
        { key: 'KFR-A', label: '挂机A', volume: 3, backlog: 2 },
        { key: '', label: '', volume: 1, backlog: 1 },
      ],
      t,
    )
    expect(o.xAxis.data).toEqual(['挂机A', '（未填写）'])
    expect(o.series.map((s) => s.name)).toEqual(['新建工单量', '期末积压'])
    expect(o.series.map((s) => s.data)).toEqual([
      [3, 1],
      [2, 1],
    ])
  })

  it('reads the UTF-8 file name of the export', () => {
    expect(fileNameOf(`attachment; filename="report.xlsx"; filename*=UTF-8''%E6%89%B9%E6%AC%A1.xlsx`, 'x.xlsx')).toBe('批次.xlsx')
    expect(fileNameOf('attachment; filename="a.xlsx"', 'x.xlsx')).toBe('a.xlsx')
    expect(fileNameOf('', 'x.xlsx')).toBe('x.xlsx')
  })
})

describe('FailureRateReport', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(api.failureRateReport).mockReset().mockResolvedValue(report)
    vi.mocked(api.exportReport).mockReset()
    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('lists the lots with their rate, flags the warnings and exports with a progress bar', async () => {
    const query = { from: '2026-11-01', to: '2026-11-30', outlet_id: 7 }
    const w = mount(FailureRateReport, {
      props: { query },
      global: { plugins: [i18n], stubs: { EChart: ChartStub, transition: false } },
      attachTo: document.body,
    })
    await settle()
    expect(api.failureRateReport).toHaveBeenCalledWith(query, undefined)
    const table = w.get('[data-testid="report-failure-table"]').text()
    expect(table).toContain('L2026-07')
    expect(table).toContain('8.00%')
    expect(table).toContain('1.00%')
    expect(table).toContain('预警')
    expect(w.get('[data-testid="report-failure-warnings"]').text()).toContain('1 个批次的故障率达到预警阈值 5.00%')
    expect(JSON.parse(w.get('[data-testid="chart"]').attributes('data-option')!).xAxis.data).toEqual(['L2026-07', 'L2026-08'])

    // The export: the bar follows the download, then the file is offered.
    let progress: (f: number | null) => void = () => {}
    let finish: (f: api.ReportFile) => void = () => {}
    vi.mocked(api.exportReport).mockImplementation((_k, _p, onProgress) => {
      progress = onProgress
      return new Promise((resolve) => (finish = resolve))
    })
    await w.get('[data-testid="report-export-button"]').trigger('click')
    await settle()
    expect(api.exportReport).toHaveBeenCalledWith('failure-rate', { ...query, threshold: undefined }, expect.any(Function), expect.any(AbortSignal))
    expect(w.find('[data-testid="report-export-progress"]').text()).toContain('正在生成')
    progress(0.4)
    await settle()
    expect(w.get('[data-testid="report-export-progress"]').text()).toContain('40%')
    finish({ blob: new Blob(['x']), fileName: '批次故障率-20261101-20261130.xlsx', rows: 2 })
    await settle()
    expect(w.find('[data-testid="report-export-progress"]').exists()).toBe(false)
    expect(w.get('[data-testid="report-export-done"]').text()).toBe('已导出 批次故障率-20261101-20261130.xlsx（2 行）')
    w.unmount()
  })

  it('asks again with the threshold the manager sets', async () => {
    const w = mount(FailureRateReport, {
      props: { query: { from: '2026-11-01', to: '2026-11-30' } },
      global: { plugins: [i18n], stubs: { EChart: ChartStub, transition: false } },
      attachTo: document.body,
    })
    await settle()
    const input = w.get('[data-testid="report-failure-threshold"] input')
    await input.setValue('10')
    await input.trigger('change')
    await settle()
    expect(api.failureRateReport).toHaveBeenLastCalledWith({ from: '2026-11-01', to: '2026-11-30' }, 0.1)
    w.unmount()
  })
})
