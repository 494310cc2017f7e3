// useNow is a clock that ticks every second, shared by every countdown on
// the page: one timer however many rows show one, stopped when the last
// user unmounts.
import { onBeforeUnmount, ref, type Ref } from 'vue'

const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | null = null

function start() {
  if (timer) return
  now.value = Date.now()
  timer = setInterval(() => {
    now.value = Date.now()
  }, 1000)
}

function stop() {
  if (timer) clearInterval(timer)
  timer = null
}

/** useNow returns the shared ticking time in ms; call it in a component's setup. */
export function useNow(): Readonly<Ref<number>> {
  users += 1
  start()
  onBeforeUnmount(() => {
    users -= 1
    if (users <= 0) {
      users = 0
      stop()
    }
  })
  return now
}
