// Region names for GB/T 2260 codes shown in lists (work orders carry only
// the code). Codes are looked up once per session through
// GET /regions/search and shared between views.
import { reactive } from 'vue'
import { searchRegions } from '@/api/regions'

interface Entry {
  name: string
  fullName: string
}

const cache = reactive(new Map<string, Entry>())
const pending = new Set<string>()

async function resolve(code: string): Promise<void> {
  pending.add(code)
  try {
    const found = (await searchRegions(code, 5)).find((r) => r.code === code)
    cache.set(code, found ? { name: found.name, fullName: found.full_name } : { name: code, fullName: code })
  } catch {
    // Leave it out of the cache so a later view may try again; show the code meanwhile.
  } finally {
    pending.delete(code)
  }
}

/** useRegionNames returns lookups that show a code's name once it is known (the code until then). */
export function useRegionNames() {
  function want(code: string | null | undefined) {
    if (code && !cache.has(code) && !pending.has(code)) void resolve(code)
  }
  return {
    /** name is the region's own name, e.g. 南山区. */
    name(code: string | null | undefined): string {
      if (!code) return '—'
      want(code)
      return cache.get(code)?.name ?? code
    },
    /** fullName is the whole path, e.g. 广东省 深圳市 南山区. */
    fullName(code: string | null | undefined): string {
      if (!code) return '—'
      want(code)
      return cache.get(code)?.fullName ?? code
    },
  }
}
