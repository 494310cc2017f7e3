// useDialogAction runs the one action of a dialog that changes a record
// (correct a unit's purchase, transfer it, merge or erase a customer …):
// busy while the request runs; on success the dialog closes and done runs
// (the success message, the event to the parent); a failure — a version
// conflict when someone else changed the record meanwhile, a field the
// server refused — shows as an error message and leaves the dialog open
// with what was typed; a dialog that puts field errors on its form passes
// fail to show the failure itself. onOpen, when given, fills the form each
// time the dialog opens.
import { ref, watch, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import { describeError } from '@/api/errors'

export function useDialogAction(open: Ref<boolean>, onOpen?: () => void) {
  const i18n = useI18n()
  const busy = ref(false)
  if (onOpen) watch(open, (o) => o && onOpen())

  const message = (err: unknown) => {
    ElMessage.error(describeError(err, i18n))
  }

  async function run<R>(action: () => Promise<R>, done: (result: R) => void, fail: (err: unknown) => void = message) {
    busy.value = true
    try {
      const result = await action()
      open.value = false
      done(result)
    } catch (err) {
      fail(err)
    } finally {
      busy.value = false
    }
  }

  return { busy, run, t: i18n.t, i18n }
}
