// The header bell and its drawer (in-app notifications).
export default {
  notifications: {
    bell: 'Notifications',
    title: 'Notifications',
    empty: 'No notifications',
    markAll: 'Mark all as read',
    unread: '{n} unread',
    loadFailed: 'Could not load notifications',
    due: 'Due {at}',
    kinds: {
      offer_waiting: 'New work order waiting for your outlet: {number}',
      offer_expiring: 'Offer {number} has used {percent}% of its time: accept or reject it now',
      complaint_escalated: 'Complaint {number} escalated to level {level}',
      sla_warning: 'SLA of ticket {number} is about to run out',
      sla_breached: 'SLA of ticket {number} has been breached',
      callback_due: 'Dissatisfied customer: supervisor call-back due for {ticket_number}',
      certificate_expiring: 'Certificate {certificate_no} expires on {due_on} ({days_left} days left)',
      audit_due: 'Audit due on {due_on} ({days_left} days left)',
    },
  },
}
