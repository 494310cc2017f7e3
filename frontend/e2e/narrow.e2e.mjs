// The desktop console at phone width (issue 16): at 390×844 the sidebar is
// a drawer opened from the header, the page does not scroll sideways (tables
// scroll inside themselves), tiles reflow, and no text is squeezed to one
// character per line — on every page of the outlet manager's menu and a few
// of the agent's. Screenshots: test-artifacts/narrow-*.png.
import assert from 'node:assert/strict'
import { BASE_URL, login, MENU, scenario, shot } from './lib.mjs'

const PHONE = { width: 390, height: 844 }

/** squeezed lists the texts laid out one character per line (or nearly). */
async function squeezed(page) {
  return page.evaluate(() => {
    const out = []
    for (const el of document.querySelectorAll('.shell-main *, .shell-header *')) {
      if (el.childElementCount > 0) continue
      const text = (el.textContent ?? '').trim()
      if (text.length < 3) continue
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      const cs = getComputedStyle(el)
      if (cs.visibility === 'hidden' || cs.overflow === 'hidden' && cs.textOverflow === 'ellipsis') continue
      const fs = parseFloat(cs.fontSize) || 14
      const lh = parseFloat(cs.lineHeight) || fs * 1.5
      // three lines or more, each at most ~1.6 characters wide
      if (r.height >= lh * 2.8 && r.width <= fs * 1.6) out.push(text.slice(0, 20))
    }
    return out
  })
}

async function checkPage(page, path, name) {
  await page.goto(path)
  await page.locator('.shell-main').waitFor()
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.waitForTimeout(400)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, `${path}: the page scrolls sideways by ${overflow}px`)
  assert.deepEqual(await squeezed(page), [], `${path}: text wrapped one character per line`)
  await shot(page, `narrow-${name}`)
}

scenario('the desktop console at 390×844: sidebar in a drawer, pages reflow, no text one character per line', async ({ browser }) => {
  for (const user of ['outlet_manager', 'agent']) {
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', baseURL: BASE_URL, reducedMotion: 'reduce' })
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    try {
      await login(page, user)
      assert.equal(await page.locator('.shell-aside').count(), 0, 'no sidebar at phone width')
      await page.locator('[data-testid="menu-toggle"]').click()
      const drawer = page.locator('[data-testid="menu-drawer"] [data-testid="side-menu"]')
      await drawer.waitFor()
      const keys = await drawer.locator('[data-menu-key]').evaluateAll((els) => els.map((e) => e.getAttribute('data-menu-key')))
      assert.ok(keys.length > 0, 'the drawer lists the menu')
      await shot(page, `narrow-${user}-drawer`)
      // Picking a page closes the drawer.
      await drawer.locator(`[data-menu-key="${keys[0]}"]`).click()
      await drawer.waitFor({ state: 'hidden' })
      // Every page of the user's menu.
      for (const key of keys) {
        const item = MENU.items.find((m) => m.key === key)
        await checkPage(page, item.route, `${user}-${key}`)
      }
      assert.deepEqual(errors, [], 'uncaught errors in the page')
    } finally {
      await context.close()
    }
  }
}, { timeout: 180_000 })
