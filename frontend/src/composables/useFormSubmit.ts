// useFormSubmit is the state of a form the server checks: busy while it is
// sent, the field errors for the form items, and the alert for a failure no
// field of the form shows. fields lists the form's fields (without it, any
// field error shows on the form); stale, when given, is the message key for a
// version conflict that names no field (someone else saved the record
// meanwhile).
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ApiError, describeError, formErrors } from '@/api/errors'

export function useFormSubmit(opts: { fields?: readonly string[]; stale?: string } = {}) {
  const i18n = useI18n()
  const busy = ref(false)
  const errors = ref<Record<string, string>>({})
  const alert = ref('')

  /** clear forgets the errors shown (the form opens again). */
  function clear() {
    errors.value = {}
    alert.value = ''
  }

  /** fail shows err: on the form's fields, or else in the alert. */
  function fail(err: unknown) {
    errors.value = formErrors(err, {}, i18n)
    const onFields = Object.keys(errors.value).some((k) => !opts.fields || opts.fields.includes(k))
    if (onFields) return
    const stale = opts.stale && err instanceof ApiError && err.status === 409 && !err.detailField
    alert.value = stale ? i18n.t(opts.stale!) : describeError(err, i18n)
  }

  /** run clears the errors and runs send while busy; a failure shows on the form. */
  async function run(send: () => Promise<unknown>) {
    busy.value = true
    clear()
    try {
      await send()
    } catch (err) {
      fail(err)
    } finally {
      busy.value = false
    }
  }

  return { busy, errors, alert, clear, fail, run }
}
