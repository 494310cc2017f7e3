// The gauge chart only: what the readiness dashboard needs for its first paint.
import { use } from 'echarts/core'
import { GaugeChart } from 'echarts/charts'
import './core'

use([GaugeChart])
