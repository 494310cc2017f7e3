// The header bell and its drawer (in-app notifications).
export default {
  notifications: {
    bell: '通知',
    title: '通知',
    empty: '暂无通知',
    markAll: '全部标为已读',
    unread: '{n} 条未读',
    loadFailed: '通知加载失败',
    due: '截止 {at}',
    kinds: {
      offer_waiting: '新派工待接单：{number}',
      offer_expiring: '派工 {number} 已过 {percent}% 时限，请尽快接单或拒单',
      complaint_escalated: '投诉 {number} 已升级到第 {level} 级',
      sla_warning: '工单 {number} 的 SLA 即将超时',
      sla_breached: '工单 {number} 的 SLA 已超时',
      callback_due: '客户不满意，需主管回访：{ticket_number}',
      certificate_expiring: '认证证书 {certificate_no} 将于 {due_on} 到期（剩 {days_left} 天）',
      audit_due: '审核将于 {due_on} 到期（剩 {days_left} 天）',
    },
  },
}
