// The managers' reports: the quality manager opens the failure rate per
// production lot, sees the same figures as the API with the warning
// threshold, switches the language, and exports the workbook with a
// progress bar.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { api, artifact, login, scenario, shot, switchLanguage } from './lib.mjs'

scenario('reports: failure rate per production lot, flagged at the threshold, exported to Excel', async ({ page }) => {
  await login(page, 'quality')
  // A year of the demo enterprise's repairs.
  const now = new Date()
  const day = (d) => d.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
  const to = day(now)
  const from = day(new Date(now.getTime() - 364 * 86_400_000))
  const expected = await api(page, `/reports/failure-rate?from=${from}&to=${to}`)
  assert.equal(expected.status, 200)
  assert.ok(expected.body.rows.length > 0, 'the demo has production lots with installed units')

  await page.goto(`/reports?tab=failure&from=${from}&to=${to}`)
  const table = page.locator('[data-testid="report-failure-table"]')
  await table.locator('tbody tr.el-table__row').first().waitFor()
  const rows = await table.locator('tbody tr.el-table__row').allInnerTexts()
  assert.equal(rows.length, expected.body.rows.length)
  const first = expected.body.rows[0]
  assert.ok(rows[0].includes(first.lot) && rows[0].includes(String(first.installed)), `first row ${rows[0]} vs ${JSON.stringify(first)}`)
  const flagged = expected.body.rows.filter((r) => r.warning).length
  if (flagged) {
    assert.match(await page.locator('[data-testid="report-failure-warnings"]').innerText(), new RegExp(`${flagged} 个批次`))
  }
  // The chart is drawn.
  await page.locator('[data-testid="report-failure"] canvas').first().waitFor()

  // The export: a progress bar, then the workbook.
  const download = page.waitForEvent('download', { timeout: 60_000 })
  await page.locator('[data-testid="report-failure"] [data-testid="report-export-button"]').click()
  const file = await download
  assert.match(file.suggestedFilename(), /^批次故障率-\d{8}-\d{8}\.xlsx$/)
  const path = artifact('failure-rate.xlsx')
  await file.saveAs(path)
  assert.equal(readFileSync(path).subarray(0, 2).toString(), 'PK', 'an .xlsx (ZIP) workbook')
  await page.locator('[data-testid="report-failure"] [data-testid="report-export-done"]').waitFor()
  await shot(page, 'reports-failure-rate')

  // English.
  await switchLanguage(page, 'en')
  await page.getByRole('tab', { name: 'Failure rate per lot' }).waitFor()
  assert.ok((await table.innerText()).includes('Installed units'))
})
