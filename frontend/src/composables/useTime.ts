// useTime binds the time formatter to the signed-in user's time zone.
import { useSessionStore } from '@/stores/session'
import { formatDateTime, wallTimeToUtc } from '@/utils/time'

export function useTime() {
  const session = useSessionStore()
  return {
    /** fmt shows an API time in the user's zone. */
    fmt: (value: string | null | undefined, style: 'datetime' | 'minute' | 'date' = 'datetime') =>
      formatDateTime(value, session.timeZone, style),
    /** toApi turns a picker's wall-clock value in the user's zone into UTC RFC3339. */
    toApi: (wall: string) => wallTimeToUtc(wall, session.timeZone),
  }
}
