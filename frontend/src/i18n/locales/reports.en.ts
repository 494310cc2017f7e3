// English: the managers' reports (views/reports). Same keys as
// reports.zh-CN.ts.
export default {
  reports: {
    title: 'Reports',
    subtitle: 'Volume and backlog, failure rate per production lot, technician productivity; every report exports to Excel',
    tabs: { volume: 'Volume & backlog', failure: 'Failure rate per lot', technicians: 'Technician productivity' },
    export: 'Export Excel',
    preparing: 'Preparing…',
    exported: 'Exported {file} ({n} rows)',
    empty: 'No data in the selected period',
    none: '(not recorded)',
    volume: {
      by: { product: 'By model', fault_code: 'By fault code', region: 'By region', lot: 'By production lot' },
      code: 'Code',
      volume: 'New tickets',
      backlog: 'Backlog at end',
      total: 'Total: {volume} new, {backlog} open at the end',
      hint: 'New tickets: created in the period. Backlog: not resolved at its end (including older tickets). Merged tickets count in neither.',
    },
    failure: {
      threshold: 'Warning threshold',
      thresholdLine: 'Warning {p}%',
      lot: 'Production lot',
      model: 'Model',
      installed: 'Installed units',
      repairs: 'Repairs',
      unitsRepaired: 'Units repaired',
      rate: 'Failure rate',
      status: 'Status',
      warning: 'Warning',
      warnings: '{n} lot(s) at or above the warning threshold of {p}',
      hint: 'Failure rate = repairs received in the period ÷ installed units at its end. Installed: units of the lot installed (else bought, else registered to a customer) before the end, whatever happened since; unsold units without a date are stock.',
    },
    tech: {
      name: 'Technician',
      outlet: 'Outlet',
      completed: 'Jobs completed',
      ftf: 'First-time fix',
      onSite: 'Avg. time on site (min)',
      hint: 'Jobs completed in the period; first-time fix: no new work order on the same unit within 30 days; time on site: check-in to completion.',
    },
  },
}
