package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/rbac"
)

// Access levels that are not casbin permissions.
const (
	// Public routes need no login (health, login, the customer's pages).
	Public = "public"
	// Authenticated routes need a login but no particular permission.
	Authenticated = "authenticated"
)

// Route is one line of the route table: method, path, the permission it
// requires, the handler, and its OpenAPI summary.
type Route struct {
	Method     string
	Path       string
	Permission string
	Handler    gin.HandlerFunc
	Summary    string
	Tag        string
	// Body names the request body type for the OpenAPI document.
	Body string
}

// Routes is THE route table. Every API route is listed here with its
// permission; a test walks it and fails for any route without one, or
// without an allow/deny expectation for every role.
func (s *Server) Routes() []Route {
	return []Route{
		// Platform
		{"GET", "/healthz", Public, s.healthz, "Liveness: the process is up", "platform", ""},
		{"GET", "/readyz", Public, s.readyz, "Readiness: the database answers", "platform", ""},
		{"GET", "/api/v1/openapi.json", Public, s.openapi, "This OpenAPI document", "platform", ""},

		// Identity
		{"POST", "/api/v1/auth/login", Public, s.login, "Log in; returns a session token and sets the session cookie", "auth", "LoginRequest"},
		{"POST", "/api/v1/auth/logout", Authenticated, s.logout, "Revoke the current session", "auth", ""},
		{"POST", "/api/v1/auth/password", Authenticated, s.changePassword, "Change one's own password (revokes other sessions)", "auth", "ChangePasswordRequest"},
		{"GET", "/api/v1/me", Authenticated, s.me, "The current user, roles and permissions", "auth", ""},
		{"GET", "/api/v1/ws", Authenticated, s.websocket, "WebSocket live channel (subscribe to topics)", "live", ""},

		// Users administration
		{"GET", "/api/v1/users", rbac.UserManage, s.listUsers, "List users", "users", ""},
		{"POST", "/api/v1/users", rbac.UserManage, s.createUser, "Create a user", "users", "CreateUserRequest"},
		{"GET", "/api/v1/users/:id", rbac.UserManage, s.getUser, "Get a user", "users", ""},
		{"PUT", "/api/v1/users/:id/roles", rbac.UserManage, s.setUserRoles, "Set a user's roles and outlet scope", "users", "SetRolesRequest"},
		{"POST", "/api/v1/users/:id/disable", rbac.UserManage, s.disableUser, "Disable a user and revoke their sessions", "users", ""},
		{"POST", "/api/v1/users/:id/enable", rbac.UserManage, s.enableUser, "Re-enable a user", "users", ""},
		{"POST", "/api/v1/users/:id/password", rbac.UserManage, s.resetUserPassword, "Reset a user's password", "users", "ResetPasswordRequest"},
		{"GET", "/api/v1/roles", rbac.UserManage, s.listRoles, "Roles and their permissions", "users", ""},

		// Audit trail and jobs
		{"GET", "/api/v1/audit", rbac.AuditRead, s.listAudit, "Audit trail, newest first (keyset by id)", "audit", ""},
		{"GET", "/api/v1/audit/verify", rbac.AuditRead, s.verifyAudit, "Verify the audit hash chain", "audit", ""},
		{"GET", "/api/v1/jobs/runs", rbac.JobRead, s.listJobRuns, "Recent scheduled job runs", "jobs", ""},

		// == Regions, customers, products, units and warranty (customer, product, region)

		// == Outlets and staff (outlet)

		// == Tickets, SLA, dispatch and work orders (ticket, sla, workorder)

		// == Complaints, corrective actions, surveys and follow-ups (complaint, survey)

		// == Repairs, spare parts, returns and recalls (repair, parts, returns, recall)

		// == Certification readiness, evidence and certification cycles (readiness, certification)

		// == The customer's public pages (no login)
	}
}
