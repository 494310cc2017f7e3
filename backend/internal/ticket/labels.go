package ticket

import "github.com/aftersales/aftersales/backend/internal/sla"

// The zh-CN labels of the ticket's codes, as exports and printouts show
// them (the UI has its own in frontend/src/i18n). An unknown code shows as
// itself.
var (
	channelLabels = map[string]string{ChannelPhone: "电话", ChannelWeb: "网页", ChannelOnline: "在线", ChannelWalkIn: "到店",
		ChannelWeChat: "微信"}
	priorityLabels    = map[string]string{PriorityLow: "低", PriorityNormal: "普通", PriorityHigh: "高", PriorityUrgent: "紧急"}
	closeReasonLabels = map[string]string{"resolved": "已解决", "merged": "已合并"}
	clockStateLabels  = map[sla.State]string{sla.StateNotStarted: "未开始", sla.StateRunning: "计时中", sla.StateWarning: "即将超时",
		sla.StatePaused: "暂停", sla.StateMet: "已达成", sla.StateBreached: "已超时", sla.StateStopped: "已停止"}
)

func label(m map[string]string, code string) string {
	if l, ok := m[code]; ok {
		return l
	}
	return code
}

// ChannelLabel returns the zh-CN name of a channel.
func ChannelLabel(c string) string { return label(channelLabels, c) }

// PriorityLabel returns the zh-CN name of a priority.
func PriorityLabel(p string) string { return label(priorityLabels, p) }

// TypeLabel returns the zh-CN name of a ticket type.
func TypeLabel(t string) string { return typeLabel(t) }

// CloseReasonLabel returns the zh-CN name of a stored close reason (free
// text reasons show as written).
func CloseReasonLabel(r string) string { return label(closeReasonLabels, r) }

func clockStateLabel(s sla.State) string {
	if l, ok := clockStateLabels[s]; ok {
		return l
	}
	return string(s)
}
