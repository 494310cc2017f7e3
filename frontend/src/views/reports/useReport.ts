// Loads one report whenever its query changes; a late answer to an older
// query is dropped.
import { ref, watch, type Ref, type WatchSource } from 'vue'
import { useI18n } from 'vue-i18n'
import { describeError } from '@/api/errors'

export function useReport<T>(load: () => Promise<T>, deps: WatchSource[]) {
  const i18n = useI18n()
  const data = ref<T | null>(null) as Ref<T | null>
  const loading = ref(false)
  const error = ref('')
  let seq = 0
  async function run() {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const v = await load()
      if (mine === seq) data.value = v
    } catch (err) {
      if (mine === seq) {
        data.value = null
        error.value = describeError(err, i18n)
      }
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  watch(deps, () => void run(), { immediate: true, deep: true })
  return { data, loading, error, reload: run }
}
