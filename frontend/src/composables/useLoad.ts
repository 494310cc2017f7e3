// useLoad runs the load of a view or panel: loading while it runs, and the
// error to show (in the user's language) when it fails, cleared when the
// next load starts. The view keeps what the load reads; fetch stores it.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { describeError } from '@/api/errors'

export function useLoad<A extends unknown[]>(fetch: (...args: A) => Promise<unknown>) {
  const i18n = useI18n()
  const loading = ref(false)
  const error = ref('')

  async function load(...args: A) {
    loading.value = true
    error.value = ''
    try {
      await fetch(...args)
    } catch (err) {
      error.value = describeError(err, i18n)
    } finally {
      loading.value = false
    }
  }

  return { loading, error, load }
}
