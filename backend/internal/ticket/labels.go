package ticket

import (
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// The message ids (package i18n, label.* namespace) of the ticket's codes,
// as exports show them in the reader's language (the UI has its own labels
// in frontend/src/i18n). An unknown code shows as itself.
var (
	channelLabels = map[string]string{ChannelPhone: "label.ticket.channel.phone", ChannelWeb: "label.ticket.channel.web",
		ChannelOnline: "label.ticket.channel.online", ChannelWalkIn: "label.ticket.channel.walk_in", ChannelWeChat: "label.ticket.channel.wechat"}
	priorityLabels = map[string]string{PriorityLow: "label.ticket.priority.low", PriorityNormal: "label.ticket.priority.normal",
		PriorityHigh: "label.ticket.priority.high", PriorityUrgent: "label.ticket.priority.urgent"}
	typeLabelIDs = map[string]string{TypeConsultation: "label.ticket.type.consultation", TypeInstallation: "label.ticket.type.installation",
		TypeRepair: "label.ticket.type.repair", TypeComplaint: "label.ticket.type.complaint", TypeReturnExchange: "label.ticket.type.return_exchange",
		TypeRecall: "label.ticket.type.recall", TypeOther: "label.ticket.type.other"}
	statusLabelIDs = map[string]string{StatusNew: "label.ticket.status.new", StatusAssigned: "label.ticket.status.assigned",
		StatusInProgress: "label.ticket.status.in_progress", StatusWaitingCustomer: "label.ticket.status.waiting_customer",
		StatusWaitingParts: "label.ticket.status.waiting_parts", StatusResolved: "label.ticket.status.resolved",
		StatusClosed: "label.ticket.status.closed"}
	closeReasonLabels = map[string]string{"resolved": "label.ticket.close_reason.resolved", "merged": "label.ticket.close_reason.merged"}
	clockStateLabels  = map[string]string{string(sla.StateNotStarted): "label.sla.state.not_started", string(sla.StateRunning): "label.sla.state.running",
		string(sla.StateWarning): "label.sla.state.warning", string(sla.StatePaused): "label.sla.state.paused",
		string(sla.StateMet): "label.sla.state.met", string(sla.StateBreached): "label.sla.state.breached",
		string(sla.StateStopped): "label.sla.state.stopped"}
	clockTargetLabels = map[string]string{string(sla.TargetFirstResponse): "label.sla.target.first_response",
		string(sla.TargetOutletAccept): "label.sla.target.outlet_accept", string(sla.TargetCustomerContact): "label.sla.target.customer_contact",
		string(sla.TargetOnsiteArrival): "label.sla.target.onsite_arrival", string(sla.TargetResolution): "label.sla.target.resolution"}
	yesNoLabels = map[bool]string{true: "label.common.yes", false: "label.common.no"}
)

// ChannelLabel returns the name of a channel in tr's language.
func ChannelLabel(tr i18n.Translator, c string) string { return tr.Label(channelLabels, c) }

// PriorityLabel returns the name of a priority in tr's language.
func PriorityLabel(tr i18n.Translator, p string) string { return tr.Label(priorityLabels, p) }

// TypeLabel returns the name of a ticket type in tr's language.
func TypeLabel(tr i18n.Translator, t string) string { return tr.Label(typeLabelIDs, t) }

// StatusName returns the name of a status in tr's language (StatusLabel is
// the zh-CN one the timeline records).
func StatusName(tr i18n.Translator, s string) string { return tr.Label(statusLabelIDs, s) }

// CloseReasonLabel returns the name of a stored close reason in tr's
// language (free text reasons show as written).
func CloseReasonLabel(tr i18n.Translator, r string) string { return tr.Label(closeReasonLabels, r) }

func clockStateLabel(tr i18n.Translator, s sla.State) string {
	return tr.Label(clockStateLabels, string(s))
}

func clockTargetLabel(tr i18n.Translator, t sla.Target) string {
	return tr.Label(clockTargetLabels, string(t))
}

func yesNo(tr i18n.Translator, b bool) string { return tr.T(yesNoLabels[b]) }
