import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent } from 'vue'
import { ApiError } from '@/api/errors'
import { i18n } from '@/i18n'
import { useLoad } from '@/composables/useLoad'
import { useFormSubmit } from '@/composables/useFormSubmit'
import { usePagedList } from '@/composables/usePagedList'

/** withSetup runs a composable inside a mounted component (it needs useI18n). */
function withSetup<T>(use: () => T): T {
  let result: T | undefined
  mount(defineComponent({ setup: () => ((result = use()), () => null) }), { global: { plugins: [i18n] } })
  return result as T
}

describe('useLoad', () => {
  it('is loading while the fetch runs and stores nothing on success', async () => {
    let resolve!: () => void
    const { loading, error, load } = withSetup(() => useLoad(() => new Promise<void>((r) => (resolve = r))))
    const done = load()
    expect(loading.value).toBe(true)
    resolve()
    await done
    expect(loading.value).toBe(false)
    expect(error.value).toBe('')
  })

  it('describes a failure in the user language and clears it on the next load', async () => {
    i18n.global.locale.value = 'en'
    let fail = true
    const { loading, error, load } = withSetup(() =>
      useLoad(async () => {
        if (fail) throw new ApiError({ status: 404, code: 'not_found' })
      }),
    )
    await load()
    expect(loading.value).toBe(false)
    expect(error.value).not.toBe('')
    fail = false
    const again = load()
    expect(error.value).toBe('')
    await again
    expect(error.value).toBe('')
  })

  it('passes its arguments to the fetch', async () => {
    const seen: number[] = []
    const { load } = withSetup(() => useLoad(async (n: number) => void seen.push(n)))
    await load(7)
    expect(seen).toEqual([7])
  })
})

describe('usePagedList', () => {
  it('reads the page and size, keeps rows and total, and search goes back to page 1', async () => {
    const asked: { page: number; size: number }[] = []
    const list = withSetup(() =>
      usePagedList(async (paging) => {
        asked.push(paging)
        return { items: [paging.page], total: 42 }
      }, { size: 10 }),
    )
    list.page.value = 3
    await list.load()
    expect(list.rows.value).toEqual([3])
    expect(list.total.value).toBe(42)
    await list.search()
    await flushPromises()
    expect(asked).toEqual([
      { page: 3, size: 10 },
      { page: 1, size: 10 },
    ])
  })

  it('shows the failure and keeps the rows it had', async () => {
    let fail = false
    const list = withSetup(() =>
      usePagedList(async () => {
        if (fail) throw new Error('offline')
        return { items: ['a'], total: null }
      }),
    )
    await list.load()
    expect(list.total.value).toBe(0)
    fail = true
    await list.load()
    expect(list.error.value).not.toBe('')
    expect(list.rows.value).toEqual(['a'])
  })
})

describe('useFormSubmit', () => {
  it('puts the server field errors on the form and nothing in the alert', async () => {
    const f = withSetup(() => useFormSubmit({ fields: ['name'] }))
    await f.run(async () => {
      throw new ApiError({ status: 422, code: 'validation_failed', fields: { name: 'too long' } })
    })
    expect(f.busy.value).toBe(false)
    expect(f.errors.value).toEqual({ name: 'too long' })
    expect(f.alert.value).toBe('')
  })

  it('shows a failure on no field of the form in the alert, a stale version with its own message', async () => {
    i18n.global.locale.value = 'en'
    const f = withSetup(() => useFormSubmit({ fields: ['name'], stale: 'adminOutlets.stale' }))
    await f.run(async () => {
      throw new ApiError({ status: 422, code: 'validation_failed', fields: { other: 'bad' } })
    })
    expect(f.alert.value).not.toBe('')
    await f.run(async () => {
      throw new ApiError({ status: 409, code: 'conflict' })
    })
    expect(f.alert.value).toBe(i18n.global.t('adminOutlets.stale'))
  })

  it('clears the errors when it sends again and is busy meanwhile', async () => {
    const f = withSetup(() => useFormSubmit())
    f.errors.value = { name: 'x' }
    f.alert.value = 'y'
    let busyInside = false
    await f.run(async () => {
      busyInside = f.busy.value
      expect(f.errors.value).toEqual({})
      expect(f.alert.value).toBe('')
    })
    expect(busyInside).toBe(true)
    expect(f.busy.value).toBe(false)
  })
})
