// ECharts, tree-shaken: only the chart types and components the readiness,
// certification and KPI pages draw. Imported by those views only, so other
// pages never load it.
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { BarChart, GaugeChart, LineChart, PieChart } from 'echarts/charts'
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components'

use([
  CanvasRenderer,
  GaugeChart,
  LineChart,
  BarChart,
  PieChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  MarkAreaComponent,
  DataZoomComponent,
])

/**
 * animate is false under automation (navigator.webdriver), so browser-test
 * screenshots and timings are stable.
 */
export function animate(): boolean {
  return !(typeof navigator !== 'undefined' && navigator.webdriver)
}
