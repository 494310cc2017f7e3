import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '@/api/errors'
import { i18n } from '@/i18n'
import ImportDialog from '@/components/ImportDialog.vue'

const settle = async () => {
  for (let i = 0; i < 4; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}

function choose(name: string, body = 'PK') {
  const input = document.querySelector('[data-testid="import-dialog"] input[type="file"]') as HTMLInputElement
  const file = new File([body], name, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  input.dispatchEvent(new Event('change'))
}

function mountDialog(upload: (f: Blob, n: string, p: (n: number) => void) => Promise<unknown>) {
  return mount(ImportDialog, {
    props: {
      modelValue: true,
      title: '导入网点',
      templateUrl: '/api/v1/outlets/import/template',
      upload: upload as never,
      labels: { category_ids: '授权品类' },
    },
    global: { plugins: [i18n], stubs: { transition: false } },
    attachTo: document.body,
  })
}

describe('ImportDialog', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('uploads with progress and lists each bad row with its column and problem', async () => {
    let progress: ((n: number) => void) | undefined
    let finish: ((v: unknown) => void) | undefined
    const upload = vi.fn((_f: Blob, _n: string, p: (n: number) => void) => {
      progress = p
      return new Promise((r) => (finish = r))
    })
    const w = mountDialog(upload)
    await settle()
    expect(document.querySelector('[data-testid="import-template"]')?.getAttribute('href')).toBe('/api/v1/outlets/import/template')
    choose('outlets.xlsx')
    await settle()
    ;(document.querySelector('[data-testid="import-start"]') as HTMLElement).click()
    await settle()
    expect(upload).toHaveBeenCalledTimes(1)
    expect(upload.mock.calls[0]![1]).toBe('outlets.xlsx')
    expect(document.querySelector('[data-testid="import-progress"]')?.getAttribute('data-phase')).toBe('uploading')
    progress!(100)
    await settle()
    expect(document.querySelector('[data-testid="import-progress"]')?.getAttribute('data-phase')).toBe('processing')
    finish!({
      total: 3,
      imported: 1,
      failed: 2,
      errors: [
        { row: 4, field: 'category_ids', message: 'unknown category "ZZ"' },
        { row: 3, field: 'region_code', column: '所在地区编码', message: 'unknown region code "999999"' },
        { row: 3, field: 'phone', column: '联系电话', message: 'required' },
      ],
    })
    await settle()
    const summary = document.querySelector('[data-testid="import-summary"]')!
    expect(summary.getAttribute('data-outcome')).toBe('partial')
    expect(summary.textContent).toContain('共 3 行：成功 1 行，失败 2 行')
    const rows = [...document.querySelectorAll('[data-testid="import-errors"] tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
    )
    expect(rows).toEqual([
      ['3', '所在地区编码', 'unknown region code "999999"'],
      ['', '联系电话', 'required'],
      ['4', '授权品类', 'unknown category "ZZ"'],
    ])
    expect(w.emitted('imported')).toHaveLength(1)
    w.unmount()
  })

  it('refuses a file that is not .xlsx before uploading', async () => {
    const upload = vi.fn()
    const w = mountDialog(upload)
    await settle()
    choose('outlets.csv')
    await settle()
    expect(document.querySelector('[data-testid="import-file-error"]')?.textContent).toContain('.xlsx')
    expect((document.querySelector('[data-testid="import-start"]') as HTMLButtonElement).disabled).toBe(true)
    expect(upload).not.toHaveBeenCalled()
    w.unmount()
  })

  it('shows a whole-file problem from the server next to the upload', async () => {
    const upload = vi.fn().mockRejectedValue(
      new ApiError({ status: 422, code: 'validation_failed', fields: { file: 'missing required column(s): 网点编码; download the template' } }),
    )
    const w = mountDialog(upload)
    await settle()
    choose('outlets.xlsx')
    await settle()
    ;(document.querySelector('[data-testid="import-start"]') as HTMLElement).click()
    await settle()
    expect(document.querySelector('[data-testid="import-file-error"]')?.textContent).toContain('missing required column')
    expect(document.querySelector('[data-testid="import-summary"]')).toBeNull()
    w.unmount()
  })
})
