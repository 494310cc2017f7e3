// Shared helpers of the browser tests: the settings run.mjs reads, one
// Chromium for the feature files (*.e2e.mjs) that run.mjs imports, a
// `scenario` that gives each test a fresh context and always leaves a
// screenshot, the login steps, and API sessions for setting up data the
// way another user would (e.g. the hotline agent dispatching work).
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:18080').replace(/\/$/, '')
export const PASSWORD = process.env.AFTERSALES_DEMO_PASSWORD || 'demo123456'
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const ARTIFACTS = join(here, '..', 'test-artifacts')
export const FIXTURES = join(here, 'fixtures')
export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
export const haveBrowser = existsSync(CHROMIUM)

let browserPromise = null

/** sharedBrowser launches Chromium once for all feature files. */
export function sharedBrowser() {
  if (!browserPromise) {
    mkdirSync(ARTIFACTS, { recursive: true })
    browserPromise = import('playwright-core').then(({ chromium }) =>
      chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true }),
    )
  }
  return browserPromise
}

after(async () => {
  if (browserPromise) await (await browserPromise).close().catch(() => {})
})

/** artifactName turns a test name into a file name. */
export function artifactName(name) {
  return name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()
}

/** shot saves a screenshot under test-artifacts/<name>.png. */
export async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage })
}

/**
 * scenario registers a test that runs fn with a fresh browser context
 * (no cookies, zh-CN, Asia/Shanghai) and always leaves a screenshot named
 * after the test. Uncaught page errors fail the test. Without the browser
 * the test is skipped (run.mjs fails the run instead when REQUIRE_BROWSER=1).
 */
export function scenario(name, fn, { timeout = 120_000 } = {}) {
  if (!haveBrowser) {
    test(name, { skip: `chromium not found at ${CHROMIUM}` }, () => {})
    return
  }
  const file = artifactName(name)
  test(name, { timeout }, async () => {
    const browser = await sharedBrowser()
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
      await fn({ page, context, browser })
      assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
    } finally {
      await page.screenshot({ path: join(ARTIFACTS, `${file}.png`), fullPage: true }).catch(() => {})
      await context.close()
    }
  })
}

/** login signs in through the login page and waits to leave it. */
export async function login(page, username, password = PASSWORD, navigate = true) {
  if (navigate) await page.goto('/login')
  await page.locator('input[data-testid="login-username"]').fill(username)
  await page.locator('input[data-testid="login-password"]').fill(password)
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
  await page.locator('[data-testid="login-submit"]').click()
  const res = await answered
  assert.equal(res.status(), 200, `login ${username}: HTTP ${res.status()} ${await res.text().catch(() => '')}`)
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

/**
 * apiSession signs a user in through the API in its own request context
 * (its own cookie jar) and returns call(method, path, body) → {status,
 * body}, plus close().
 */
export async function apiSession(username, password = PASSWORD) {
  const { request } = await import('playwright-core')
  const ctx = await request.newContext({ baseURL: BASE_URL })
  const res = await ctx.post('/api/v1/auth/login', { data: { username, password } })
  assert.equal(res.status(), 200, `API login ${username}: HTTP ${res.status()}`)
  async function call(method, path, body, headers = {}) {
    const r = await ctx.fetch(`/api/v1${path}`, { method, data: body, headers })
    const text = await r.text()
    let json = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {
      json = text
    }
    return { status: r.status(), body: json }
  }
  return { call, close: () => ctx.dispose() }
}

/** expectStatus asserts an API answer's status, showing the body when it differs. */
export function expectStatus(res, status, what) {
  assert.equal(res.status, status, `${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`)
  return res.body
}

// ---- the helpers of run.mjs, shared here so feature files can use them too

const MENU_JSON = join(here, '..', 'src', 'menu', 'menu.json')

/** MENU is the menu model (src/menu/menu.json). */
export const MENU = JSON.parse(readFileSync(MENU_JSON, 'utf8'))

/** apiMe asks the server who the page's session belongs to. */
export async function apiMe(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/v1/me', { credentials: 'same-origin' })
    if (!r.ok) throw new Error(`/api/v1/me: ${r.status}`)
    return r.json()
  })
}

/** expectedMenu is the menu keys a user with these permissions must see. */
export function expectedMenu(permissions) {
  const held = new Set(permissions)
  return MENU.items.filter((m) => held.has(m.permission)).map((m) => m.key)
}

/** menuKeys lists the menu entries the page shows. */
export async function menuKeys(page) {
  return page.$$eval('[data-testid="side-menu"] [data-menu-key]', (els) => els.map((e) => e.getAttribute('data-menu-key')))
}

/** switchLanguage picks a UI language from the header. */
export async function switchLanguage(page, locale) {
  await page.locator('[data-testid="lang-trigger"]').first().click()
  await page.locator(`.el-dropdown-menu [data-locale="${locale}"]:visible`).click()
}

/** waitForRows waits until a table's row texts satisfy a condition. */
export async function waitForRows(page, ok, rowSel = 'tbody tr.el-table__row', tableSel = '[data-testid="users-table"]', timeout = 10_000) {
  const deadline = Date.now() + timeout
  let rows = []
  while (Date.now() < deadline) {
    rows = await page.$$eval(`${tableSel} ${rowSel}`, (els) => els.map((e) => e.textContent ?? ''))
    if (ok(rows)) return rows
    await page.waitForTimeout(200)
  }
  assert.fail(`rows never matched: ${JSON.stringify(rows.slice(0, 5))}`)
}

/** artifact is the path of a file under test-artifacts/. */
export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true })
  return join(ARTIFACTS, name)
}

/**
 * api calls the API with the page's session (the browser context's request
 * client shares its cookies) → {status, body}; multipart for uploads.
 */
export async function api(page, path, { method = 'GET', data, multipart } = {}) {
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
