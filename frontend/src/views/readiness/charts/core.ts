// ECharts core with the canvas renderer. Each chart family registers itself
// in its own module (gauge.ts for the dashboard's first paint, full.ts for
// the trend and KPI charts), so the gauge does not wait for the others.
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

use([CanvasRenderer])

/**
 * animate is false under automation (navigator.webdriver), so browser-test
 * screenshots and timings are stable.
 */
export function animate(): boolean {
  return !(typeof navigator !== 'undefined' && navigator.webdriver)
}
