// Browser tests of the administration screens: importing outlets from an
// Excel workbook with one bad row shows the per-row error report while the
// good rows land; a business calendar with a split shift, a holiday and a
// 调休 make-up working day is checked next to the fields and saved; a
// 售后服务管理师 certificate is recorded on a staff member; the auditor finds an
// agent's read of a customer in the PIPL access log. Imported by
// run.mjs; runnable alone with `BASE_URL=… node e2e/admin.e2e.mjs`.
import assert from 'node:assert/strict'
import { apiSession, expectStatus, login, scenario, shot } from './lib.mjs'
import { xlsx } from './xlsx.mjs'

/** The headers of the outlet import template (GET /outlets/import/template), required ones starred. */
const OUTLET_HEADERS = [
  '网点编码*', '网点名称*', '网点类型*', '委托合同编号', '合同生效日期', '合同到期日期', '所在地区编码*',
  '详细地址*', '纬度', '经度', '联系电话*', '覆盖地区编码*', '授权品类', '日服务能力*',
]

scenario('admin imports outlets from Excel and sees the per-row error of the bad row', async ({ page }) => {
  await login(page, 'admin')
  await page.goto('/admin/outlets')
  await page.locator('[data-testid="outlets-table"] tbody tr').first().waitFor()

  await page.locator('[data-testid="outlet-import"]').click()
  const dialog = page.locator('[data-testid="import-dialog"]')
  // The template downloads as an Excel workbook.
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.locator('[data-testid="import-template"]').click()])
  assert.match(download.suggestedFilename(), /\.xlsx$/)

  // Two good rows and, between them, one with an unknown region code.
  const prefix = `E2E${Date.now().toString(36).toUpperCase()}`
  const rows = [
    OUTLET_HEADERS,
    [`${prefix}-1`, '端到端导入 南山网点', '自营', '', '', '', '440305', '深圳市南山区科苑路 15 号', '', '', '0755-86001234', '440305,440306', '', '20'],
    [`${prefix}-2`, '端到端导入 错误网点', '委托', 'HT-E2E-001', '2025-01-01', '2027-12-31', '999999', '深圳市某区某路 1 号', '', '', '0755-86001235', '440305', '', '10'],
    [`${prefix}-3`, '端到端导入 宝安网点', '委托', 'HT-E2E-002', '2025-01-01', '2027-12-31', '440306', '深圳市宝安区新安街道 2 号', '', '', '0755-86001236', '440306', '', '15'],
  ]
  await dialog.locator('[data-testid="import-upload"] input[type="file"]').setInputFiles({
    name: 'outlets-e2e.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: xlsx(rows, '网点'),
  })
  await dialog.locator('[data-testid="import-start"]').click()
  await dialog.locator('[data-testid="import-progress"]').waitFor()
  const summary = dialog.locator('[data-testid="import-summary"]')
  await summary.waitFor()
  assert.equal(await summary.getAttribute('data-outcome'), 'partial')
  assert.match(await summary.innerText(), /共 3 行：成功 2 行，失败 1 行/)
  const errors = dialog.locator('[data-testid="import-errors"] tbody tr')
  assert.equal(await errors.count(), 1, 'one problem listed')
  const cells = (await errors.first().locator('td').allInnerTexts()).map((s) => s.trim())
  assert.equal(cells[0], '3', 'spreadsheet row 3 (the header is row 1)')
  assert.equal(cells[1], '所在地区编码')
  assert.match(cells[2], /999999/)
  await shot(page, 'admin-outlet-import-report')

  // The good rows landed; the bad one did not.
  await dialog.locator('[data-testid="import-close"]').click()
  await page.locator('input[data-testid="outlet-search"]').fill(prefix)
  await page.locator('[data-testid="outlet-search-submit"]').click()
  const table = page.locator('[data-testid="outlets-table"]')
  await table.locator('tbody tr', { hasText: `${prefix}-3` }).waitFor()
  await table.locator('tbody tr', { hasText: `${prefix}-1` }).waitFor()
  assert.equal(await table.locator('tbody tr', { hasText: `${prefix}-2` }).count(), 0)

  // A file that is not .xlsx is refused before upload.
  await page.locator('[data-testid="outlet-import"]').click()
  await dialog.locator('[data-testid="import-upload"] input[type="file"]').setInputFiles({ name: 'outlets.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n') })
  await dialog.locator('[data-testid="import-file-error"]').waitFor()
  assert.match(await dialog.locator('[data-testid="import-file-error"]').innerText(), /xlsx/)
})

scenario('admin edits a business calendar: split shift, holiday and 调休 make-up day, problems shown next to the fields', async ({ page }) => {
  await login(page, 'admin')
  await page.goto('/admin/sla')
  await page.locator('.el-tabs__item', { hasText: '工作日历' }).click()
  await page.locator('[data-testid="calendars-table"] tbody tr').first().waitFor()
  await page.locator('[data-testid="calendar-create"]').click()
  const dialog = page.locator('[data-testid="calendar-dialog"]')
  const code = `e2e-${Date.now().toString(36)}`
  await dialog.locator('input[name="code"]').fill(code)
  await dialog.locator('input[name="name"]').fill('端到端 工作日历（午休分段）')

  // A third Monday interval that overlaps the afternoon shift.
  await dialog.locator('[data-testid="iv-monday-add"]').click()
  await dialog.locator('input[data-testid="iv-monday-2-start"]').fill('17:00')
  await dialog.locator('input[data-testid="iv-monday-2-end"]').fill('19:00')
  // National Day off, and a 调休 Saturday that is also (by mistake) listed as a holiday.
  for (const d of ['2026-10-01', '2026-10-02']) {
    await dialog.locator('[data-testid="holiday-add"] input').fill(d)
    await dialog.locator('[data-testid="holiday-add"] input').press('Enter')
    await dialog.locator('[data-testid="holidays"] .el-tag', { hasText: d }).waitFor()
  }
  for (const d of ['2026-10-10', '2026-10-02']) {
    await dialog.locator('[data-testid="makeup-add"] input').fill(d)
    await dialog.locator('[data-testid="makeup-add"] input').press('Enter')
    await dialog.locator('[data-testid="makeup-days"] .el-tag', { hasText: d }).waitFor()
  }
  await dialog.locator('[data-testid="calendar-submit"]').click()
  await dialog.locator('[data-testid="calendar-alert"]').waitFor()
  assert.match(await dialog.locator('[data-testid="iv-monday-2-error"]').innerText(), /重叠/)
  await dialog.getByText('2026-10-02 同时是节假日').waitFor()
  await shot(page, 'admin-calendar-problems')

  // Fix both: the evening shift starts after the afternoon one; the make-up day is not a holiday.
  await dialog.locator('input[data-testid="iv-monday-2-start"]').fill('18:30')
  await dialog.locator('[data-testid="makeup-days"] .el-tag', { hasText: '2026-10-02' }).locator('.el-tag__close').click()
  assert.equal(await dialog.locator('[data-testid="iv-monday-2-error"]').count(), 0)
  await dialog.locator('[data-testid="calendar-submit"]').click()
  await dialog.waitFor({ state: 'hidden' })
  const row = page.locator('[data-testid="calendars-table"] tbody tr', { hasText: code })
  await row.waitFor()
  await shot(page, 'admin-calendar-saved')

  const admin = await apiSession('admin')
  try {
    const list = expectStatus(await admin.call('GET', '/sla/calendars'), 200, 'calendars').items
    const saved = list.find((c) => c.code === code)
    assert.deepEqual(saved.weekly.monday, ['08:30-12:00', '13:30-18:00', '18:30-19:00'])
    assert.deepEqual(saved.holidays, ['2026-10-01', '2026-10-02'])
    assert.deepEqual(saved.makeup_workdays, ['2026-10-10'])
  } finally {
    await admin.close()
  }
})

scenario('admin records a 售后服务管理师 certificate with its expiry on a staff member', async ({ page }) => {
  await login(page, 'admin')
  await page.goto('/admin/staff')
  const table = page.locator('[data-testid="staff-table"]')
  await table.locator('tbody tr').first().waitFor()
  // Create a management staff member at outlet 1, then add the certificate.
  const name = `端到端${Date.now().toString(36).slice(-4)}`
  await page.locator('[data-testid="staff-create"]').click()
  const dialog = page.locator('[data-testid="staff-dialog"]')
  await dialog.locator('input[name="name"]').fill(name)
  await dialog.locator('[data-testid="outlet-picker"]').click()
  await page.keyboard.type('WD0001')
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'WD0001' }).first().click()
  // A service manager (售后经理), not a technician: the outlet's technician list stays as it is.
  await dialog.locator('.el-form-item', { hasText: '岗位' }).locator('.el-select').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '售后经理' }).click()
  await dialog.locator('.el-switch').first().click()
  await dialog.locator('input[name="phone"]').fill(`137${String(Date.now()).slice(-8)}`)
  await dialog.locator('[data-testid="staff-submit"]').click()
  await dialog.waitFor({ state: 'hidden' })

  await page.locator('input[data-testid="staff-search"]').fill(name)
  await page.locator('input[data-testid="staff-search"]').press('Enter')
  const row = table.locator('tbody tr', { hasText: name })
  await row.waitFor()
  await row.locator('[data-testid^="staff-detail-"]').click()
  const drawer = page.locator('[data-testid="staff-drawer"]')
  await drawer.locator('input[name="number"]').fill(`GLS-E2E-${Date.now().toString(36)}`)
  const dates = drawer.locator('.el-date-editor input')
  await dates.nth(0).fill('2025-03-01')
  await dates.nth(0).press('Enter')
  await dates.nth(1).fill('2026-12-31')
  await dates.nth(1).press('Enter')
  await drawer.getByRole('button', { name: '添加证书' }).click()
  await drawer.locator('.el-table tbody tr', { hasText: '售后服务管理师' }).waitFor()
  await row.locator('.el-tag', { hasText: /有效|即将到期/ }).waitFor()
  await shot(page, 'admin-staff-certificate')
})

scenario('auditor reads the PIPL access log: an agent opening a customer is listed with who, which customer and when', async ({ page }) => {
  const agent = await apiSession('agent')
  try {
    const list = expectStatus(await agent.call('GET', '/customers?size=1'), 200, 'customers')
    assert.ok(list.items.length > 0, 'the demo has customers')
    const id = list.items[0].customer.id
    expectStatus(await agent.call('GET', `/customers/${id}`), 200, 'open the customer')
    await login(page, 'auditor')
    await page.goto('/admin/privacy-log')
    const table = page.locator('[data-testid="privacy-table"]')
    await table.locator('tbody tr').first().waitFor()
    await page.locator('[data-testid="privacy-filters"] input[name="customer_id"]').fill(String(id))
    await page.locator('[data-testid="privacy-search"]').click()
    await page.waitForFunction(
      (cid) => [...document.querySelectorAll('[data-testid="privacy-table"] tbody tr')].some((tr) => tr.textContent.includes('agent') && tr.textContent.includes(String(cid))),
      id,
    )
    await shot(page, 'admin-privacy-log')
  } finally {
    await agent.close()
  }
})
