// usePagedList is the list half of a list page: the rows of the current
// page, the total, the loading flag and the error to show, for a list the
// server pages by number (page, size) or by keyset ("load more" with
// before_id). The view keeps its own filters and passes a fetch that reads
// them; search() goes back to the first page.
import { ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { describeError } from '@/api/errors'
import { useLoad } from './useLoad'

/** A page of a list paged by number; total may be missing on some lists. */
export interface NumberedPage<T> {
  items?: T[] | null
  total?: number | null
}

/** usePagedList pages a list by number. */
export function usePagedList<T>(fetch: (paging: { page: number; size: number }) => Promise<NumberedPage<T>>, opts: { size?: number } = {}) {
  const rows = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const size = ref(opts.size ?? 20)

  const { loading, error, load } = useLoad(async () => {
    const res = await fetch({ page: page.value, size: size.value })
    rows.value = res.items ?? []
    total.value = res.total ?? 0
  })

  /** search reloads from the first page (the filters changed). */
  function search() {
    page.value = 1
    return load()
  }

  return { rows, total, page, size, loading, error, load, search }
}

/** A page of a list paged by keyset: the id to continue before, null at the end. */
export interface KeysetPage<T> {
  items: T[]
  next_before_id: number | null
}

/** useKeysetList pages a list newest first by "load more" (before_id). */
export function useKeysetList<T>(fetch: (beforeId: number | undefined) => Promise<KeysetPage<T>>) {
  const i18n = useI18n()
  const rows = ref([]) as Ref<T[]>
  const nextBeforeId = ref<number | null>(null)
  const loading = ref(false)
  const error = ref('')

  /** load reads the first page, or with more the page after the rows shown. */
  async function load(more = false) {
    loading.value = true
    error.value = ''
    try {
      const page = await fetch(more && nextBeforeId.value ? nextBeforeId.value : undefined)
      rows.value = more ? [...rows.value, ...page.items] : page.items
      nextBeforeId.value = page.next_before_id
    } catch (err) {
      error.value = describeError(err, i18n)
      if (!more) rows.value = []
    } finally {
      loading.value = false
    }
  }

  return { rows, nextBeforeId, loading, error, load }
}
