// Browser end-to-end tests: playwright-core drives the system Chromium
// against a running server (scripts/e2e.sh starts one with `serve --demo`).
//
//   BASE_URL                  server to test (default http://127.0.0.1:18080)
//   AFTERSALES_DEMO_PASSWORD  password of the demo users (default demo123456)
//   CHROMIUM_PATH             browser binary (default /usr/bin/chromium)
//   REQUIRE_BROWSER=1         fail, instead of skipping, when the browser is missing
//
// Each test saves a screenshot to frontend/test-artifacts/<test>.png.
// Expected menus are computed from the permissions the server returns for
// /api/v1/me and the menu model (src/menu/menu.json), so the tests stay true
// to the server. Run with plain `node e2e/run.mjs` (node:test).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
// Feature files (node:test tests registered on import).
import './readiness.e2e.mjs'
import './outlet.e2e.mjs'
import './admin.e2e.mjs'
import './agent.e2e.mjs'
import './public.e2e.mjs'
import './notifications.e2e.mjs'
import './search.e2e.mjs'
import './mobile.e2e.mjs'
import './manager.e2e.mjs'
import './narrow.e2e.mjs'
import './reports.e2e.mjs'
import './print.e2e.mjs'
import './quote.e2e.mjs'
import './masterdata.e2e.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:18080').replace(/\/$/, '')
const PASSWORD = process.env.AFTERSALES_DEMO_PASSWORD || 'demo123456'
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const ARTIFACTS = join(here, '..', 'test-artifacts')
const MENU = JSON.parse(readFileSync(join(here, '..', 'src', 'menu', 'menu.json'), 'utf8'))
const zh = (key) => ({ agent: '坐席工作台', tickets: '工单', readiness: '认证就绪', users: '用户管理', audit: '审计日志' })[key]
const en = (key) => ({ agent: 'Agent console', tickets: 'Tickets', readiness: 'Readiness', users: 'Users', audit: 'Audit trail' })[key]

/** Demo users and the role each must hold. */
const DEMO = [
  { username: 'admin', role: 'admin' },
  { username: 'agent', role: 'hotline_agent' },
  { username: 'outlet_manager', role: 'outlet_manager' },
  { username: 'technician', role: 'technician' },
  { username: 'quality', role: 'quality_manager' },
  { username: 'auditor', role: 'auditor' },
]

/** Extra expectations from the product brief, on top of "menu = f(permissions)". */
const ROLE_CHECKS = {
  admin: { sees: ['users', 'audit'] },
  agent: { sees: ['agent', 'tickets'], hidden: ['users', 'audit'] },
  outlet_manager: { sees: ['outlet'], hidden: ['users', 'agent'] },
  technician: { hidden: ['users', 'audit', 'agent'] },
  quality: { sees: ['readiness'], hidden: ['users'] },
  auditor: { sees: ['readiness', 'audit'], hidden: ['users', 'agent'], readOnly: true },
}

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const haveBrowser = existsSync(CHROMIUM)
if (!haveBrowser) {
  const msg = `chromium not found at ${CHROMIUM} (apt-get install -y chromium)`
  if (process.env.REQUIRE_BROWSER === '1') {
    console.error(`e2e: FAIL: ${msg} and REQUIRE_BROWSER=1`)
    process.exit(1)
  }
  console.log(`e2e: SKIP: ${msg}`)
  test('browser end-to-end', { skip: msg }, () => {})
} else {
  defineTests()
}

function defineTests() {
  let browser

  before(async () => {
    const { chromium } = await import('playwright-core')
    mkdirSync(ARTIFACTS, { recursive: true })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true })
  })

  after(async () => {
    await browser?.close()
  })

  /**
   * scenario runs fn with a fresh browser context (no cookies, zh-CN default)
   * and always leaves a screenshot named after the test. Uncaught page
   * errors fail the test.
   */
  function scenario(name, fn) {
    const file = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()
    test(name, async () => {
      const context = await browser.newContext({
        baseURL: BASE_URL,
        viewport: { width: 1366, height: 860 },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        reducedMotion: 'reduce',
      })
      const page = await context.newPage()
      page.setDefaultTimeout(15_000)
      const pageErrors = []
      page.on('pageerror', (err) => pageErrors.push(err.message))
      try {
        await fn({ page, context })
        assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
      } finally {
        await page.screenshot({ path: join(ARTIFACTS, `${file}.png`), fullPage: true }).catch(() => {})
        await context.close()
      }
    })
  }

  scenario('unauthenticated deep link goes to login and back after login', async ({ page }) => {
    await page.goto('/admin/audit')
    await page.waitForURL(/\/login\?redirect=/)
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/admin/audit')
    await login(page, 'admin', PASSWORD, false)
    await page.waitForURL('**/admin/audit')
    await page.locator('[data-testid="audit-table"]').waitFor()
  })

  for (const demo of DEMO) {
    scenario(`${demo.username} sees exactly the menu its permissions allow`, async ({ page }) => {
      await login(page, demo.username)
      await page.locator('[data-testid="side-menu"]').waitFor()
      const me = await apiMe(page)
      assert.equal(me.username, demo.username)
      assert.ok(me.roles.includes(demo.role), `${demo.username} has role ${demo.role}: ${me.roles}`)

      const expected = expectedMenu(me.permissions)
      const shown = await menuKeys(page)
      assert.deepEqual(shown, expected, `menu for ${demo.username} (permissions ${me.permissions.join(',')})`)

      const checks = ROLE_CHECKS[demo.username] ?? {}
      for (const k of checks.sees ?? []) assert.ok(shown.includes(k), `${demo.username} should see ${k}`)
      for (const k of checks.hidden ?? []) assert.ok(!shown.includes(k), `${demo.username} should not see ${k}`)
      if (checks.readOnly) {
        const writes = me.permissions.filter((p) => /:(create|update|manage|run|dispatch|respond|work|export)$/.test(p))
        assert.deepEqual(writes, [], `${demo.username} is read-only`)
      }

      // Lands on its first menu entry, with its name in the header.
      const first = MENU.items.find((m) => m.key === expected[0])
      assert.equal(new URL(page.url()).pathname, first.route)
      assert.ok((await page.locator('[data-testid="user-menu"]').innerText()).includes(me.display_name))

      // Every entry opens its page; the users page is refused without user:manage.
      for (const key of expected) {
        await page.locator(`[data-menu-key="${key}"]`).click()
        await page.waitForURL(`**${MENU.items.find((m) => m.key === key).route}`)
        await page.locator('[data-testid="page-title"]').waitFor()
      }
      // The live channel opens with the session cookie; readiness readers get an answer to their subscription.
      await page.locator('[data-testid="live-status"][data-live-status="open"]').waitFor()
      if (expected.includes('readiness')) {
        await page.goto('/readiness')
        await page.locator('[data-testid="readiness-live"]:not([data-subscription="pending"])').waitFor()
        assert.equal(await page.locator('[data-testid="readiness-live"]').getAttribute('data-subscription'), 'granted')
      }
      if (!me.permissions.includes('user:manage')) {
        await page.goto('/admin/users')
        await page.locator('[data-testid="forbidden"]').waitFor()
      }
      await page.goto(first.route)
      await page.locator('[data-testid="page-title"]').waitFor()
    })
  }

  scenario('switching zh-CN to English changes the menu and is remembered', async ({ page }) => {
    await page.goto('/login')
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
    await login(page, 'admin')
    const users = page.locator('[data-menu-key="users"] .menu-label')
    assert.equal((await users.innerText()).trim(), zh('users'))
    assert.equal((await page.locator('[data-menu-key="audit"] .menu-label').innerText()).trim(), zh('audit'))
    await switchLanguage(page, 'en')
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    assert.equal((await users.innerText()).trim(), en('users'))
    assert.equal((await page.locator('[data-menu-key="audit"] .menu-label').innerText()).trim(), en('audit'))
    assert.equal((await page.locator('[data-menu-key="agent"] .menu-label').innerText()).trim(), en('agent'))
    await page.reload()
    await users.waitFor()
    assert.equal((await users.innerText()).trim(), en('users'), 'choice kept after reload')
    assert.equal((await page.locator('[data-testid="page-title"]').innerText()).trim(), en('agent'))
    await page.screenshot({ path: join(ARTIFACTS, 'english-ui.png') })
    await switchLanguage(page, 'zh-CN')
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
    assert.equal((await users.innerText()).trim(), zh('users'))
  })

  scenario('admin manages a user: create, field errors, roles, disable, enable, reset password', async ({ page, context }) => {
    const name = `e2e${Date.now().toString(36)}`
    await login(page, 'admin')
    await page.goto('/admin/users')
    const table = page.locator('[data-testid="users-table"]')
    await table.locator('tr', { hasText: 'agent' }).first().waitFor()

    // Search.
    await page.locator('input[data-testid="user-search"]').fill('quality')
    await page.locator('[data-testid="user-search-submit"]').click()
    await table.locator('tbody tr', { hasText: 'quality' }).first().waitFor()
    await waitForRows(page, (rows) => rows.every((r) => r.includes('quality')))

    // Create with a short password: the server's field error shows next to the field.
    await page.locator('[data-testid="user-create"]').click()
    const dialog = page.locator('[data-testid="user-create-dialog"]')
    await dialog.locator('input[name="username"]').fill(name)
    await dialog.locator('input[name="display_name"]').fill('端到端测试')
    await dialog.locator('input[name="password"]').fill('short')
    await dialog.locator('[data-role="hotline_agent"]').click()
    await dialog.locator('[data-role="hotline_agent"].is-checked').waitFor()
    await page.locator('[data-testid="user-create-submit"]').click()
    const pwItem = dialog.locator('.el-form-item', { has: page.locator('input[name="password"]') })
    await pwItem.locator('.el-form-item__error').waitFor()
    assert.ok((await pwItem.locator('.el-form-item__error').innerText()).trim().length > 0)

    // Fix it and create.
    await dialog.locator('input[name="password"]').fill('e2e-pass-1234')
    await page.locator('[data-testid="user-create-submit"]').click()
    await dialog.waitFor({ state: 'hidden' })
    const row = table.locator('tbody tr', { hasText: name })
    await row.waitFor()

    // The same username again: the conflict is shown on the username field.
    await page.locator('[data-testid="user-create"]').click()
    await dialog.locator('input[name="username"]').fill(name)
    await dialog.locator('input[name="display_name"]').fill('重复')
    await dialog.locator('input[name="password"]').fill('e2e-pass-1234')
    await dialog.locator('[data-role="hotline_agent"]').click()
    await dialog.locator('[data-role="hotline_agent"].is-checked').waitFor()
    assert.equal(await dialog.locator('.el-form-item__error').count(), 0, 'no stale errors in a fresh dialog')
    const conflict = page.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST')
    await page.locator('[data-testid="user-create-submit"]').click()
    assert.ok((await conflict).status() >= 400, 'duplicate username is refused')
    const userItem = dialog.locator('.el-form-item', { has: page.locator('input[name="username"]') })
    await userItem.locator('.el-form-item__error').waitFor()
    assert.ok((await userItem.locator('.el-form-item__error').innerText()).trim().length > 0)
    await page.screenshot({ path: join(ARTIFACTS, 'admin-user-duplicate.png') })
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })

    // Set roles: add quality manager.
    await row.getByRole('button', { name: '角色', exact: true }).click()
    const rolesDialog = page.locator('.el-dialog', { hasText: '设置角色' })
    await rolesDialog.locator('.el-checkbox', { hasText: '质量经理' }).click()
    await rolesDialog.getByRole('button', { name: '保存' }).click()
    await rolesDialog.waitFor({ state: 'hidden' })
    await row.locator('.el-tag', { hasText: '质量经理' }).waitFor()
    await row.locator('.el-tag', { hasText: '热线坐席' }).waitFor()

    // Disable, then enable.
    await row.locator(`[data-testid="user-toggle-${name}"]`).click()
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
    await row.locator('[data-testid="user-status"]', { hasText: '已停用' }).waitFor()
    await row.locator(`[data-testid="user-toggle-${name}"]`).click()
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
    await row.locator('[data-testid="user-status"]', { hasText: '正常' }).waitFor()

    // Reset the password and sign in as the new user in another session.
    await row.getByRole('button', { name: '重置密码' }).click()
    const pwDialog = page.locator('.el-dialog', { hasText: '重置密码' })
    await pwDialog.locator('input[type="password"]').fill('e2e-new-pass-5678')
    await pwDialog.getByRole('button', { name: '保存' }).click()
    await pwDialog.waitFor({ state: 'hidden' })

    const other = await browser.newContext({ baseURL: BASE_URL, locale: 'zh-CN' })
    try {
      const p2 = await other.newPage()
      await login(p2, name, 'e2e-new-pass-5678')
      await p2.locator('[data-testid="side-menu"]').waitFor()
      const me = await apiMe(p2)
      assert.deepEqual(await menuKeys(p2), expectedMenu(me.permissions))
      assert.ok(me.roles.includes('hotline_agent') && me.roles.includes('quality_manager'), `roles ${me.roles}`)
      assert.ok((await menuKeys(p2)).includes('agent'))
      assert.ok((await menuKeys(p2)).includes('readiness'))
      await p2.screenshot({ path: join(ARTIFACTS, 'new-user-logged-in.png') })
    } finally {
      await other.close()
    }
    void context
  })

  scenario('audit trail filters and expands before/after', async ({ page }) => {
    await login(page, 'admin')
    await page.goto('/admin/audit')
    const table = page.locator('[data-testid="audit-table"]')
    const firstRow = table.locator('tbody tr.el-table__row').first()
    await firstRow.waitFor()
    // Filter by the action of the first row: every row then has it.
    const action = (await firstRow.locator('td').nth(4).innerText()).trim()
    assert.ok(action, 'first row has an action')
    await page.locator('[data-testid="audit-filters"] input[name="action"]').fill(action)
    await page.locator('[data-testid="audit-search"]').click()
    await page.waitForURL(/action=/)
    await waitForRows(page, (rows) => rows.length > 0 && rows.every((r) => r.includes(action)), 'tbody tr.el-table__row', '[data-testid="audit-table"]')
    // Expand a record: before/after panes show; a change made by the users
    // test (disable/enable/roles), if present, shows its JSON.
    await page.locator('[data-testid="audit-filters"] input[name="action"]').fill('')
    await page.locator('[data-testid="audit-filters"] input[name="entity"]').fill('user')
    await page.locator('[data-testid="audit-search"]').click()
    await page.waitForURL(/entity=user/)
    await firstRow.waitFor()
    const change = table.locator('tbody tr.el-table__row', { hasText: /\b(disable|enable)\b/ }).first()
    const hasChange = (await change.count()) > 0
    await (hasChange ? change : firstRow).locator('.el-table__expand-icon').click()
    const before = page.locator('[data-testid="audit-before"]').first()
    await before.waitFor()
    await page.locator('[data-testid="audit-after"]').first().waitFor()
    if (hasChange) {
      assert.match(await before.innerText(), /"disabled"/)
      await page.locator('.changed .el-tag', { hasText: 'disabled' }).first().waitFor()
    }
  })

  scenario('a 401 mid-session returns to login and then to the same page', async ({ page, context }) => {
    await login(page, 'admin')
    await page.locator('[data-testid="side-menu"]').waitFor()
    await context.clearCookies() // the session ends behind the page's back
    await page.locator('[data-menu-key="users"]').click()
    await page.waitForURL(/\/login\?/)
    const url = new URL(page.url())
    assert.equal(url.searchParams.get('redirect'), '/admin/users')
    await page.getByText('登录已失效，请重新登录').waitFor()
    await login(page, 'admin', PASSWORD, false)
    await page.waitForURL('**/admin/users')
    await page.locator('[data-testid="users-table"]').waitFor()
  })

  scenario('logout ends the session', async ({ page }) => {
    await login(page, 'agent')
    await page.locator('[data-testid="user-menu"]').click()
    await page.locator('[data-testid="logout"]').click()
    await page.waitForURL('**/login')
    const status = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status))
    assert.equal(status, 401)
    await page.goto('/agent')
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('redirect') === '/agent')
  })

  scenario('unknown pages show 404, public links show the public layout', async ({ page }) => {
    await page.goto('/no/such/page')
    await page.locator('[data-testid="not-found"]').waitFor()
    await page.goto('/s/survey/unknown-token')
    await page.getByText('链接无效或服务尚未开放').waitFor()
  })

  // Failed logins count towards the lock-out: keep these last.
  scenario('wrong password shows the error', async ({ page }) => {
    await page.goto('/login')
    await page.locator('input[data-testid="login-username"]').fill('agent')
    await page.locator('input[data-testid="login-password"]').fill('not-the-password')
    await page.locator('[data-testid="login-submit"]').click()
    const err = page.locator('[data-testid="login-error"]')
    await err.waitFor()
    assert.match(await err.innerText(), /用户名或密码错误/)
    assert.equal(new URL(page.url()).pathname, '/login')
  })

  scenario('repeated failures lock the login and show the lock message', async ({ page }) => {
    await page.goto('/login')
    const err = page.locator('[data-testid="login-error"]')
    let locked = false
    for (let i = 0; i < 25 && !locked; i++) {
      await page.locator('input[data-testid="login-username"]').fill('e2e-nobody')
      await page.locator('input[data-testid="login-password"]').fill(`wrong-${i}`)
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
      await page.locator('[data-testid="login-submit"]').click()
      const res = await answered
      await err.waitFor()
      locked = res.status() === 429
    }
    assert.ok(locked, 'the server answers 429 after repeated failures')
    await page.waitForFunction(() => document.querySelector('[data-testid="login-error"]')?.textContent?.includes('锁定'))
  })
}

// ---- helpers ----

async function login(page, username, password = PASSWORD, navigate = true) {
  if (navigate) await page.goto('/login')
  await page.locator('input[data-testid="login-username"]').fill(username)
  await page.locator('input[data-testid="login-password"]').fill(password)
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
  await page.locator('[data-testid="login-submit"]').click()
  const res = await answered
  assert.equal(res.status(), 200, `login ${username}: HTTP ${res.status()} ${await res.text().catch(() => '')}`)
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

async function apiMe(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/v1/me', { credentials: 'same-origin' })
    if (!r.ok) throw new Error(`/api/v1/me: ${r.status}`)
    return r.json()
  })
}

function expectedMenu(permissions) {
  const held = new Set(permissions)
  return MENU.items.filter((m) => held.has(m.permission)).map((m) => m.key)
}

async function menuKeys(page) {
  return page.$$eval('[data-testid="side-menu"] [data-menu-key]', (els) => els.map((e) => e.getAttribute('data-menu-key')))
}

async function switchLanguage(page, locale) {
  await page.locator('[data-testid="lang-trigger"]').first().click()
  await page.locator(`.el-dropdown-menu [data-locale="${locale}"]:visible`).click()
}

/** waitForRows waits until the table's row texts satisfy a condition. */
async function waitForRows(page, ok, rowSel = 'tbody tr.el-table__row', tableSel = '[data-testid="users-table"]', timeout = 10_000) {
  const deadline = Date.now() + timeout
  let rows = []
  while (Date.now() < deadline) {
    rows = await page.$$eval(`${tableSel} ${rowSel}`, (els) => els.map((e) => e.textContent ?? ''))
    if (ok(rows)) return rows
    await page.waitForTimeout(200)
  }
  assert.fail(`rows never matched: ${JSON.stringify(rows.slice(0, 5))}`)
}
