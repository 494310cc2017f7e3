package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/consistency"
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/readiness"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/backend/internal/survey"
)

// Access levels that are not casbin permissions.
const (
	// Public routes need no login (health, login, the customer's pages).
	Public = "public"
	// Authenticated routes need a login but no particular permission.
	Authenticated = "authenticated"
)

// HandlerFunc is a route's handler. It writes the answer itself and returns
// nil, or returns the error; handle writes every error the one way (fail).
type HandlerFunc func(c *gin.Context) error

// Route is one line of the route table: method, path, the permission it
// requires, the handler, and its OpenAPI summary.
type Route struct {
	Method     string
	Path       string
	Permission string
	Handler    HandlerFunc
	Summary    string
	Tag        string
	// Types declares the request and response types: reply[Resp]() or
	// takes[Req, Resp]() (see contract.go). The OpenAPI document and the
	// frontend's generated types come from it; TestRoutesDeclareTypes fails
	// for a route that declares none.
	Types any
}

// Routes is THE route table. Every API route is listed here with its
// permission; a test walks it and fails for any route without one, or
// without an allow/deny expectation for every role.
func (s *Server) Routes() []Route {
	routes := []Route{
		// Platform
		{"GET", "/healthz", Public, s.healthz, "Liveness: the process is up", "platform", reply[Untyped]()},
		{"GET", "/readyz", Public, s.readyz, "Readiness: the database answers", "platform", reply[Untyped]()},
		{"GET", "/api/v1/openapi.json", Public, s.openapi, "This OpenAPI document", "platform", reply[map[string]any]()},

		// Identity
		{"POST", "/api/v1/auth/login", Public, s.login, "Log in; returns a session token and sets the session cookie", "auth", takes[LoginRequest, Untyped]()},
		{"POST", "/api/v1/auth/logout", Authenticated, s.logout, "Revoke the current session", "auth", reply[NoContent]()},
		{"POST", "/api/v1/auth/password", Authenticated, s.changePassword, "Change one's own password (revokes other sessions)", "auth", takes[ChangePasswordRequest, NoContent]()},
		{"GET", "/api/v1/me", Authenticated, s.me, "The current user, roles and permissions", "auth", reply[MeResponse]()},
		{"GET", "/api/v1/ws", Authenticated, s.websocket, "WebSocket live channel (subscribe to topics)", "live", upgrade()},

		// One's own in-app notifications (pushed live on topic user:<id>)
		{"GET", "/api/v1/notifications", Authenticated, s.listNotifications, "My notifications, newest first (paged; unread=true for the unread ones) with the unread count", "notifications", reply[Untyped]()},
		{"GET", "/api/v1/notifications/unread-count", Authenticated, s.unreadNotifications, "My unread notification count", "notifications", reply[Untyped]()},
		{"POST", "/api/v1/notifications/:id/read", Authenticated, s.readNotification, "Mark one of my notifications read", "notifications", reply[NotificationResponse]()},
		{"POST", "/api/v1/notifications/read-all", Authenticated, s.readAllNotifications, "Mark all my notifications read", "notifications", reply[Untyped]()},
		// Web Push to this browser (issue 16): the VAPID key, subscribe, unsubscribe
		{"GET", "/api/v1/push", Authenticated, s.pushConfig, "Whether Web Push is on, the VAPID public key to subscribe with, and how many of my browsers are subscribed", "notifications", reply[PushConfigResponse]()},
		{"POST", "/api/v1/push/subscriptions", Authenticated, s.pushSubscribe, "Store this browser's push subscription for me (https endpoint, p256dh and auth keys; 400 push_disabled without VAPID keys)", "notifications", takes[PushSubscriptionRequest, PushConfigResponse]().status(201)},
		{"POST", "/api/v1/push/unsubscribe", Authenticated, s.pushUnsubscribe, "Forget one of my browsers' push subscriptions (404 when it is not mine)", "notifications", takes[PushUnsubscribeRequest, PushConfigResponse]()},

		// Users administration
		{"GET", "/api/v1/users", rbac.UserManage, s.listUsers, "List users", "users", reply[Page[UserResponse]]()},
		{"POST", "/api/v1/users", rbac.UserManage, s.createUser, "Create a user", "users", takes[CreateUserRequest, UserResponse]().status(201)},
		{"GET", "/api/v1/users/:id", rbac.UserManage, s.getUser, "Get a user", "users", reply[UserResponse]()},
		{"PUT", "/api/v1/users/:id/roles", rbac.UserManage, s.setUserRoles, "Set a user's roles and outlet scope", "users", takes[SetRolesRequest, UserResponse]()},
		{"POST", "/api/v1/users/:id/disable", rbac.UserManage, s.disableUser, "Disable a user and revoke their sessions", "users", reply[UserResponse]()},
		{"POST", "/api/v1/users/:id/enable", rbac.UserManage, s.enableUser, "Re-enable a user", "users", reply[UserResponse]()},
		{"POST", "/api/v1/users/:id/password", rbac.UserManage, s.resetUserPassword, "Reset a user's password", "users", takes[ResetPasswordRequest, NoContent]()},
		{"GET", "/api/v1/admin/consistency", rbac.ConsistencyCheck, s.consistencyCheck, "Walk the cross-domain invariants (as `aftersales check`) and name every violating record (?max per invariant)", "admin", reply[consistency.Report]()},
		{"GET", "/api/v1/roles", rbac.UserManage, s.listRoles, "Roles and their permissions", "users", reply[Untyped]()},
		{"PUT", "/api/v1/roles/:role/permissions/:permission", rbac.UserManage, s.grantRolePermission, "Grant a role a permission (audited; every instance reloads)", "users", reply[rbac.Grant]()},
		{"DELETE", "/api/v1/roles/:role/permissions/:permission", rbac.UserManage, s.revokeRolePermission, "Revoke a role's permission; a revoked default stays revoked across upgrades", "users", reply[NoContent]()},

		// Audit trail and jobs
		{"GET", "/api/v1/audit", rbac.AuditRead, s.listAudit, "Audit trail, newest first (keyset by id)", "audit", reply[Keyset[audit.Record]]()},
		{"GET", "/api/v1/audit/verify", rbac.AuditRead, s.verifyAudit, "Verify the audit hash chain", "audit", reply[audit.VerifyResult]()},
		{"GET", "/api/v1/jobs/runs", rbac.JobRead, s.listJobRuns, "Recent scheduled job runs", "jobs", reply[List[scheduler.JobRun]]()},
		{"GET", "/api/v1/privacy/access-log", rbac.AuditRead, s.listPIIAccess, "PIPL access log: who saw which customer's phone or address, through which job, when (customer_id, user_id, work_order_id, from, to, before_id, size)", "audit", reply[Keyset[PIIAccessResponse]]()},

		// == The one search (handlers_search.go)
		{"GET", "/api/v1/search", rbac.TicketRead, s.search, "Find anything from what the caller says (?q=): ticket/work order/complaint number or last digits, phone or last 4 digits (with a name: 张 1234), serial, name or address fragment; typed hits grouped by kind, best first, within the caller's scope", "search", reply[SearchResponse]()},

		// == Regions, customers, products, units and warranty (customer, product, region)
		{"GET", "/api/v1/regions", Authenticated, s.listRegions, "Child regions of ?parent= (provinces without it)", "regions", reply[List[RegionResponse]]()},
		{"GET", "/api/v1/regions/search", Authenticated, s.searchRegions, "Find regions by code prefix or name (?q=&limit=)", "regions", reply[List[RegionResponse]]()},
		{"GET", "/api/v1/customers", rbac.CustomerRead, s.listCustomers, "Screen-pop by ?phone=, or list customers whose name or address contains ?q= (a phone or its last 4 digits too; page, size)", "customers", reply[Untyped]()},
		{"POST", "/api/v1/customers", rbac.CustomerUpdate, s.createCustomer, "Create a customer with phones and addresses (409 duplicate_phone)", "customers", takes[CreateCustomerRequest, CustomerProfileResponse]().status(201)},
		{"GET", "/api/v1/customers/:id", rbac.CustomerRead, s.getCustomer, "A customer with phones and addresses", "customers", reply[CustomerProfileResponse]()},
		{"PATCH", "/api/v1/customers/:id", rbac.CustomerUpdate, s.updateCustomer, "Change a customer's name, kind or consent (version required)", "customers", takes[UpdateCustomerRequest, CustomerResponse]()},
		{"POST", "/api/v1/customers/:id/phones", rbac.CustomerUpdate, s.addCustomerPhone, "Add a phone number to a customer", "customers", takes[PhoneInput, PhoneResponse]().status(201)},
		{"POST", "/api/v1/customers/:id/addresses", rbac.CustomerUpdate, s.addCustomerAddress, "Add an address to a customer", "customers", takes[AddressInput, AddressResponse]().status(201)},
		{"PATCH", "/api/v1/customers/:id/phones/:phone_id", rbac.CustomerUpdate, s.updateCustomerPhone, "Correct a phone (number, label; primary=true makes it the primary one) at the customer's version (409 version_conflict, duplicate_phone, customer_merged)", "customers", takes[UpdatePhoneRequest, CustomerProfileResponse]()},
		{"DELETE", "/api/v1/customers/:id/phones/:phone_id", rbac.CustomerUpdate, s.removeCustomerPhone, "Remove a phone at the customer's version; removing the primary names new_primary_id (422), the last phone stays (409 last_phone)", "customers", takes[RemovePhoneRequest, CustomerProfileResponse]()},
		{"PATCH", "/api/v1/customers/:id/addresses/:address_id", rbac.CustomerUpdate, s.updateCustomerAddress, "Correct an address (region, detail; default=true makes it the default) at the customer's version; the search index follows", "customers", takes[UpdateAddressRequest, CustomerProfileResponse]()},
		{"DELETE", "/api/v1/customers/:id/addresses/:address_id", rbac.CustomerUpdate, s.removeCustomerAddress, "Remove an address at the customer's version; removing the default of several names new_default_id (422)", "customers", takes[RemoveAddressRequest, CustomerProfileResponse]()},
		{"POST", "/api/v1/customers/:id/merge", rbac.CustomerUpdate, s.mergeCustomer, "Merge duplicate_id into this customer in one transaction: phones, addresses, units, tickets, work orders, complaints, surveys, repairs, returns, recalls and messages move; the duplicate is kept as merged_into; audited with the counts (409 on either stale version)", "customers", takes[MergeCustomerRequest, MergeCustomerResponse]()},
		{"POST", "/api/v1/customers/:id/erasure", rbac.CustomerErase, s.eraseCustomer, "Carry out a PIPL deletion request: record it (requester, channel, when, handled by) and anonymise the customer irreversibly; tickets and statistics stay countable (409 already_erased)", "customers", takes[EraseCustomerRequest, ErasureRequestResponse]().status(201)},
		{"GET", "/api/v1/customers/:id/erasure", rbac.CustomerRead, s.getErasureRequest, "The kept record of a customer's PIPL deletion request (404 when none)", "customers", reply[ErasureRequestResponse]()},
		{"GET", "/api/v1/product-categories", rbac.ProductRead, s.listProductCategories, "Product categories with their 三包 policy", "products", reply[List[CategoryResponse]]()},
		{"POST", "/api/v1/product-categories", rbac.ProductManage, s.createProductCategory, "Create a product category", "products", takes[CreateCategoryRequest, CategoryResponse]().status(201)},
		{"PATCH", "/api/v1/product-categories/:id", rbac.ProductManage, s.updateProductCategory, "Change a category's name or policy (version required)", "products", takes[UpdateCategoryRequest, CategoryResponse]()},
		{"GET", "/api/v1/product-models", rbac.ProductRead, s.listProductModels, "Product models (?category_id=&q=<code prefix>)", "products", reply[Page[ModelResponse]]()},
		{"POST", "/api/v1/product-models", rbac.ProductManage, s.createProductModel, "Create a product model", "products", takes[CreateModelRequest, ModelResponse]().status(201)},
		{"PATCH", "/api/v1/product-models/:id", rbac.ProductManage, s.updateProductModel, "Change a model (null clears a policy override; version required)", "products", takes[UpdateModelRequest, ModelResponse]()},
		{"POST", "/api/v1/units", rbac.CustomerUpdate, s.registerUnit, "Register a unit by serial number", "units", takes[RegisterUnitRequest, UnitCardResponse]().status(201)},
		{"GET", "/api/v1/units", rbac.ProductRead, s.listUnits, "A customer's units with warranty (?customer_id=; who may see the customer: as GET /customers/{id}, outlet users through a job of their outlet)", "units", reply[List[UnitCardResponse]]()},
		{"PATCH", "/api/v1/units/:serial/purchase", rbac.CustomerUpdate, s.correctUnitPurchase, "Correct a unit's purchase data (date, invoice number, seller, price) with a proof (proof_attachment_id or purchase_proof) and a reason, at its version", "units", takes[CorrectPurchaseRequest, UnitCardResponse]()},
		{"POST", "/api/v1/units/:serial/transfer", rbac.CustomerUpdate, s.transferUnit, "Give a unit to another customer with a reason; the history stays with the serial and the passport lists previous owners (409 same_owner, unit_deactivated)", "units", takes[TransferUnitRequest, UnitCardResponse]()},
		{"POST", "/api/v1/units/:serial/deactivate", rbac.CustomerUpdate, s.deactivateUnit, "Mark a unit scrapped or lost with a reason; it gets no new tickets (409 unit_deactivated on ticket creation)", "units", takes[DeactivateUnitRequest, UnitCardResponse]()},
		{"POST", "/api/v1/units/:serial/reactivate", rbac.CustomerUpdate, s.reactivateUnit, "Make a scrapped or lost unit active again, with a reason (409 unit_not_deactivated)", "units", takes[ReactivateUnitRequest, UnitCardResponse]()},
		{"GET", "/api/v1/units/:serial", rbac.ProductRead, s.unitPassport, "The unit passport: warranty, flags, full history and the owner for those who may see them (as GET /customers/{id}; outlet users through a job of their outlet)", "units", reply[PassportResponse]()},

		// == Outlets and staff (outlet)
		{"GET", "/api/v1/outlets", rbac.OutletRead, s.listOutlets, "List outlets (status, kind, region, covers, q; outlet users see their own)", "outlets", reply[Page[OutletResponse]]()},
		{"POST", "/api/v1/outlets", rbac.OutletManage, s.createOutlet, "Create an outlet with coverage and authorised categories", "outlets", takes[CreateOutletRequest, OutletResponse]().status(201)},
		{"GET", "/api/v1/outlets/export", rbac.OutletRead, s.exportOutlets, "Export outlets to Excel (.xlsx), same filters as the list", "outlets", download(mediaXLSX)},
		{"POST", "/api/v1/outlets/import", rbac.OutletManage, s.importOutlets, "Import outlets from Excel (multipart field file); per-row error report", "outlets", reply[outlet.ImportReport]().upload(mediaMultipart)},
		{"GET", "/api/v1/outlets/import/template", rbac.OutletManage, s.outletImportTemplate, "The outlet import template (.xlsx)", "outlets", download(mediaXLSX)},
		{"GET", "/api/v1/outlets/:id", rbac.OutletRead, s.getOutlet, "Get an outlet", "outlets", reply[OutletResponse]()},
		{"PATCH", "/api/v1/outlets/:id", rbac.OutletManage, s.patchOutlet, "Update an outlet (version or If-Match required)", "outlets", takes[PatchOutletRequest, OutletResponse]()},
		{"POST", "/api/v1/outlets/:id/suspend", rbac.OutletManage, s.suspendOutlet, "Suspend an active outlet (it receives no work)", "outlets", takes[SuspendOutletRequest, OutletResponse]()},
		{"POST", "/api/v1/outlets/:id/activate", rbac.OutletManage, s.activateOutlet, "Re-activate a suspended outlet", "outlets", takes[OutletVersionRequest, OutletResponse]()},
		{"GET", "/api/v1/staff", rbac.OutletRead, s.listStaff, "List staff (outlet, hq, management, certified, post, active, q)", "staff", reply[Page[StaffResponse]]()},
		{"POST", "/api/v1/staff", rbac.OutletManage, s.createStaff, "Create a staff member at an outlet or an HQ department", "staff", takes[CreateStaffRequest, StaffResponse]().status(201)},
		{"GET", "/api/v1/staff/summary", rbac.ReadinessRead, s.staffingSummary, "Staffing summary: management headcount, 售后服务管理师 certificates, plausibility", "staff", reply[StaffingResponse]()},
		{"POST", "/api/v1/staff/import", rbac.OutletManage, s.importStaff, "Import staff from Excel (multipart field file); per-row error report", "staff", reply[outlet.ImportReport]().upload(mediaMultipart)},
		{"GET", "/api/v1/staff/import/template", rbac.OutletManage, s.staffImportTemplate, "The staff import template (.xlsx)", "staff", download(mediaXLSX)},
		{"GET", "/api/v1/staff/:id", rbac.OutletRead, s.getStaff, "Get a staff member with certificates and training records", "staff", reply[StaffResponse]()},
		{"PATCH", "/api/v1/staff/:id", rbac.OutletManage, s.patchStaff, "Update a staff member (version or If-Match required)", "staff", takes[PatchStaffRequest, StaffResponse]()},
		{"POST", "/api/v1/staff/:id/certificates", rbac.OutletManage, s.addStaffCertificate, "Record a certificate (售后服务管理师 or trade)", "staff", takes[AddCertificateRequest, CertificateResponse]().status(201)},
		{"POST", "/api/v1/staff/:id/trainings", rbac.OutletManage, s.addStaffTraining, "Record a completed training course", "staff", takes[AddTrainingRequest, TrainingResponse]().status(201)},

		// == Tickets, SLA, dispatch and work orders (ticket, sla, workorder)
		{"GET", "/api/v1/tickets", rbac.TicketRead, s.listTickets, "List tickets (status, type, priority, outlet_id, assignee_id, customer_id, unit_id, created_from/to, number = whole or last digits, q = number or customer name/phone/address; sort -created_at|created_at|-priority|priority; keyset cursor)", "tickets", reply[TicketListResponse]()},
		{"POST", "/api/v1/tickets", rbac.TicketCreate, s.createTicket, "Open a ticket (Idempotency-Key header: a repeat returns the original with 200)", "tickets", takes[CreateTicketRequest, TicketResponse]().status(201, 200)},
		{"GET", "/api/v1/tickets/export", rbac.TicketExport, s.exportTickets, "Excel export, one row per ticket with every timestamp and SLA result (list filters, max_rows)", "tickets", download(mediaXLSX)},
		{"GET", "/api/v1/tickets/:id", rbac.TicketRead, s.getTicket, "Get a ticket with every SLA clock (:id is the id or the number T20261124-000042, on every /tickets/{id} route)", "tickets", reply[TicketResponse]()},
		{"PATCH", "/api/v1/tickets/:id", rbac.TicketUpdate, s.patchTicket, "Edit a ticket (version or If-Match required; type/priority/region re-select the SLA policy)", "tickets", takes[PatchTicketRequest, TicketResponse]()},
		{"POST", "/api/v1/tickets/:id/transition", rbac.TicketUpdate, s.transitionTicket, "Move a ticket through its status machine (409 invalid_transition names the allowed statuses)", "tickets", takes[TransitionTicketRequest, TicketResponse]()},
		{"POST", "/api/v1/tickets/:id/reopen", rbac.TicketUpdate, s.reopenTicket, "Reopen a resolved or closed ticket (restarts the resolution clock)", "tickets", takes[ReopenTicketRequest, TicketResponse]()},
		{"POST", "/api/v1/tickets/:id/assign", rbac.TicketUpdate, s.assignTicket, "Assign a ticket to an agent and/or team", "tickets", takes[AssignTicketRequest, TicketResponse]()},
		{"POST", "/api/v1/tickets/:id/merge", rbac.TicketUpdate, s.mergeTicket, "Merge the duplicate source_id into this ticket (its history stays on this timeline)", "tickets", takes[MergeTicketRequest, TicketResponse]()},
		{"GET", "/api/v1/tickets/:id/events", rbac.TicketRead, s.listTicketEvents, "Ticket timeline, oldest first (after=, size=)", "tickets", reply[List[TicketEventResponse]]()},
		{"POST", "/api/v1/tickets/:id/events", rbac.TicketUpdate, s.addTicketEvent, "Add a note or a logged call to the timeline", "tickets", takes[TicketEventRequest, TicketEventResponse]().status(201)},
		{"POST", "/api/v1/tickets/:id/dispatch", rbac.WorkOrderDispatch, s.dispatchTicket, "Create a work order and offer it to the best candidate outlet or the one picked", "workorders", takes[DispatchRequest, WorkOrderResponse]().status(201)},
		{"GET", "/api/v1/work-orders", rbac.WorkOrderRead, s.listWorkOrders, "List work orders (outlet users: their outlet's; status, kind, outlet_id, ticket_id, technician_id, before_id)", "workorders", reply[Keyset[WorkOrderResponse]]()},
		{"GET", "/api/v1/mobile/jobs", rbac.WorkOrderRead, s.mobileJobs, "The phone's jobs: open work (technicians: assigned to them; outlet users: their outlet's) and work finished today, with the ticket's fault, the product and the repair; no personal data (see …/contact)", "workorders", reply[List[MobileJobResponse]]()},
		{"GET", "/api/v1/mobile/offers", rbac.WorkOrderRead, s.mobileOffers, "The phone's offers waiting at my outlet, soonest to lapse first, with seconds left, the customer's area and the fault (none for users without an outlet)", "workorders", reply[List[MobileOfferResponse]]()},
		{"GET", "/api/v1/mobile/reject-reasons", rbac.WorkOrderRead, s.rejectReasons, "The reasons to pick when rejecting an offer (POST …/reject reason_code)", "workorders", reply[List[RejectReasonDTO]]()},
		{"GET", "/api/v1/work-orders/:id", rbac.WorkOrderRead, s.getWorkOrder, "Get a work order with its offers", "workorders", reply[WorkOrderResponse]()},
		{"GET", "/api/v1/work-orders/:id/contact", rbac.WorkOrderRead, s.workOrderContact, "The customer's name, phone and service address for the job (outlet users: their outlet's accepted orders while open and privacy.outlet_contact_days after; technicians: assigned to them; 403 contact_not_available); each read goes to the PIPL access log", "workorders", reply[WorkOrderContactResponse]()},
		{"POST", "/api/v1/work-orders/:id/accept", rbac.WorkOrderRespond, s.acceptWorkOrder, "The outlet accepts the offer", "workorders", takes[WorkOrderVersionRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/reject", rbac.WorkOrderRespond, s.rejectWorkOrder, "The outlet rejects the offer with a reason (re-dispatched to the next candidate)", "workorders", takes[RejectWorkOrderRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/assign", rbac.WorkOrderRespond, s.assignWorkOrder, "Assign a technician of the outlet", "workorders", takes[AssignTechnicianRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/appointment", rbac.WorkOrderRespond, s.appointmentWorkOrder, "Record the visit window agreed with the customer", "workorders", takes[AppointmentRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/contact", rbac.WorkOrderRespond, s.contactWorkOrder, "Record the outlet's first contact with the customer", "workorders", takes[WorkOrderNoteRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/check-in", rbac.WorkOrderRespond, s.checkInWorkOrder, "Check in the technician's arrival on site (lat, lng, accuracy_m: the phone's position when the browser gives it)", "workorders", takes[CheckInRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/on-the-way", rbac.WorkOrderRespond, s.onTheWayWorkOrder, "The technician set off to the customer (the customer gets an SMS)", "workorders", takes[WorkOrderNoteRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/complete", rbac.WorkOrderRespond, s.completeWorkOrder, "Record the work done and its result", "workorders", takes[CompleteWorkOrderRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/sign-off", rbac.WorkOrderRespond, s.signOffWorkOrder, "Record the customer's sign-off", "workorders", takes[SignOffRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/redispatch", rbac.WorkOrderDispatch, s.redispatchWorkOrder, "Offer pending or unassigned work to another outlet", "workorders", takes[RedispatchRequest, WorkOrderResponse]()},
		{"POST", "/api/v1/work-orders/:id/cancel", rbac.WorkOrderDispatch, s.cancelWorkOrder, "Cancel work not yet done", "workorders", takes[CancelWorkOrderRequest, WorkOrderResponse]()},
		{"GET", "/api/v1/outlets/:id/board", rbac.WorkOrderRead, s.outletBoard, "Outlet board: offers waiting, appointments today, arrivals overdue, technicians' load", "workorders", reply[BoardResponse]()},
		{"GET", "/api/v1/outlets/:id/scorecard", rbac.KPIRead, s.outletScorecard, "Outlet scorecard: accept time avg/p90, on-time arrival, first-time fix, completed (from, to)", "workorders", reply[ScorecardResponse]()},
		{"GET", "/api/v1/sla/calendars", rbac.TicketRead, s.listCalendars, "Business calendars (working intervals, holidays, 调休 make-up days, 24x7)", "sla", reply[List[SLACalendarResponse]]()},
		{"POST", "/api/v1/sla/calendars", rbac.SLAManage, s.createCalendar, "Create a business calendar", "sla", takes[SLACalendarRequest, SLACalendarResponse]().status(201)},
		{"GET", "/api/v1/sla/calendars/:id", rbac.TicketRead, s.getCalendar, "Get a business calendar", "sla", reply[SLACalendarResponse]()},
		{"PUT", "/api/v1/sla/calendars/:id", rbac.SLAManage, s.updateCalendar, "Replace a calendar (version or If-Match; closed tickets keep frozen results)", "sla", takes[SLACalendarRequest, SLACalendarResponse]()},
		{"GET", "/api/v1/sla/policies", rbac.TicketRead, s.listPolicies, "SLA policies with their selection rules", "sla", reply[List[SLAPolicyResponse]]()},
		{"POST", "/api/v1/sla/policies", rbac.SLAManage, s.createPolicy, "Create an SLA policy", "sla", takes[SLAPolicyRequest, SLAPolicyResponse]().status(201)},
		{"GET", "/api/v1/sla/policies/:id", rbac.TicketRead, s.getPolicy, "Get an SLA policy", "sla", reply[SLAPolicyResponse]()},
		{"PUT", "/api/v1/sla/policies/:id", rbac.SLAManage, s.updatePolicy, "Replace an SLA policy (version or If-Match; tickets keep their frozen targets)", "sla", takes[SLAPolicyRequest, SLAPolicyResponse]()},
		{"GET", "/api/v1/sla/alerts", rbac.TicketRead, s.listSLAAlerts, "Raised SLA warnings and breaches, newest first", "sla", reply[List[AlertResponse]]()},
		{"GET", "/api/v1/sla/work-order-kinds", rbac.WorkOrderRead, s.listWorkOrderKinds, "Promised times per work-order kind", "sla", reply[List[WorkOrderKindResponse]]()},
		{"PUT", "/api/v1/sla/work-order-kinds/:kind", rbac.SLAManage, s.updateWorkOrderKind, "Replace a work-order kind's promised times", "sla", takes[WorkOrderKindRequest, WorkOrderKindResponse]()},

		// == Complaints, corrective actions, surveys and follow-ups (complaint, survey)
		{"GET", "/api/v1/complaints", rbac.ComplaintRead, s.listComplaints, "List complaints (status, severity, category, source, customer/ticket/unit/outlet, overdue, from/to, sort)", "complaints", reply[Page[ComplaintResponse]]()},
		{"POST", "/api/v1/complaints", rbac.ComplaintManage, s.createComplaint, "Record a complaint (deadlines by severity; a crisis needs a responsible person and a plan)", "complaints", takes[CreateComplaintRequest, ComplaintResponse]().status(201)},
		{"GET", "/api/v1/complaints/:id", rbac.ComplaintRead, s.getComplaint, "A complaint with its timeline, escalations and corrective actions", "complaints", reply[ComplaintDetailResponse]()},
		{"PATCH", "/api/v1/complaints/:id", rbac.ComplaintManage, s.patchComplaint, "Change classification, responsibility, investigation (version required)", "complaints", takes[PatchComplaintRequest, ComplaintResponse]()},
		{"POST", "/api/v1/complaints/:id/acknowledge", rbac.ComplaintManage, s.acknowledgeComplaint, "received → acknowledged (409 invalid_transition otherwise)", "complaints", takes[ComplaintStepRequest, ComplaintResponse]()},
		{"POST", "/api/v1/complaints/:id/investigate", rbac.ComplaintManage, s.investigateComplaint, "acknowledged → investigating", "complaints", takes[ComplaintStepRequest, ComplaintResponse]()},
		{"POST", "/api/v1/complaints/:id/resolve", rbac.ComplaintManage, s.resolveComplaint, "investigating → resolved, with resolution and root cause", "complaints", takes[ResolveComplaintRequest, ComplaintResponse]()},
		{"POST", "/api/v1/complaints/:id/confirm", rbac.ComplaintManage, s.confirmComplaint, "The customer accepts (→ confirmed) or rejects (→ investigating) the resolution", "complaints", takes[ConfirmComplaintRequest, ComplaintResponse]()},
		{"POST", "/api/v1/complaints/:id/close", rbac.ComplaintManage, s.closeComplaint, "confirmed → closed (or resolved → closed with a reason)", "complaints", takes[CloseComplaintRequest, ComplaintResponse]()},
		{"POST", "/api/v1/complaints/:id/escalate", rbac.ComplaintManage, s.escalateComplaint, "Raise the complaint one level up the escalation chain", "complaints", takes[ComplaintStepRequest, ComplaintResponse]()},
		{"POST", "/api/v1/complaints/:id/followup-calls", rbac.ComplaintManage, s.complaintFollowupCall, "Record a follow-up call after resolution", "complaints", takes[ComplaintCallRequest, ComplaintResponse]()},
		{"GET", "/api/v1/corrective-actions", rbac.ComplaintRead, s.listCorrectiveActions, "Corrective/preventive actions (source, status, owner, overdue, sort)", "corrective-actions", reply[Page[CorrectiveActionResponse]]()},
		{"POST", "/api/v1/corrective-actions", rbac.ComplaintManage, s.createCorrectiveAction, "Raise a corrective or preventive action (from a complaint, survey, supervision, audit)", "corrective-actions", takes[CreateCorrectiveActionRequest, CorrectiveActionResponse]().status(201)},
		{"GET", "/api/v1/corrective-actions/:id", rbac.ComplaintRead, s.getCorrectiveAction, "A corrective action", "corrective-actions", reply[CorrectiveActionResponse]()},
		{"PATCH", "/api/v1/corrective-actions/:id", rbac.ComplaintManage, s.patchCorrectiveAction, "Change an open action's owner, due date or text (version required)", "corrective-actions", takes[PatchCorrectiveActionRequest, CorrectiveActionResponse]()},
		{"POST", "/api/v1/corrective-actions/:id/close", rbac.ComplaintManage, s.closeCorrectiveAction, "Close an open action with what was done", "corrective-actions", takes[CloseCorrectiveActionRequest, CorrectiveActionResponse]()},
		{"POST", "/api/v1/corrective-actions/:id/effectiveness", rbac.ComplaintManage, s.checkCorrectiveAction, "Record the effectiveness check of a closed action", "corrective-actions", takes[EffectivenessCheckRequest, CorrectiveActionResponse]()},
		{"GET", "/api/v1/crisis-drills", rbac.ComplaintRead, s.listCrisisDrills, "Crisis drills kept as evidence (?from&to dates)", "complaints", reply[Page[CrisisDrillResponse]]()},
		{"POST", "/api/v1/crisis-drills", rbac.ComplaintManage, s.createCrisisDrill, "Record a crisis drill (date, scenario, participants, findings)", "complaints", takes[CreateCrisisDrillRequest, CrisisDrillResponse]().status(201)},
		// Managers' reports (docs/reports.md): ?from&to&outlet_id; outlet users get their own outlet
		{"GET", "/api/v1/reports/volume", rbac.KPIRead, s.volumeReport, "Tickets created in the period (volume) and open at its end (backlog) by ?by=product|fault_code|region|lot", "reports", reply[VolumeReportResponse]()},
		{"GET", "/api/v1/reports/volume/export", rbac.KPIRead, s.volumeReportExport, "The volume and backlog report as an Excel workbook (.xlsx)", "reports", download(mediaXLSX)},
		{"GET", "/api/v1/reports/failure-rate", rbac.KPIRead, s.failureRateReport, "Repairs per installed unit for each production lot, flagged at reports.failure_rate_warning (or ?threshold)", "reports", reply[FailureRateReportResponse]()},
		{"GET", "/api/v1/reports/failure-rate/export", rbac.KPIRead, s.failureRateReportExport, "The failure-rate report as an Excel workbook (.xlsx)", "reports", download(mediaXLSX)},
		{"GET", "/api/v1/reports/technicians", rbac.KPIRead, s.technicianReport, "Per technician: jobs completed, first-time fix, average time on site", "reports", reply[TechnicianReportResponse]()},
		{"GET", "/api/v1/reports/technicians/export", rbac.KPIRead, s.technicianReportExport, "The technician-productivity report as an Excel workbook (.xlsx)", "reports", download(mediaXLSX)},
		{"GET", "/api/v1/kpi/complaints", rbac.KPIRead, s.complaintKPI, "Complaint KPIs for ?from&to: rate per installed base, within-limit %, resolution rate", "kpi", reply[ComplaintKPIResponse]()},
		{"GET", "/api/v1/survey-templates", rbac.SurveyRead, s.listSurveyTemplates, "Survey templates (?kind&active)", "surveys", reply[List[SurveyTemplateResponse]]()},
		{"POST", "/api/v1/survey-templates", rbac.SurveyManage, s.createSurveyTemplate, "Create a survey template with questions", "surveys", takes[SurveyTemplateRequest, SurveyTemplateResponse]().status(201)},
		{"GET", "/api/v1/survey-templates/:id", rbac.SurveyRead, s.getSurveyTemplate, "A survey template with its questions", "surveys", reply[SurveyTemplateResponse]()},
		{"PUT", "/api/v1/survey-templates/:id", rbac.SurveyManage, s.putSurveyTemplate, "Replace a template and its questions (version required)", "surveys", takes[SurveyTemplateRequest, SurveyTemplateResponse]()},
		{"GET", "/api/v1/survey-invitations", rbac.SurveyRead, s.listSurveyInvitations, "Survey invitations, newest first (status incl. expired, channel, ticket, customer; keyset before_id)", "surveys", reply[Keyset[SurveyInvitationResponse]]()},
		{"POST", "/api/v1/survey-invitations", rbac.SurveyManage, s.createSurveyInvitation, "Invite a customer by hand (a link is returned once; phone queues a 回访)", "surveys", takes[CreateSurveyInvitationRequest, SurveyInvitationResponse]().status(201)},
		{"POST", "/api/v1/survey-invitations/:id/link", rbac.SurveyManage, s.issueSurveyLink, "Issue a fresh link for an unanswered link invitation (the old one stops working)", "surveys", reply[SurveyInvitationResponse]()},
		{"GET", "/api/v1/survey-responses", rbac.SurveyRead, s.listSurveyResponses, "Survey responses, newest first (from/to, ticket, customer, unit, channel, dissatisfied; keyset before_id)", "surveys", reply[Keyset[SurveyResponseResponse]]()},
		{"GET", "/api/v1/survey-responses/:id", rbac.SurveyRead, s.getSurveyResponse, "A survey response with its answers", "surveys", reply[SurveyResponseResponse]()},
		{"GET", "/api/v1/followups", rbac.FollowupWork, s.listFollowups, "The 回访 queue (?status=due default, kind, overdue, ticket_id, exclude_own)", "followups", reply[Page[FollowupResponse]]()},
		{"GET", "/api/v1/followups/:id", rbac.FollowupWork, s.getFollowup, "A follow-up with its script and attempts", "followups", reply[FollowupDetailResponse]()},
		{"POST", "/api/v1/followups/:id/attempts", rbac.FollowupWork, s.recordFollowupAttempt, "Record a call (reached with answers, no_answer, busy, wrong_number, refused); 403 own_ticket_followup for the ticket's agent", "followups", takes[FollowupAttemptRequest, FollowupAttemptResult]()},
		{"GET", "/api/v1/kpi/surveys", rbac.KPIRead, s.surveyKPI, "Survey KPIs for ?from&to: sent, answered, response rate, non-response, CSAT, NPS, agent/technician, 回访", "kpi", reply[survey.KPI]()},

		// == Repairs, spare parts, returns and recalls (repair, parts, returns, recall)
		{"GET", "/api/v1/repairs", rbac.WorkOrderRead, s.listRepairs, "List repair orders, newest first (status, outlet_id, unit_id, serial, technician_id, in_warranty, from/to received; keyset before_id; outlet users: their outlet's)", "repairs", reply[Untyped]()},
		{"POST", "/api/v1/repairs", rbac.WorkOrderRespond, s.createRepair, "Open a repair from a work order or as a walk-in (warranty fixed as of the day received; 409 repair_exists)", "repairs", takes[CreateRepairRequest, RepairDetailResponse]().status(201)},
		{"GET", "/api/v1/repairs/:id", rbac.WorkOrderRead, s.getRepair, "A repair with quote, parts (faulty/replacement serial, 旧件), repeat_of and what its record lacks", "repairs", reply[RepairDetailResponse]()},
		{"POST", "/api/v1/repairs/:id/diagnose", rbac.WorkOrderRespond, s.diagnoseRepair, "Record diagnosis and fault code (may raise the 三包 replacement entitlement)", "repairs", takes[DiagnoseRepairRequest, RepairDetailResponse]()},
		{"POST", "/api/v1/repairs/:id/quote", rbac.WorkOrderRespond, s.quoteRepair, "Quote an out-of-warranty repair from the price list (409 quote_not_required in warranty)", "repairs", takes[QuoteRepairRequest, RepairDetailResponse]()},
		{"POST", "/api/v1/repairs/:id/quote/approve", rbac.WorkOrderRespond, s.approveRepairQuote, "Record the customer's approval of the quote (who, and how)", "repairs", takes[ApproveQuoteRequest, RepairDetailResponse]()},
		{"POST", "/api/v1/repairs/:id/quote/decline", rbac.WorkOrderRespond, s.declineRepairQuote, "The customer declines the quote: the unit goes back unrepaired", "repairs", takes[DeclineQuoteRequest, RepairDetailResponse]()},
		{"POST", "/api/v1/repairs/:id/start", rbac.WorkOrderRespond, s.startRepair, "Start work (409 quote_not_approved out of warranty without an approved quote)", "repairs", takes[RepairVersionRequest, RepairDetailResponse]()},
		{"POST", "/api/v1/repairs/:id/parts", rbac.WorkOrderRespond, s.addRepairPart, "Take a part from the outlet's stock for the repair (409 out_of_stock)", "repairs", takes[AddRepairPartRequest, RepairDetailResponse]()},
		{"DELETE", "/api/v1/repairs/:id/parts/:line_id", rbac.WorkOrderRespond, s.removeRepairPart, "Remove a part line recorded in error: the part goes back to stock with a ledger entry (409 once the repair is completed)", "repairs", takes[RemoveRepairPartRequest, RepairDetailResponse]()},
		{"POST", "/api/v1/repairs/:id/parts/:line_id/old-part-returned", rbac.WorkOrderRespond, s.returnOldPart, "Record the return of a part line's old part (旧件)", "repairs", takes[OldPartReturnedRequest, RepairPartResponse]()},
		{"POST", "/api/v1/repairs/:id/complete", rbac.WorkOrderRespond, s.completeRepair, "Record the result and settle charges (409 quote_exceeded out of warranty)", "repairs", takes[CompleteRepairRequest, RepairDetailResponse]()},
		{"POST", "/api/v1/repairs/:id/cancel", rbac.WorkOrderRespond, s.cancelRepair, "Cancel a repair before work starts", "repairs", takes[CancelRepairRequest, RepairDetailResponse]()},
		{"GET", "/api/v1/old-parts", rbac.WorkOrderRead, s.listOldParts, "Part lines by old-part status (?status=pending default, outlet_id)", "repairs", reply[Page[OldPartResponse]]()},
		{"GET", "/api/v1/replacement-entitlements", rbac.WorkOrderRead, s.listEntitlements, "三包 replacement entitlements (?unit_id, status)", "repairs", reply[Page[EntitlementResponse]]()},
		{"POST", "/api/v1/replacement-entitlements/:id/close", rbac.TicketUpdate, s.closeEntitlement, "Close an open entitlement as fulfilled or waived", "repairs", takes[CloseEntitlementRequest, EntitlementResponse]()},
		{"GET", "/api/v1/labour-rates", rbac.ProductRead, s.listLabourRates, "Labour rates (?active=true)", "repairs", reply[List[LabourRateResponse]]()},
		{"POST", "/api/v1/labour-rates", rbac.ProductManage, s.createLabourRate, "Publish a labour rate", "repairs", takes[LabourRateRequest, LabourRateResponse]().status(201)},
		{"PATCH", "/api/v1/labour-rates/:id", rbac.ProductManage, s.patchLabourRate, "Change a labour rate", "repairs", takes[PatchLabourRateRequest, LabourRateResponse]()},
		{"GET", "/api/v1/kpi/repairs", rbac.KPIRead, s.repairKPI, "Repair KPIs for ?from&to (outlet_id): first-time fix, repeat repair within N days, record completeness, charges", "kpi", reply[RepairKPIResponse]()},
		{"GET", "/api/v1/parts", rbac.ProductRead, s.listParts, "Spare parts catalogue (?q code/name prefix, category_id, active)", "parts", reply[Page[PartResponse]]()},
		{"POST", "/api/v1/parts", rbac.ProductManage, s.createPart, "Add a part to the catalogue", "parts", takes[CreatePartRequest, PartResponse]().status(201)},
		{"GET", "/api/v1/parts/:id", rbac.ProductRead, s.getPart, "A part", "parts", reply[PartResponse]()},
		{"PATCH", "/api/v1/parts/:id", rbac.ProductManage, s.patchPart, "Change a part (price, categories, active)", "parts", takes[PatchPartRequest, PartResponse]()},
		{"GET", "/api/v1/stock", rbac.WorkOrderRead, s.listStock, "Stock balances (?location_id 0 = central, part_id, low=true; outlet users: their outlet)", "parts", reply[Page[BalanceResponse]]()},
		{"GET", "/api/v1/stock/movements", rbac.WorkOrderRead, s.listMovements, "The stock ledger, newest first (?part_id, location_id, ref, before_id)", "parts", reply[Keyset[MovementResponse]]()},
		{"POST", "/api/v1/stock/receipts", rbac.ProductManage, s.receiveStock, "Book goods in at a location", "parts", takes[StockChangeRequest, MovementResponse]().status(201)},
		{"POST", "/api/v1/stock/adjustments", rbac.ProductManage, s.adjustStock, "Correct stock after a count (signed qty, reason; never below zero)", "parts", takes[StockChangeRequest, MovementResponse]().status(201)},
		{"POST", "/api/v1/stock/issues", rbac.WorkOrderRespond, s.issueStock, "Issue parts to a job without a repair record (409 out_of_stock)", "parts", takes[StockChangeRequest, MovementResponse]().status(201)},
		{"PUT", "/api/v1/stock/levels", rbac.ProductManage, s.setStockLevel, "Set a location's reorder point for a part (parts.low_stock when reached)", "parts", takes[StockLevelRequest, Untyped]()},
		{"GET", "/api/v1/requisitions", rbac.WorkOrderRead, s.listRequisitions, "Part requisitions, newest first (status, outlet_id, from/to)", "parts", reply[Page[RequisitionResponse]]()},
		{"POST", "/api/v1/requisitions", rbac.WorkOrderRespond, s.createRequisition, "Request parts from the central warehouse", "parts", takes[CreateRequisitionRequest, RequisitionResponse]().status(201)},
		{"GET", "/api/v1/requisitions/:id", rbac.WorkOrderRead, s.getRequisition, "A requisition with its lines", "parts", reply[RequisitionResponse]()},
		{"POST", "/api/v1/requisitions/:id/ship", rbac.ProductManage, s.shipRequisition, "Ship from central stock (409 out_of_stock refuses the whole shipment)", "parts", takes[RequisitionVersionRequest, RequisitionResponse]()},
		{"POST", "/api/v1/requisitions/:id/receive", rbac.WorkOrderRespond, s.receiveRequisition, "Book a shipped requisition into the outlet's stock (time-to-part)", "parts", takes[RequisitionVersionRequest, RequisitionResponse]()},
		{"POST", "/api/v1/requisitions/:id/cancel", rbac.WorkOrderRespond, s.cancelRequisition, "Cancel an unshipped requisition", "parts", takes[CancelRequisitionRequest, RequisitionResponse]()},
		{"GET", "/api/v1/kpi/parts", rbac.KPIRead, s.partsKPI, "Spare-parts fill rate (received within the lead time) and time-to-part for ?from&to", "kpi", reply[PartsKPIResponse]()},
		{"GET", "/api/v1/returns", rbac.TicketRead, s.listReturns, "三包 return/exchange requests (status, kind, flag=outside_legal_window|refused_within_window, unit_id, from/to dates)", "returns", reply[Page[ReturnResponse]]()},
		{"POST", "/api/v1/returns", rbac.TicketUpdate, s.createReturn, "Record a request; checked against the unit's 三包 windows on the day asked", "returns", takes[CreateReturnRequest, ReturnResponse]().status(201)},
		{"GET", "/api/v1/returns/eligibility", rbac.TicketRead, s.returnEligibility, "Preview a unit against the 三包 windows (?kind, serial|unit_id, on); records nothing", "returns", reply[EligibilityResponse]()},
		{"GET", "/api/v1/returns/:id", rbac.TicketRead, s.getReturn, "A return/exchange request", "returns", reply[ReturnResponse]()},
		{"POST", "/api/v1/returns/:id/decide", rbac.TicketUpdate, s.decideReturn, "Accept or refuse with a reason (flags outside_legal_window, refused_within_window)", "returns", takes[DecideReturnRequest, ReturnResponse]()},
		{"POST", "/api/v1/returns/:id/complete", rbac.TicketUpdate, s.completeReturn, "Close an accepted request with the refund or the replacement serial", "returns", takes[CompleteReturnRequest, ReturnResponse]()},
		{"POST", "/api/v1/returns/:id/cancel", rbac.TicketUpdate, s.cancelReturn, "Withdraw a request", "returns", takes[CancelReturnRequest, ReturnResponse]()},
		{"GET", "/api/v1/kpi/returns", rbac.KPIRead, s.returnsKPI, "三包 compliance for ?from&to: eligible requests honoured within the legal window", "kpi", reply[ReturnsKPIResponse]()},
		{"GET", "/api/v1/recalls", rbac.WorkOrderRead, s.listRecalls, "Recall campaigns with totals (?status)", "recalls", reply[Page[RecallCampaignResponse]]()},
		{"POST", "/api/v1/recalls", rbac.RecallManage, s.createRecall, "Open a draft recall campaign", "recalls", takes[RecallCampaignRequest, RecallCampaignResponse]().status(201)},
		{"GET", "/api/v1/recalls/:id", rbac.WorkOrderRead, s.getRecall, "A campaign with its totals", "recalls", reply[RecallCampaignResponse]()},
		{"PUT", "/api/v1/recalls/:id", rbac.RecallManage, s.updateRecall, "Replace a campaign's description (not when closed)", "recalls", takes[RecallCampaignRequest, RecallCampaignResponse]()},
		{"POST", "/api/v1/recalls/:id/activate", rbac.RecallManage, s.activateRecall, "Start a draft campaign", "recalls", takes[RecallVersionRequest, RecallCampaignResponse]()},
		{"POST", "/api/v1/recalls/:id/close", rbac.RecallManage, s.closeRecall, "End an active campaign", "recalls", takes[CloseRecallRequest, RecallCampaignResponse]()},
		{"GET", "/api/v1/recalls/:id/selectors", rbac.WorkOrderRead, s.listRecallSelectors, "How the affected set is defined, with what each selector matched", "recalls", reply[List[RecallSelectorResponse]]()},
		{"POST", "/api/v1/recalls/:id/selectors", rbac.RecallManage, s.addRecallSelector, "Add model/lot/serial range or a JSON list of serials; affected units and owners are resolved in SQL at once", "recalls", takes[RecallSelectorRequest, RecallSelectorResponse]().status(201)},
		{"POST", "/api/v1/recalls/:id/selectors/import", rbac.RecallManage, s.importRecallSelector, "Add a list of serials from an .xlsx (multipart field file; first column)", "recalls", reply[RecallSelectorResponse]().status(201).upload(mediaMultipart)},
		{"GET", "/api/v1/recalls/:id/units", rbac.WorkOrderRead, s.listRecallUnits, "Affected units (status, serial, customer_id; outlet users: booked at their outlet, or by exact serial)", "recalls", reply[Page[RecallUnitResponse]]()},
		{"GET", "/api/v1/recalls/:id/owners", rbac.CustomerRead, s.listRecallOwners, "Owners with units, attempts and last outcome (?pending=true: the call queue)", "recalls", reply[Page[RecallOwnerResponse]]()},
		{"GET", "/api/v1/recalls/:id/owners/:customer_id/notifications", rbac.CustomerRead, s.listRecallNotifications, "An owner's notification attempts", "recalls", reply[List[RecallNotificationResponse]]()},
		{"POST", "/api/v1/recalls/:id/owners/:customer_id/notifications", rbac.FollowupWork, s.recordRecallNotification, "Record a phone/SMS/letter attempt and its outcome", "recalls", takes[RecallNotificationRequest, Untyped]().status(201)},
		{"GET", "/api/v1/recalls/:id/progress", rbac.WorkOrderRead, s.recallProgress, "Completion by week since the start date", "recalls", reply[Untyped]()},
		{"GET", "/api/v1/recalls/:id/report.xlsx", rbac.CustomerRead, s.recallReport, "The campaign's Excel report for the regulator", "recalls", download(mediaXLSX)},
		{"GET", "/api/v1/recall-units/:id", rbac.WorkOrderRead, s.getRecallUnit, "An affected unit", "recalls", reply[RecallUnitResponse]()},
		{"POST", "/api/v1/recall-units/:id/appointment", rbac.TicketUpdate, s.bookRecallUnit, "Book an affected unit at an outlet", "recalls", takes[RecallAppointmentRequest, RecallUnitResponse]()},
		{"POST", "/api/v1/recall-units/:id/remedy", rbac.WorkOrderRespond, s.remedyRecallUnit, "Record the remedy done on a unit", "recalls", takes[RecallRemedyRequest, Untyped]()},

		// == Printouts (issue 12): what the /print views render — customer name masked, the QR code's public page
		{"GET", "/api/v1/work-orders/:id/print", rbac.WorkOrderRead, s.printWorkOrder, "The 派工单 print data: numbers, masked customer, product/serial, fault, appointment, outlet, technician, public status path", "print", reply[PrintDocument]()},
		{"GET", "/api/v1/repairs/:id/print", rbac.WorkOrderRead, s.printRepair, "The 维修单/收费单 print data with part and labour lines and the charge", "print", reply[PrintDocument]()},
		{"GET", "/api/v1/returns/:id/print", rbac.TicketRead, s.printReturn, "The 三包 return/exchange voucher print data", "print", reply[PrintDocument]()},
		{"GET", "/api/v1/recall-units/:id/print", rbac.WorkOrderRead, s.printRecallNotice, "The recall notice to the owner of an affected unit", "print", reply[PrintDocument]()},

		// == Certification readiness, evidence and certification cycles (readiness, certification)
		{"GET", "/api/v1/readiness/standards", rbac.ReadinessRead, s.listStandards, "Stored standard versions (loads changed files of readiness.standards_dir first)", "readiness", reply[Untyped]()},
		{"GET", "/api/v1/readiness/standards/:code", rbac.ReadinessRead, s.getStandard, "A standard version (?version=N, default latest): YAML and indicator tree", "readiness", reply[Untyped]()},
		{"POST", "/api/v1/readiness/standards/import", rbac.ReadinessManage, s.importStandardSheet, "Import the certification body's scoring sheet (.xlsx, multipart file + justification) as a new version; 422 sheet_invalid with errors per row", "readiness", reply[Untyped]().status(201, 200).upload(mediaMultipart)},
		{"GET", "/api/v1/readiness/standards/:code/export", rbac.ReadinessRead, s.exportStandardSheet, "The latest version as a scoring sheet (.xlsx) in the import layout (lossless round trip)", "readiness", download(mediaXLSX)},
		{"GET", "/api/v1/readiness/calibration", rbac.ReadinessRead, s.readinessCalibration, "Recorded audits against the projection for their dates: difference per indicator, mean absolute error, most wrong", "readiness", reply[readiness.CalibrationReport]()},
		{"PUT", "/api/v1/readiness/standards/:code", rbac.ReadinessManage, s.putStandard, "Store a standard file (YAML body, ?justification=) as a new version; 422 naming the clause when it does not load or changes a fixed rule", "readiness", reply[Untyped]().status(201, 200).upload(mediaYAML)},
		{"GET", "/api/v1/readiness/score", rbac.ReadinessRead, s.readinessScore, "The latest run with its points ledger (?standard=)", "readiness", reply[RunResponse]()},
		{"GET", "/api/v1/readiness/runs", rbac.ReadinessRead, s.listReadinessRuns, "Run history, newest first (page, size)", "readiness", reply[Page[RunSummaryResponse]]()},
		{"POST", "/api/v1/readiness/runs", rbac.ReadinessRun, s.createReadinessRun, "Start a run: 202 at once with the run id; while a run is in progress (any instance) the same run. Progress: readiness.progress events and GET /readiness/runs/:id", "readiness", takes[RunRequest, RunStateResponse]().status(202)},
		{"GET", "/api/v1/readiness/rollups", rbac.ReadinessRead, s.readinessRollups, "The rollups' background build: status (building, done, error), days built of total", "readiness", reply[RollupStatusResponse]()},
		{"GET", "/api/v1/readiness/runs/:id", rbac.ReadinessRead, s.getReadinessRun, "A done run with its points ledger; a run in progress with its status and progress (indicators done/total, clause)", "readiness", reply[Untyped]()},
		{"GET", "/api/v1/readiness/runs/:id/diff/:other", rbac.ReadinessRead, s.diffReadinessRuns, "What moved per indicator from run :id to run :other, and why", "readiness", reply[Untyped]()},
		{"GET", "/api/v1/readiness/gaps", rbac.ReadinessRead, s.readinessGaps, "Indicators losing points, most recoverable first, with records and actions", "readiness", reply[Untyped]()},
		{"GET", "/api/v1/readiness/cheapest-path", rbac.ReadinessRead, s.readinessCheapestPath, "Smallest set of fixes to the next band (?band=), verified by re-scoring", "readiness", reply[readiness.Path]()},
		{"POST", "/api/v1/readiness/what-if", rbac.ReadinessRead, s.readinessWhatIf, "Score hypothetical inputs; nothing is stored", "readiness", takes[WhatIfRequest, Untyped]()},
		{"GET", "/api/v1/readiness/projection", rbac.ReadinessRead, s.readinessProjection, "Projected score at ?at=YYYY-MM-DD (default the next audit), with events and trends", "readiness", reply[Untyped]()},
		{"GET", "/api/v1/readiness/plausibility", rbac.ReadinessRead, s.readinessPlausibility, "Checks an auditor makes in advance (headcounts, ratio, coverage, contracts, certificates)", "readiness", reply[readiness.PlausibilityReport]()},
		{"GET", "/api/v1/readiness/assessments", rbac.ReadinessRead, s.listAssessments, "Quality manager's assessments and overrides in force (?all=true: history)", "readiness", reply[List[AssessmentResponse]]()},
		{"POST", "/api/v1/readiness/assessments", rbac.ReadinessManage, s.createAssessment, "Assess a manual leaf with points its scoring mode allows, justification and expiry (computed leaves: overrides)", "readiness", takes[AssessmentRequest, AssessmentResponse]().status(201)},
		{"DELETE", "/api/v1/readiness/assessments/:id", rbac.ReadinessManage, s.withdrawAssessment, "Withdraw an assessment", "readiness", reply[NoContent]()},
		{"GET", "/api/v1/readiness/deletions", rbac.ReadinessRead, s.listDeletions, "Clauses declared not applicable", "readiness", reply[List[DeletionResponse]]()},
		{"POST", "/api/v1/readiness/deletions", rbac.ReadinessManage, s.createDeletion, "Declare a deletable clause not applicable, with justification", "readiness", takes[DeletionRequest, DeletionResponse]().status(201)},
		{"DELETE", "/api/v1/readiness/deletions/:id", rbac.ReadinessManage, s.withdrawDeletion, "Make a deleted clause applicable again", "readiness", reply[NoContent]()},
		{"GET", "/api/v1/readiness/deductions", rbac.ReadinessRead, s.listDeductions, "Special-deduction findings, confirmed and suggested (?status=)", "readiness", reply[Page[DeductionResponse]]()},
		{"POST", "/api/v1/readiness/deductions", rbac.ReadinessManage, s.createDeduction, "Record a special-deduction finding", "readiness", takes[DeductionRequest, DeductionResponse]().status(201)},
		{"POST", "/api/v1/readiness/deductions/:id/confirm", rbac.ReadinessManage, s.decideDeduction("confirm"), "Confirm a suggested finding (it then counts)", "readiness", takes[DeductionDecisionRequest, DeductionResponse]()},
		{"POST", "/api/v1/readiness/deductions/:id/dismiss", rbac.ReadinessManage, s.decideDeduction("dismiss"), "Dismiss a suggested finding, saying why", "readiness", takes[DeductionDecisionRequest, DeductionResponse]()},
		{"POST", "/api/v1/readiness/deductions/:id/correct", rbac.ReadinessManage, s.decideDeduction("correct"), "Record the correction of a confirmed finding", "readiness", takes[DeductionDecisionRequest, DeductionResponse]()},
		{"GET", "/api/v1/readiness/bonus", rbac.ReadinessRead, s.listBonus, "The bonus practices in force, whether the standard counts them and its cap", "readiness", reply[Untyped]()},
		{"POST", "/api/v1/readiness/bonus", rbac.ReadinessManage, s.createBonus, "Record one more outstanding practice (the standard's cap applies to the total)", "readiness", takes[BonusRequest, BonusResponse]().status(201)},
		{"DELETE", "/api/v1/readiness/bonus/:id", rbac.ReadinessManage, s.deleteBonus, "Withdraw one bonus practice (?reason=)", "readiness", reply[NoContent]()},
		{"GET", "/api/v1/readiness/overrides", rbac.ReadinessRead, s.listOverrides, "Overrides of computed leaves in force (?all=true: history)", "readiness", reply[List[OverrideResponse]]()},
		{"POST", "/api/v1/readiness/overrides", rbac.ReadinessManage, s.createOverride, "Override a computed leaf: points the scoring mode allows, justification, evidence documents", "readiness", takes[OverrideRequest, OverrideResponse]().status(201)},
		{"POST", "/api/v1/readiness/overrides/:id/withdraw", rbac.ReadinessManage, s.withdrawOverride, "Withdraw an override, saying why", "readiness", takes[WithdrawRequest, NoContent]()},
		{"GET", "/api/v1/evidence", rbac.EvidenceRead, s.listEvidence, "Evidence documents, newest version per document (?type=, ?history=true)", "evidence", reply[Untyped]()},
		{"GET", "/api/v1/evidence/types", rbac.EvidenceRead, s.evidenceTypes, "Document types of the standard and what counts for each today", "evidence", reply[List[gin.H]]()},
		{"POST", "/api/v1/evidence", rbac.EvidenceManage, s.uploadEvidence, "Upload a document or a new version (multipart; 413 file_too_large, 415 file_type_not_accepted|content_mismatch, 422 names the field)", "evidence", reply[EvidenceResponse]().status(201).upload(mediaMultipart)},
		{"GET", "/api/v1/evidence/:id", rbac.EvidenceRead, s.getEvidence, "A document with every version of it", "evidence", reply[Untyped]()},
		{"GET", "/api/v1/evidence/:id/download", rbac.EvidenceRead, s.downloadEvidence, "Download a document's file (attachment)", "evidence", download(mediaAny)},
		{"POST", "/api/v1/evidence/:id/approve", rbac.EvidenceManage, s.approveEvidence, "Approve a document version", "evidence", takes[EvidenceApproveRequest, EvidenceResponse]()},
		{"PATCH", "/api/v1/evidence/:id", rbac.EvidenceManage, s.patchEvidence, "Correct a document's effective and expiry dates", "evidence", takes[EvidenceDatesRequest, EvidenceResponse]()},
		{"GET", "/api/v1/certification/cycles", rbac.CertificationRead, s.listCycles, "Certification cycles with their audits", "certification", reply[List[CycleResponse]]()},
		{"POST", "/api/v1/certification/cycles", rbac.CertificationManage, s.createCycle, "Start a certification cycle (application)", "certification", takes[CycleRequest, CycleResponse]().status(201)},
		{"GET", "/api/v1/certification/cycles/:id", rbac.CertificationRead, s.getCycle, "A cycle with its audits and allowed next steps", "certification", reply[CycleResponse]()},
		{"PATCH", "/api/v1/certification/cycles/:id", rbac.CertificationManage, s.patchCycle, "Edit a cycle's body, responsible person, notes", "certification", takes[CycleUpdateRequest, CycleResponse]()},
		{"POST", "/api/v1/certification/cycles/:id/advance", rbac.CertificationManage, s.advanceCycle, "Move a cycle to its next step (issuing the certificate plans surveillance audits)", "certification", takes[CycleAdvanceRequest, CycleResponse]()},
		{"GET", "/api/v1/certification/audits", rbac.CertificationRead, s.listCertAudits, "Audits of all cycles (?status=)", "certification", reply[List[AuditResponse]]()},
		{"GET", "/api/v1/certification/next-audit", rbac.CertificationRead, s.nextCertAudit, "The next planned audit (404 when none)", "certification", reply[Untyped]()},
		{"PATCH", "/api/v1/certification/audits/:id", rbac.CertificationManage, s.scheduleCertAudit, "Agree an audit's date and people", "certification", takes[AuditScheduleRequest, AuditResponse]()},
		{"POST", "/api/v1/certification/audits/:id/result", rbac.CertificationManage, s.recordCertAuditResult, "Record the auditor's score and band beside our projection", "certification", takes[AuditResultRequest, AuditResponse]()},
		{"GET", "/api/v1/certification/audit-packs", rbac.CertificationRead, s.listAuditPacks, "Recent audit packs", "certification", reply[List[AuditPackResponse]]()},
		{"POST", "/api/v1/certification/audit-packs", rbac.CertificationManage, s.createAuditPack, "Build an audit pack for {from, to} in the background (202; poll for progress)", "certification", takes[AuditPackRequest, AuditPackResponse]().status(202)},
		{"GET", "/api/v1/certification/audit-packs/:id", rbac.CertificationRead, s.getAuditPack, "An audit pack's progress, then its download link", "certification", reply[AuditPackResponse]()},
		{"GET", "/api/v1/certification/audit-packs/:id/download", rbac.CertificationRead, s.downloadAuditPack, "Download a finished audit pack (ZIP)", "certification", download(mediaZIP)},

		// Messages to customers (SMS and the enterprise's webhook; docs/messages.md)
		{"GET", "/api/v1/messages", rbac.MessageRead, s.listMessages, "Messages to customers, newest first (status, trigger, customer_id, ref_type+ref_id; phones masked)", "messages", reply[Page[MessageResponse]]()},
		{"GET", "/api/v1/messages/channels", rbac.MessageRead, s.messageChannels, "How messages leave: SMS provider or log only, webhook configured", "messages", reply[MessageChannelsResponse]()},
		{"GET", "/api/v1/messages/:id", rbac.MessageRead, s.getMessage, "One message to a customer", "messages", reply[MessageResponse]()},
		{"POST", "/api/v1/messages/:id/resend", rbac.MessageSend, s.resendMessage, "Send a message again (a new message; consent, quiet hours and the rate limit apply)", "messages", reply[MessageResponse]().status(201)},
		{"GET", "/api/v1/message-templates", rbac.MessageRead, s.listMessageTemplates, "The message template of every trigger, with its variables", "messages", reply[List[MessageTemplateResponse]]()},
		{"PUT", "/api/v1/message-templates/:trigger", rbac.MessageManage, s.updateMessageTemplate, "Edit a trigger's template (version; unknown variables are 422)", "messages", takes[MessageTemplateRequest, MessageTemplateResponse]()},
		{"GET", "/api/v1/message-webhooks/deliveries", rbac.MessageRead, s.listWebhookDeliveries, "Webhook deliveries (status=dead: the dead letters)", "messages", reply[Page[WebhookDeliveryResponse]]()},
		{"POST", "/api/v1/message-webhooks/deliveries/:id/redrive", rbac.MessageManage, s.redriveWebhookDelivery, "Re-drive a dead-lettered webhook delivery", "messages", reply[WebhookDeliveryResponse]()},

		// == The customer's public pages (no login)
		{"GET", "/api/v1/price-list", Public, s.priceList, "The published price list (收费标准) for parts and labour", "public", reply[Untyped]()},
		{"GET", "/api/v1/public/surveys/:token", Public, s.publicSurvey, "The survey form behind a link (never records anything; 404 unknown, 409 already_answered, 410 survey_expired)", "public", reply[PublicSurveyResponse]().errors(410)},
		{"GET", "/api/v1/public/quotes/:token", Public, s.publicQuote, "The repair quote behind a customer's link (never records anything; 404 unknown, 410 quote_link_expired)", "public", reply[PublicQuoteResponse]().errors(410)},
		{"POST", "/api/v1/public/sms/tencent/status/:token", Public, s.tencentSMSStatus, "Tencent Cloud SMS delivery reports (the console's status callback; the URL's token is sms.tencent.status_token, 404 otherwise)", "public", takes[[]messaging.TencentReport, TencentCallbackAnswer]()},
		{"POST", "/api/v1/public/quotes/:token", Public, s.answerPublicQuote, "Approve or decline the quote once (409 already_answered, 410 quote_link_expired)", "public", takes[PublicQuoteAnswerRequest, PublicQuoteResponse]().errors(410)},
		{"POST", "/api/v1/public/surveys/:token", Public, s.submitPublicSurvey, "Submit the survey once (409 already_answered, 410 survey_expired, 422 names the question)", "public", takes[PublicSurveySubmitRequest, Untyped]().status(201).errors(410)},
		{"GET", "/api/v1/public/warranty/:serial", Public, s.publicWarranty, "Warranty check by serial number: model, category, purchase date, 三包 state and dates (no personal data; rate-limited)", "public", reply[PublicWarrantyResponse]().errors(429)},
		{"GET", "/api/v1/public/tickets/:number", Public, s.publicTicket, "Ticket status and timeline summary for ?phone= of the ticket's customer (404 otherwise; rate-limited)", "public", reply[PublicTicketResponse]().errors(429)},
		{"POST", "/api/v1/public/service-requests", Public, s.submitServiceRequest, "A customer's service request: opens a web ticket, returns its number (Idempotency-Key; rate-limited per IP)", "public", takes[PublicServiceRequest, PublicServiceRequestResponse]().status(201, 200).errors(429)},
		{"GET", "/api/v1/public/regions", Public, s.listRegions, "Child regions of ?parent= (provinces without it) for the customer's address on the service request form", "public", reply[List[RegionResponse]]()},
		{"GET", "/api/v1/public/faq", Public, s.publicFaq, "Published FAQ articles (topic, category_id, q, page, size)", "public", reply[Page[PublicFaqArticle]]()},
		{"GET", "/api/v1/public/manuals", Public, s.publicManuals, "Published product manuals (category_id, model, page, size)", "public", reply[Page[PublicManual]]()},
		{"GET", "/api/v1/public/manuals/:id/download", Public, s.downloadPublicManual, "Download a published manual's file", "public", download(mediaAny)},
		// FAQ articles and product manuals behind the public pages (content)
		{"GET", "/api/v1/faq-articles", rbac.ProductManage, s.listFaqArticles, "FAQ articles incl. drafts (published, topic, q, page, size)", "content", reply[Page[FaqArticleResponse]]()},
		{"POST", "/api/v1/faq-articles", rbac.ProductManage, s.createFaqArticle, "Create a FAQ article", "content", takes[FaqArticleRequest, FaqArticleResponse]().status(201)},
		{"GET", "/api/v1/faq-articles/:id", rbac.ProductManage, s.getFaqArticle, "A FAQ article", "content", reply[FaqArticleResponse]()},
		{"PATCH", "/api/v1/faq-articles/:id", rbac.ProductManage, s.patchFaqArticle, "Change or (un)publish a FAQ article (version or If-Match required)", "content", takes[PatchFaqArticleRequest, FaqArticleResponse]()},
		{"DELETE", "/api/v1/faq-articles/:id", rbac.ProductManage, s.deleteFaqArticle, "Delete a FAQ article (If-Match or ?version=)", "content", reply[NoContent]()},
		{"GET", "/api/v1/manuals", rbac.ProductManage, s.listManuals, "Product manuals incl. drafts (published, category_id, model, page, size)", "content", reply[Page[ManualResponse]]()},
		{"POST", "/api/v1/manuals", rbac.ProductManage, s.createManual, "Create a manual: JSON with url, or multipart with the file in \"file\"", "content", takes[ManualRequest, ManualResponse]().status(201)},
		{"GET", "/api/v1/manuals/:id", rbac.ProductManage, s.getManual, "A product manual", "content", reply[ManualResponse]()},
		{"PATCH", "/api/v1/manuals/:id", rbac.ProductManage, s.patchManual, "Change, (un)publish or replace the file of a manual (JSON or multipart; version required)", "content", takes[PatchManualRequest, ManualResponse]()},
		{"DELETE", "/api/v1/manuals/:id", rbac.ProductManage, s.deleteManual, "Delete a manual (If-Match or ?version=)", "content", reply[NoContent]()},
		{"GET", "/api/v1/manuals/:id/download", rbac.ProductManage, s.downloadManual, "Download a manual's file (drafts too)", "content", download(mediaAny)},
	}
	for _, p := range attachmentParents {
		routes = append(routes, s.attachmentRoutes(p)...)
	}
	return routes
}

// attachmentParent is a kind of service record that takes attachments: its
// collection path, its attachment parent type, the permissions that read
// and change it, and what the summaries call one.
type attachmentParent struct {
	path, parent, read, change, noun string
}

// attachmentParents are the records with attachments (issue 12); access to
// the attachments follows the parent record (its permission and data scope).
var attachmentParents = []attachmentParent{
	{"/api/v1/tickets", attachment.ParentTicket, rbac.TicketRead, rbac.TicketUpdate, "a ticket"},
	{"/api/v1/work-orders", attachment.ParentWorkOrder, rbac.WorkOrderRead, rbac.WorkOrderRespond, "a work order"},
	{"/api/v1/repairs", attachment.ParentRepair, rbac.WorkOrderRead, rbac.WorkOrderRespond, "a repair"},
	{"/api/v1/complaints", attachment.ParentComplaint, rbac.ComplaintRead, rbac.ComplaintManage, "a complaint"},
	{"/api/v1/returns", attachment.ParentReturn, rbac.TicketRead, rbac.TicketUpdate, "a 三包 return/exchange request"},
}

// attachmentRoutes are the five attachment routes of one kind of record:
// list, upload, file, thumbnail and delete.
func (s *Server) attachmentRoutes(p attachmentParent) []Route {
	list, one := p.path+"/:id/attachments", p.path+"/:id/attachments/:attachment_id"
	return []Route{
		{"GET", list, p.read, s.listAttachments(p.parent), "Attachments of " + p.noun + ", oldest first, with the accepted kinds, extensions and size limit", "attachments", reply[Untyped]()},
		{"POST", list, p.change, s.uploadAttachment(p.parent), "Attach a file to " + p.noun + " (multipart: kind, note, file; 413 file_too_large, 415 file_type_not_accepted|content_mismatch; photos re-encoded without EXIF/GPS; a signature's SHA-256 goes into the audit record)", "attachments", reply[AttachmentResponse]().status(201, 200).upload(mediaMultipart)},
		{"GET", one + "/file", p.read, s.attachmentFile(p.parent, false), "The attached file (images inline, documents as a download; ?download=1)", "attachments", download(mediaAny)},
		{"GET", one + "/thumbnail", p.read, s.attachmentFile(p.parent, true), "An image attachment's JPEG thumbnail (404 for a document)", "attachments", download("image/jpeg")},
		{"DELETE", one, p.change, s.deleteAttachment(p.parent), "Remove an attachment (soft, audited; If-Match version → 409 on a stale one)", "attachments", reply[NoContent]()},
	}
}
