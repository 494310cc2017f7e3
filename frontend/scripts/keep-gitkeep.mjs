// Vite empties dist/ before each build; the Go binary embeds dist/ and needs
// dist/.gitkeep to exist so `go build` works on a fresh clone, so put it back.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
mkdirSync(dist, { recursive: true })
const keep = join(dist, '.gitkeep')
if (!existsSync(keep)) writeFileSync(keep, '')
