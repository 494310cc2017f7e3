// The phone app's precache list: of the files workbox found in dist/, keep
// the /m page, its static files (public/m) and every chunk the mobile entry
// can load (static and dynamic imports, their CSS), read from Vite's build
// manifest. The desktop console's chunks (Element Plus, ECharts) stay out.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')

/** mobileFiles lists the dist paths the mobile entry can load. */
export function mobileFiles(manifest) {
  const out = new Set()
  const walk = (key) => {
    const c = manifest[key]
    if (!c || out.has(c.file)) return
    out.add(c.file)
    for (const css of c.css ?? []) out.add(css)
    for (const a of c.assets ?? []) out.add(a)
    for (const k of [...(c.imports ?? []), ...(c.dynamicImports ?? [])]) walk(k)
  }
  walk('m/index.html')
  return out
}

/** mobileShellOnly is a workbox manifestTransform. */
export async function mobileShellOnly(entries) {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'))
  const keep = mobileFiles(manifest)
  const manifestEntries = entries.filter((e) => keep.has(e.url) || e.url.startsWith('m/'))
  return { manifest: manifestEntries, warnings: [] }
}
