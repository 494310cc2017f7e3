// Package rbac decides role → permission with casbin v2. Policies are stored
// in the casbin_rules table (a small adapter of our own, see adapter.go) and
// seeded from DefaultPolicy on first start. Permission names are business
// verbs like "ticket:create"; routes are mapped to them in httpapi/routes.go.
// Data scope (an outlet user sees only their outlet) is not casbin's job: it
// is applied in queries (see actor.OutletScoped).
package rbac

// Permission names. Keep in sync with frontend/src/menu.ts.
const (
	UserManage        = "user:manage"
	AuditRead         = "audit:read"
	TicketRead        = "ticket:read"
	TicketCreate      = "ticket:create"
	TicketUpdate      = "ticket:update"
	TicketExport      = "ticket:export"
	CustomerRead      = "customer:read"
	CustomerUpdate    = "customer:update"
	CustomerPhoneFull = "customer:phone_unmasked"
	// CustomerErase carries out a PIPL deletion request (irreversible
	// anonymisation of a customer): the privacy officer's, i.e. admin's.
	CustomerErase       = "customer:erase"
	ProductRead         = "product:read"
	ProductManage       = "product:manage"
	OutletRead          = "outlet:read"
	OutletManage        = "outlet:manage"
	WorkOrderRead       = "workorder:read"
	WorkOrderDispatch   = "workorder:dispatch"
	WorkOrderRespond    = "workorder:respond"
	SLAManage           = "sla:manage"
	ReadinessRead       = "readiness:read"
	ReadinessRun        = "readiness:run"
	ReadinessManage     = "readiness:manage"
	EvidenceRead        = "evidence:read"
	EvidenceManage      = "evidence:manage"
	CertificationRead   = "certification:read"
	CertificationManage = "certification:manage"
	SurveyManage        = "survey:manage"
	SurveyRead          = "survey:read"
	FollowupWork        = "followup:work"
	// FollowupSupervise completes supervisor call-backs (a dissatisfied
	// customer is called back by a supervisor, not by a hotline agent).
	FollowupSupervise = "followup:supervise"
	// ConsistencyCheck runs the cross-domain consistency checker.
	ConsistencyCheck = "consistency:check"
	ComplaintRead    = "complaint:read"
	ComplaintManage  = "complaint:manage"
	KPIRead          = "kpi:read"
	JobRead          = "job:read"
	// RecallManage runs recall campaigns: create, define the affected set,
	// activate and close (quality managers own product safety).
	RecallManage = "recall:manage"
	// MessageRead lists the messages sent to customers and their templates;
	// MessageSend resends one; MessageManage edits templates and re-drives
	// dead webhook deliveries.
	MessageRead   = "message:read"
	MessageSend   = "message:send"
	MessageManage = "message:manage"
)

// DefaultPolicy is seeded into casbin_rules when the table is empty.
// Auditors read what certification needs and change nothing.
func DefaultPolicy() map[string][]string {
	readAll := []string{TicketRead, CustomerRead, ProductRead, OutletRead, WorkOrderRead, ReadinessRead, EvidenceRead,
		CertificationRead, ComplaintRead, KPIRead, AuditRead, SurveyRead}
	return map[string][]string{
		"admin": {UserManage, AuditRead, TicketRead, TicketCreate, TicketUpdate, TicketExport, CustomerRead, CustomerUpdate,
			CustomerPhoneFull, CustomerErase, ProductRead, ProductManage, OutletRead, OutletManage, WorkOrderRead, WorkOrderDispatch,
			WorkOrderRespond, SLAManage, ReadinessRead, ReadinessRun, ReadinessManage, EvidenceRead, EvidenceManage,
			CertificationRead, CertificationManage, SurveyManage, FollowupWork, FollowupSupervise, ComplaintRead, ComplaintManage, KPIRead,
			JobRead, SurveyRead, RecallManage, ConsistencyCheck, MessageRead, MessageSend, MessageManage},
		"hotline_agent": {TicketRead, TicketCreate, TicketUpdate, TicketExport, CustomerRead, CustomerUpdate, CustomerPhoneFull,
			ProductRead, OutletRead, WorkOrderRead, WorkOrderDispatch, FollowupWork, ComplaintRead, ComplaintManage, SurveyRead,
			MessageRead, MessageSend},
		"outlet_manager": {WorkOrderRead, WorkOrderRespond, OutletRead, ProductRead, TicketRead, KPIRead},
		"technician":     {WorkOrderRead, WorkOrderRespond, ProductRead},
		"quality_manager": append([]string{ReadinessRun, ReadinessManage, EvidenceManage, CertificationManage, SurveyManage,
			ComplaintManage, TicketExport, JobRead, RecallManage, FollowupWork, FollowupSupervise, MessageRead, MessageSend}, readAll...),
		"auditor": readAll,
	}
}
