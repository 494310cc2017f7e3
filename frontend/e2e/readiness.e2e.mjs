// Browser tests of the certification pages: the quality manager's live
// readiness dashboard (first paint with data, a change landing through the
// API shows up without a reload), drill-down, gaps, what-if, the evidence
// library (a refused upload shows the server's reason), the certification
// calendar and audit pack, KPI pages, standard versions, and the auditor's
// read-only view. Imported by run.mjs; runnable alone with
// `BASE_URL=… node e2e/readiness.e2e.mjs`.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ARTIFACTS, login, scenario } from './lib.mjs'

/** artifact is the path of a file under test-artifacts/. */
function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true })
  return join(ARTIFACTS, name)
}

/**
 * api calls the API with the page's session (the browser context's request
 * client shares its cookies) → {status, body}; multipart for uploads.
 */
async function api(page, path, { method = 'GET', data, multipart } = {}) {
  const res = await page.context().request.fetch(`/api/v1${path}`, { method, data, multipart })
  const text = await res.text()
  let body = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = text
  }
  return { status: res.status(), body }
}

/** PERF_BUDGET_MS: navigation start → gauge drawn with a number (issue 6: 1.5 s). */
const PERF_BUDGET_MS = Number(process.env.READINESS_PERF_BUDGET_MS || 1500)

const shanghaiDay = (offsetDays = 0) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + offsetDays * 86_400_000))
const display = (v) => (Math.round(v * 100) / 100).toFixed(2)

async function gauge(page) {
  const root = page.locator('[data-testid="score-gauge"]')
  await root.locator('[data-testid="gauge-score"]').waitFor()
  return {
    score: (await root.locator('[data-testid="gauge-score"]').innerText()).trim(),
    runId: await root.getAttribute('data-run-id'),
  }
}

async function ensureRun(page) {
  const score = await api(page, '/readiness/score')
  if (score.status === 200) return score.body
  assert.equal(score.status, 404, `GET /readiness/score: ${score.status}`)
  return (await runNow(page)).body
}

/**
 * causeChange changes the score through the API: a missing evidence
 * document is uploaded and approved (or, when none is missing, a special
 * deduction is recorded), then a run is asked for. Returns the new run.
 */
async function causeChange(page, before) {
  const types = (await api(page, '/evidence/types')).body?.items ?? []
  const target = types.find((t) => t.status === 'missing' && t.clauses.length) ?? types.find((t) => ['expired', 'draft'].includes(t.status) && t.clauses.length)
  if (target) {
    const up = await api(page, '/evidence', {
      method: 'POST',
      multipart: {
        doc_type: target.type,
        title: `端到端测试 ${target.label.zh}`,
        effective_on: shanghaiDay(-1),
        approver: '质量经理 陈静',
        file: { name: 'e2e-evidence.txt', mimeType: 'text/plain', buffer: Buffer.from(`e2e evidence for ${target.type}\n`) },
      },
    })
    assert.equal(up.status, 201, `upload: ${up.status} ${JSON.stringify(up.body)}`)
    const ok = await api(page, `/evidence/${up.body.id}/approve`, { method: 'POST', data: { version: up.body.version } })
    assert.equal(ok.status, 200, `approve: ${ok.status} ${JSON.stringify(ok.body)}`)
  }
  let run = await runNow(page)
  if (display(run.body.score.total) === before) {
    const d = await api(page, '/readiness/deductions', { method: 'POST', data: { clause: '5.3', finding: '端到端测试：特别扣分项' } })
    assert.equal(d.status, 201, `deduction: ${d.status} ${JSON.stringify(d.body)}`)
    run = await runNow(page)
  }
  return run.body
}

/**
 * runNow asks for a run that sees the data as it is now and returns it when
 * done ({status: 200, body: run, score, ledger}). POST answers 202 at once;
 * while the scheduled or debounced run is in progress it answers with that
 * run (joined), which may have read the data before our change, so a
 * joined run is waited for and a fresh one asked for.
 */
async function runNow(page) {
  for (let i = 0; i < 5; i++) {
    const start = await api(page, '/readiness/runs', { method: 'POST', data: {} })
    assert.equal(start.status, 202, `POST /readiness/runs: ${start.status} ${JSON.stringify(start.body)}`)
    const done = await waitRun(page, start.body.run.id)
    if (!start.body.joined) return done
  }
  throw new Error('every run asked for joined one already in progress')
}

/** waitRun polls GET /readiness/runs/:id until the run is done. */
async function waitRun(page, id) {
  for (let i = 0; i < 300; i++) {
    const r = await api(page, `/readiness/runs/${id}`)
    assert.equal(r.status, 200, `GET /readiness/runs/${id}: ${r.status}`)
    if (r.body.run.status === 'done') return r
    assert.equal(r.body.run.status, 'running', `run ${id} ended: ${JSON.stringify(r.body.run)}`)
    await page.waitForTimeout(200)
  }
  throw new Error(`run ${id} still running after a minute`)
}

scenario('readiness: the dashboard paints the score fast and follows a change through the API without a reload', async ({ page }) => {
  await login(page, 'quality')
  await ensureRun(page)

  // First paint with data: navigation start → gauge drawn with a number,
  // read from the mark the gauge sets when ECharts has drawn it.
  const timings = []
  for (let i = 0; i < 3; i++) {
    await page.goto('/readiness')
    await page.locator('[data-testid="score-gauge"][data-painted="true"]').waitFor()
    const t = await page.evaluate(() => {
      const mark = performance.getEntriesByName('readiness-gauge-painted')[0]
      const nav = performance.getEntriesByType('navigation')[0]
      return { painted: mark ? Math.round(mark.startTime) : null, domContentLoaded: nav ? Math.round(nav.domContentLoadedEventEnd) : null }
    })
    timings.push(t)
  }
  const g0 = await gauge(page)
  assert.match(g0.score, /^\d{1,3}\.\d{2}$/, `gauge shows a number: ${g0.score}`)
  writeFileSync(artifact('readiness-perf.json'), JSON.stringify({ budgetMs: PERF_BUDGET_MS, runs: timings, score: g0.score, at: new Date().toISOString() }, null, 2))
  console.log(`readiness first paint with data (ms, first navigation then two more): ${timings.map((t) => t.painted).join(', ')}`)
  // The median of three navigations is held to the budget (the first one
  // also pays for compiling the page's code; all three are reported).
  const median = timings.map((t) => t.painted ?? Infinity).sort((a, b) => a - b)[1]
  assert.ok(median <= PERF_BUDGET_MS, `first paint with data: median ${median} ms > ${PERF_BUDGET_MS} ms (${timings.map((t) => t.painted).join(', ')})`)
  await page.locator('[data-testid="readiness-live"][data-subscription="granted"]').waitFor()
  await page.locator('[data-testid="ledger-tree"] tbody tr').first().waitFor()
  await page.locator('[data-testid="inferred-notice"]').waitFor()
  await page.screenshot({ path: artifact('readiness-dashboard.png'), fullPage: true })

  // A change lands through the API; the page must follow without a reload.
  await page.evaluate(() => {
    window.__e2eNoReload = 'same-document'
  })
  const run = await causeChange(page, g0.score)
  const want = display(run.score.total)
  assert.notEqual(want, g0.score, 'the change moved the score')
  await page.waitForFunction(
    (id) => document.querySelector('[data-testid="score-gauge"]')?.getAttribute('data-run-id') === id,
    String(run.run.id),
    { timeout: 15_000 },
  )
  const g1 = await gauge(page)
  assert.equal(g1.score, want, 'the gauge shows the new run’s score')
  assert.equal(await page.evaluate(() => window.__e2eNoReload), 'same-document', 'no reload happened')
  await page.locator('[data-testid="readiness-live"] li[data-kind="score_changed"]').first().waitFor()
  // The ledger reloads in place too: the facts card names the new run.
  await page.waitForFunction((id) => document.querySelector('[data-testid="score-facts"]')?.textContent?.includes(`#${id}`), String(run.run.id))
  await page.screenshot({ path: artifact('readiness-dashboard-after-change.png'), fullPage: true })
})

scenario('readiness: 立即评分 answers at once, shows a progress bar and updates the score when the run finishes', async ({ page }) => {
  await login(page, 'quality')
  await ensureRun(page)
  await page.goto('/readiness')
  await page.locator('[data-testid="score-gauge"][data-painted="true"]').waitFor()
  await page.locator('[data-testid="readiness-live"][data-subscription="granted"]').waitFor()
  const before = await gauge(page)
  await page.evaluate(() => {
    window.__e2eNoReload = 'same-document'
  })
  // Record what the page draws: the progress bar's states while the run goes.
  await page.evaluate(() => {
    window.__e2eProgress = []
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid="run-progress"]')
      if (!bar) return
      const s = `${bar.getAttribute('data-run-id')}:${bar.getAttribute('data-status')}:${bar.getAttribute('data-done')}/${bar.getAttribute('data-total')}`
      if (window.__e2eProgress.at(-1) !== s) window.__e2eProgress.push(s)
    }).observe(document.body, { subtree: true, childList: true, attributes: true })
  })
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/readiness/runs') && r.request().method() === 'POST')
  await page.locator('[data-testid="run-now"]').click()
  const res = await answer
  assert.equal(res.status(), 202, 'POST /readiness/runs answers 202')
  const started = await res.json()
  const id = String(started.run.id)
  assert.ok(started.run.progress.total >= 40, `progress total ${started.run.progress.total}`)
  // The bar shows the run at once, then the gauge moves to it without a reload.
  const bar = page.locator(`[data-testid="run-progress"][data-run-id="${id}"]`)
  await bar.waitFor()
  await page.screenshot({ path: artifact('readiness-run-progress.png') })
  await page.waitForFunction((runId) => document.querySelector('[data-testid="score-gauge"]')?.getAttribute('data-run-id') === runId, id, { timeout: 60_000 })
  await page.locator(`[data-testid="run-progress"][data-run-id="${id}"][data-status="done"]`).waitFor()
  const seen = await page.evaluate(() => window.__e2eProgress)
  console.log(`progress bar states of run ${id}: ${seen.join(' → ')}`)
  assert.ok(seen.some((s) => s.startsWith(`${id}:running:`)), `the bar showed the run in progress: ${seen}`)
  assert.ok(seen.at(-1).startsWith(`${id}:done:`), `the bar ended done: ${seen}`)
  const done = await waitRun(page, id)
  const after = await gauge(page)
  assert.equal(after.runId, id)
  assert.equal(after.score, display(done.body.score.total), 'the gauge shows the finished run’s score')
  assert.notEqual(after.runId, before.runId)
  assert.equal(await page.evaluate(() => window.__e2eNoReload), 'same-document', 'no reload happened')
  await page.waitForFunction((runId) => document.querySelector('[data-testid="score-facts"]')?.textContent?.includes(`#${runId}`), id)
  await page.screenshot({ path: artifact('readiness-run-finished.png'), fullPage: true })
})

scenario('readiness: drill-down to records, gaps and cheapest path, why it moved, what-if', async ({ page }) => {
  await login(page, 'quality')
  await ensureRun(page)
  await page.goto('/readiness')
  await page.locator('[data-testid="score-gauge"][data-painted="true"]').waitFor()

  // Indicator tree: losing points only, then the records behind one.
  await page.locator('[data-testid="ledger-only-losing"]').click()
  const drill = page.locator('[data-testid^="drill-"]').first()
  if ((await drill.count()) > 0) {
    await drill.click()
    const dialog = page.locator('[data-testid="ledger-drill"]')
    await dialog.locator('[data-testid="record-list"] [data-record]').first().waitFor()
    await page.screenshot({ path: artifact('readiness-drill-down.png') })
    await dialog.locator('.el-dialog__headerbtn').click()
    await dialog.waitFor({ state: 'hidden' })
  }

  // Why it moved between the last two runs.
  const runs = (await api(page, '/readiness/runs?size=2')).body.items
  if (runs.length >= 2) await page.locator('[data-testid="diff-summary"]').waitFor()

  // Gaps and the cheapest path to the next band.
  await page.locator('.el-tabs__item', { hasText: '差距与最短路径' }).click()
  await page.locator('[data-testid="gaps-table"] tbody tr').first().waitFor()
  await page.locator('[data-testid="cheapest-path"] .el-card__body').waitFor()
  await page.screenshot({ path: artifact('readiness-gaps.png'), fullPage: true })

  // What-if: three more certified managers and a document approved.
  await page.locator('.el-tabs__item', { hasText: '假设分析' }).click()
  const panel = page.locator('[data-testid="whatif-panel"]')
  await panel.locator('[data-testid="whatif-managers"] input').fill('3')
  await panel.locator('[data-testid="whatif-submit"]').click()
  const result = panel.locator('[data-testid="whatif-result"]')
  await result.waitFor()
  assert.match((await result.locator('[data-testid="whatif-after"]').innerText()).trim(), /^\d{1,3}\.\d{2}$/)
  // A bad change is refused with the server's message shown on its row.
  await panel.locator('.el-link', { hasText: '按文字输入更多假设' }).click()
  await panel.locator('textarea[data-testid="whatif-texts"]').fill('frobnicate everything')
  await panel.locator('[data-testid="whatif-submit"]').click()
  await panel.locator('.el-form-item__error', { hasText: 'frobnicate' }).waitFor()
  await page.screenshot({ path: artifact('readiness-what-if.png'), fullPage: true })

  // Plausibility and projection tabs render.
  await page.locator('.el-tabs__item', { hasText: '合理性检查' }).click()
  await page.locator('[data-testid="plausibility-panel"] [data-check]').first().waitFor()
  await page.locator('.el-tabs__item', { hasText: '审核日预测' }).click()
  await page.locator('[data-testid="projection-panel"]').waitFor()
})

scenario('evidence: a refused upload shows the server’s reason; upload, approve, versions', async ({ page }) => {
  await login(page, 'quality')
  await page.goto('/evidence')
  await page.locator('[data-testid="evidence-types"] tbody tr').first().waitFor()

  await page.locator('[data-testid="evidence-upload"]').click()
  const dialog = page.locator('[data-testid="evidence-upload-dialog"]')
  await dialog.locator('[data-testid="upload-type"]').click()
  await page.locator('.el-select-dropdown__item:visible').first().click()
  const title = `端到端上传 ${Date.now().toString(36)}`
  await dialog.locator('input[name="title"]').fill(title)
  const eff = dialog.locator('.el-form-item', { hasText: '生效日期' }).locator('input')
  await eff.fill(shanghaiDay(-1))
  await eff.press('Enter')
  await dialog.locator('input[name="approver"]').fill('质量经理 陈静')
  // An executable is refused; the reason sits next to the file field.
  await dialog.locator('[data-testid="upload-file"]').setInputFiles({ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00binary') })
  await dialog.locator('[data-testid="upload-submit"]').click()
  const fileItem = dialog.locator('.el-form-item', { has: page.locator('[data-testid="upload-file"]') })
  await fileItem.locator('.el-form-item__error').waitFor()
  assert.match(await fileItem.locator('.el-form-item__error').innerText(), /\.exe/)
  await page.screenshot({ path: artifact('evidence-upload-refused.png') })

  // A text file is accepted as a draft, then approved.
  await dialog.locator('[data-testid="upload-file"]').setInputFiles({ name: 'policy.txt', mimeType: 'text/plain', buffer: Buffer.from('售后服务制度（端到端测试）\n') })
  await dialog.locator('[data-testid="upload-submit"]').click()
  await dialog.waitFor({ state: 'hidden' })
  const row = page.locator('[data-testid="evidence-table"] tbody tr', { hasText: title })
  await row.waitFor()
  await row.locator('[data-freshness="draft"]').waitFor()
  await row.locator('[data-testid^="evidence-approve-"]').click()
  await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
  await row.locator('[data-freshness="in_force"], [data-freshness="expiring"]').first().waitFor()
  // Versions dialog with the download link.
  await row.locator('.el-link', { hasText: title }).click()
  const versions = page.locator('[data-testid="evidence-versions"]')
  await versions.locator('a', { hasText: '下载' }).first().waitFor()
  await page.screenshot({ path: artifact('evidence-library.png'), fullPage: true })
})

scenario('certification: calendar, auditor result beside our projection, audit pack with progress and download', async ({ page }) => {
  await login(page, 'quality')
  await page.goto('/certification')
  await page.locator('[data-testid="cert-calendar"]').waitFor()
  await page.locator('[data-testid="next-audit"]').waitFor()
  // An audit with the auditor's result shows it in its cycle's table.
  const cycles = (await api(page, '/certification/cycles')).body.items
  const held = cycles.flatMap((c) => c.audits.map((a) => ({ ...a, cycle: c.id }))).find((a) => a.score !== null)
  if (held) {
    await page.locator(`[data-testid="cycle-${held.cycle}"] td`, { hasText: display(held.score) }).first().waitFor()
  }
  await page.locator('[data-testid="pack-build"]').click()
  const progress = page.locator('[data-testid="pack-progress"]')
  await progress.waitFor()
  await page.locator('[data-testid="pack-progress"][data-status="done"]').waitFor({ timeout: 60_000 })
  const href = await page.locator('[data-testid="pack-download"]').getAttribute('href')
  assert.match(href, /^\/api\/v1\/certification\/audit-packs\/\d+\/download$/)
  const zip = await page.context().request.get(href)
  assert.equal(zip.status(), 200)
  assert.equal((await zip.body()).subarray(0, 2).toString('latin1'), 'PK', 'the audit pack is a ZIP')
  await page.screenshot({ path: artifact('certification-calendar.png'), fullPage: true })
})

scenario('KPI pages: complaints, satisfaction, repairs, recalls with charts and a period filter', async ({ page }) => {
  await login(page, 'quality')
  await page.goto('/kpi')
  await page.locator('[data-testid="kpi-complaints"] .tile').first().waitFor()
  await page.locator('[data-testid="kpi-complaints"] canvas').first().waitFor()
  await page.screenshot({ path: artifact('kpi-complaints.png'), fullPage: true })
  for (const [tab, id] of [
    ['满意度调查', 'kpi-surveys'],
    ['维修质量', 'kpi-repairs'],
    ['召回完成率', 'kpi-recalls'],
    ['SLA 达成率', 'kpi-sla'],
  ]) {
    await page.locator('.el-tabs__item', { hasText: tab }).click()
    await page.locator(`[data-testid="${id}"]`).waitFor()
  }
  await page.locator('.el-tabs__item', { hasText: '满意度调查' }).click()
  await page.locator('[data-testid="kpi-surveys"] .tile').first().waitFor()
  await page.screenshot({ path: artifact('kpi-surveys.png'), fullPage: true })
})

scenario('standard versions: view the YAML; a bad file is refused naming the clause', async ({ page }) => {
  await login(page, 'quality')
  await page.goto('/admin/standards')
  const table = page.locator('[data-testid="standards-table"]')
  await table.locator('tbody tr').first().waitFor()
  const active = (await api(page, '/readiness/standards')).body.items.find((v) => v.active && v.latest)
  await page.locator(`[data-testid="standard-view-${active.code}-${active.version}"]`).click()
  const yaml = page.locator('[data-testid="standard-yaml"]')
  await yaml.locator('pre.yaml').waitFor()
  assert.match(await yaml.locator('pre.yaml').innerText(), /clause/)
  await yaml.locator('.el-dialog__headerbtn').click()
  await yaml.waitFor({ state: 'hidden' })

  // Break the sum of 5.1.1's children.
  const content = (await api(page, `/readiness/standards/${active.code}`)).body.content
  const at = content.indexOf('clause: "5.1.1.1"')
  assert.ok(at > 0, 'the standard has 5.1.1.1')
  const p = content.indexOf('points: ', at)
  const bad = content.slice(0, p) + 'points: 99' + content.slice(content.indexOf('\n', p))
  await table.locator('tbody tr', { hasText: active.code }).first().getByRole('button', { name: '新版本' }).click()
  const dialog = page.locator('[data-testid="standard-upload-dialog"]')
  await dialog.locator('textarea[data-testid="standard-content"]').fill(bad)
  await dialog.locator('[data-testid="standard-submit"]').click()
  const errors = dialog.locator('[data-testid="standard-errors"]')
  await errors.waitFor()
  assert.match(await errors.innerText(), /条款 5\.1\.1/)
  await page.screenshot({ path: artifact('standards-refused.png') })
})

scenario('the auditor sees readiness, evidence and certification read-only', async ({ page }) => {
  await login(page, 'auditor')
  await page.goto('/readiness')
  await page.locator('[data-testid="score-gauge"][data-painted="true"]').waitFor()
  assert.equal(await page.locator('[data-testid="run-now"]').count(), 0, 'no run button')
  assert.equal(await page.locator('.el-tabs__item', { hasText: '假设分析' }).count(), 0, 'no what-if')
  await page.locator('.el-tabs__item', { hasText: '指标明细' }).waitFor()
  await page.screenshot({ path: artifact('readiness-auditor.png'), fullPage: true })

  await page.goto('/evidence')
  await page.locator('[data-testid="evidence-types"] tbody tr').first().waitFor()
  assert.equal(await page.locator('[data-testid="evidence-upload"]').count(), 0, 'no upload button')
  assert.equal(await page.locator('[data-testid^="evidence-approve-"]').count(), 0, 'no approve buttons')
  assert.equal(await page.locator('[data-testid^="evidence-upload-"]').count(), 0, 'no per-type upload')

  await page.goto('/certification')
  await page.locator('[data-testid="next-audit"]').waitFor()
  assert.equal(await page.locator('[data-testid="pack-build"]').count(), 0, 'no audit pack build')
  assert.equal(await page.locator('[data-testid="cycle-create"]').count(), 0, 'no new cycle')
  await page.screenshot({ path: artifact('certification-auditor.png'), fullPage: true })
})

scenario('the calibration page compares the recorded audit with the projection, indicator by indicator', async ({ page }) => {
  await login(page, 'quality')
  await page.goto('/readiness/calibration')
  await page.locator('[data-testid="calibration-mae"]').waitFor()
  const report = (await api(page, '/readiness/calibration')).body
  assert.ok(report.audits.length >= 1, 'the demo has a recorded audit with points per indicator')
  assert.ok(report.compared >= 40, `compared ${report.compared} indicators`)
  await page.locator(`[data-testid="calibration-audit-${report.audits[0].audit_id}"]`).waitFor()
  assert.ok((await page.locator('[data-testid="calibration-most-wrong"] li').count()) >= 1, 'most wrong indicators listed')
  await page.screenshot({ path: artifact('calibration.png'), fullPage: true })

  // The scoring sheet: export link on the standards page, import dialog.
  await page.goto('/admin/standards')
  await page.locator('[data-testid="standards-table"] tbody tr').first().waitFor()
  await page.locator('[data-testid="standard-export-gbt27922-2011"]').waitFor()
  await page.locator('[data-testid="standard-sheet-import"]').click()
  await page.locator('[data-testid="sheet-import-dialog"] [data-testid="sheet-file"]').waitFor()
})
