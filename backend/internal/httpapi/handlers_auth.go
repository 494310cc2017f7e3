package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/rbac"
)

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// MeResponse describes the logged-in user.
type MeResponse struct {
	ID          uint64     `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Roles       []string   `json:"roles" schema:"Role"`
	Permissions []string   `json:"permissions" schema:"Permission"`
	OutletID    *uint64    `json:"outlet_id"`
	Timezone    string     `json:"timezone"`
	ExpiresAt   *time.Time `json:"account_expires_at,omitempty"`
}

func (s *Server) meOf(u auth.User) (MeResponse, error) {
	roles := u.RoleList()
	perms, err := s.RBAC.Permissions(roles)
	if err != nil {
		return MeResponse{}, err
	}
	return MeResponse{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: roles,
		Permissions: perms, OutletID: u.OutletID, Timezone: s.Location.String(), ExpiresAt: u.ExpiresAt}, nil
}

func (s *Server) login(c *gin.Context) error {
	var req LoginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.Auth.Login(c.Request.Context(), req.Username, req.Password, c.ClientIP(), c.GetHeader("User-Agent"))
	if err != nil {
		return err
	}
	maxAge := int(time.Until(res.ExpiresAt).Seconds())
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(SessionCookie, res.Token, maxAge, "/", "", s.secureCookie(c), true)
	me, err := s.meOf(res.User)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"token": res.Token, "expires_at": res.ExpiresAt, "user": me})
	return nil
}

func (s *Server) logout(c *gin.Context) error {
	if err := s.Auth.Logout(c.Request.Context(), identity(c).TokenHash); err != nil {
		return err
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(SessionCookie, "", -1, "/", "", s.secureCookie(c), true)
	c.Status(http.StatusNoContent)
	return nil
}

// ChangePasswordRequest is the body of POST /auth/password.
type ChangePasswordRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

func (s *Server) changePassword(c *gin.Context) error {
	var req ChangePasswordRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id := identity(c)
	if err := s.Auth.ChangePassword(c.Request.Context(), id.User.ID, id.TokenHash, req.OldPassword, req.NewPassword); err != nil {
		if e := apperr.As(err); e.Fields["password"].Code != "" {
			e.Fields = apperr.Fields{"new_password": e.Fields["password"]}
		}
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) me(c *gin.Context) error {
	me, err := s.meOf(identity(c).User)
	return respond(c, http.StatusOK, me, err)
}

// UserResponse is the API image of a user (never the password hash).
type UserResponse struct {
	ID          uint64     `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Roles       []string   `json:"roles" schema:"Role"`
	OutletID    *uint64    `json:"outlet_id"`
	Disabled    bool       `json:"disabled"`
	ExpiresAt   *time.Time `json:"expires_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
	CreatedAt   time.Time  `json:"created_at"`
	Version     int64      `json:"version"`
}

func userResponse(u auth.User) UserResponse {
	return UserResponse{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: u.RoleList(), OutletID: u.OutletID,
		Disabled: u.Disabled, ExpiresAt: u.ExpiresAt, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, Version: u.Version}
}

func (s *Server) listUsers(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	users, total, err := s.Auth.ListUsers(c.Request.Context(), auth.UserFilter{Query: strings.TrimSpace(c.Query("q")), Role: c.Query("role"), Page: page, Size: size})
	if err != nil {
		return err
	}
	items := views(users, userResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// CreateUserRequest is the body of POST /users.
type CreateUserRequest struct {
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Password    string     `json:"password"`
	Roles       []string   `json:"roles" schema:"Role"`
	OutletID    *uint64    `json:"outlet_id"`
	ExpiresAt   *time.Time `json:"expires_at"`
}

func (s *Server) createUser(c *gin.Context) error {
	var req CreateUserRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, err := s.Auth.CreateUser(c.Request.Context(), auth.NewUser{Username: req.Username, DisplayName: req.DisplayName, Password: req.Password,
		Roles: req.Roles, OutletID: req.OutletID, ExpiresAt: req.ExpiresAt})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, userResponse(u))
	return nil
}

func (s *Server) getUser(c *gin.Context) error {
	return answerByID(c, http.StatusOK, s.Auth.GetUser, userResponse)
}

// SetRolesRequest is the body of PUT /users/{id}/roles.
type SetRolesRequest struct {
	Roles     []string   `json:"roles" schema:"Role"`
	OutletID  *uint64    `json:"outlet_id"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func (s *Server) setUserRoles(c *gin.Context) error {
	var req SetRolesRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusOK, userResponse)(s.Auth.SetRoles(c.Request.Context(), id, req.Roles, req.OutletID, req.ExpiresAt))
}

func (s *Server) setDisabled(c *gin.Context, disabled bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if disabled && identity(c).User.ID == id {
		return apperr.Conflict("cannot_disable_self", "you cannot disable your own account")
	}
	return answerWith(c, http.StatusOK, userResponse)(s.Auth.SetDisabled(c.Request.Context(), id, disabled))
}

func (s *Server) disableUser(c *gin.Context) error { return s.setDisabled(c, true) }
func (s *Server) enableUser(c *gin.Context) error  { return s.setDisabled(c, false) }

// ResetPasswordRequest is the body of POST /users/{id}/password.
type ResetPasswordRequest struct {
	Password string `json:"password"`
}

func (s *Server) resetUserPassword(c *gin.Context) error {
	var req ResetPasswordRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	if err := s.Auth.ResetPassword(c.Request.Context(), id, req.Password); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) listRoles(c *gin.Context) error {
	out := make([]gin.H, 0, len(auth.AllRoles))
	for _, r := range auth.AllRoles {
		perms, err := s.RBAC.Permissions([]string{r})
		if err != nil {
			return err
		}
		out = append(out, gin.H{"role": r, "permissions": perms})
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "known_permissions": rbac.KnownPermissions()})
	return nil
}

// grantRolePermission gives a role a permission (PUT …/roles/:role/permissions/:permission).
func (s *Server) grantRolePermission(c *gin.Context) error {
	g := rbac.Grant{Role: c.Param("role"), Permission: c.Param("permission")}
	if err := s.RBAC.GrantPermission(c.Request.Context(), g); err != nil {
		return err
	}
	c.JSON(http.StatusOK, g)
	return nil
}

// revokeRolePermission takes a permission from a role; a revoked default stays
// revoked across upgrades.
func (s *Server) revokeRolePermission(c *gin.Context) error {
	g := rbac.Grant{Role: c.Param("role"), Permission: c.Param("permission")}
	if err := s.RBAC.RevokePermission(c.Request.Context(), g); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) listAudit(c *gin.Context) error {
	var before uint64
	if v := c.Query("before_id"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fieldErr("before_id", apperr.InvalidFormat(apperr.FormatPositiveInteger))
		}
		before = n
	}
	size := 50
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return fieldErr("size", apperr.OutOfRange(1, 200))
		}
		size = n
	}
	recs, err := s.Audit.List(c.Request.Context(), s.DB, audit.Filter{Entity: c.Query("entity"), EntityID: c.Query("entity_id"),
		Actor: c.Query("actor"), Action: c.Query("action"), BeforeSeq: before, Size: size})
	if err != nil {
		return err
	}
	next := nextBeforeID(recs, size, func(x audit.Record) uint64 { return x.LeafID })
	c.JSON(http.StatusOK, keysetOf(recs, next))
	return nil
}

func (s *Server) verifyAudit(c *gin.Context) error {
	res, err := s.Audit.Verify(c.Request.Context(), s.DB)
	return respond(c, http.StatusOK, res, err)
}

func (s *Server) listJobRuns(c *gin.Context) error {
	runs, err := s.Scheduler.Runs(c.Request.Context(), c.Query("name"), 100)
	return respond(c, http.StatusOK, listOf(runs), err)
}

func errNotFoundAsset(p string) error {
	return &apperr.Error{Kind: apperr.KindNotFound, Code: "not_found", Message: "no such file: /" + p}
}
