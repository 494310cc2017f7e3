// Simplified Chinese: the managers' reports (views/reports). Spread into
// readiness.zh-CN.ts (loaded with the certification and report pages, not
// the agent console); reports.en.ts must have the same keys.
export default {
  reports: {
    title: '报表',
    subtitle: '工单量与积压、批次故障率、技师效率；每张报表均可导出 Excel',
    tabs: { volume: '工单量与积压', failure: '批次故障率', technicians: '技师效率' },
    export: '导出 Excel',
    preparing: '正在生成…',
    exported: '已导出 {file}（{n} 行）',
    empty: '所选期间没有数据',
    none: '（未填写）',
    volume: {
      by: { product: '按产品型号', fault_code: '按故障代码', region: '按地区', lot: '按生产批次' },
      code: '编码',
      volume: '新建工单量',
      backlog: '期末积压',
      total: '合计：新建 {volume} 单，期末积压 {backlog} 单',
      hint: '新建工单量：期间内新建的工单；期末积压：期末仍未解决的工单（含期间之前创建的）。已合并的工单不计。',
    },
    failure: {
      threshold: '预警阈值',
      thresholdLine: '预警 {p}%',
      lot: '生产批次',
      model: '型号',
      installed: '在用台数',
      repairs: '维修单数',
      unitsRepaired: '维修台数',
      rate: '故障率',
      status: '状态',
      warning: '预警',
      warnings: '{n} 个批次的故障率达到预警阈值 {p}',
      hint: '故障率 = 期间内受理的维修单数 ÷ 期末在用台数。在用台数：该批次中安装时间（无则购买日期；均无而已登记给客户的，取登记时间）早于期末的整机，不论此后是否退换；未售出且无日期的视为库存。',
    },
    tech: {
      name: '技师',
      outlet: '网点',
      completed: '完工单数',
      ftf: '一次修复率',
      onSite: '平均在场时长（分钟）',
      hint: '按期间内完工的工单统计；一次修复：完工后 30 天内同一设备没有新的派工；在场时长：到场签到至完工。',
    },
  },
}
