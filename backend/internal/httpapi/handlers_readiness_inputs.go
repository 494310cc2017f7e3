package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// Overrides (their own resource, with evidence) and the list of bonus
// practices.

// OverrideRequest replaces the computed points of a leaf: the points must
// be a value the leaf's scoring mode allows, with a justification and at
// least one evidence document (ids from /api/v1/evidence).
type OverrideRequest struct {
	Standard      string   `json:"standard"`
	Clause        string   `json:"clause"`
	Points        *float64 `json:"points"`
	Justification string   `json:"justification"`
	Evidence      []string `json:"evidence"`
	// ExpiresOn is the last day the override counts (YYYY-MM-DD).
	ExpiresOn *string `json:"expires_on"`
}

// WithdrawRequest says why an override or bonus practice is withdrawn.
type WithdrawRequest struct {
	Reason string `json:"reason"`
}

// OverrideResponse is a recorded override.
type OverrideResponse struct {
	ID             uint64     `json:"id"`
	Standard       string     `json:"standard"`
	Clause         string     `json:"clause"`
	Points         float64    `json:"points"`
	Justification  string     `json:"justification"`
	Evidence       []string   `json:"evidence"`
	Author         string     `json:"author"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      *time.Time `json:"expires_at"`
	WithdrawnAt    *time.Time `json:"withdrawn_at"`
	WithdrawnBy    string     `json:"withdrawn_by,omitempty"`
	WithdrawReason string     `json:"withdraw_reason,omitempty"`
}

func overrideResponse(o readiness.OverrideRecord) OverrideResponse {
	ev := o.EvidenceIDs()
	if ev == nil {
		ev = []string{}
	}
	return OverrideResponse{ID: o.ID, Standard: o.StandardCode, Clause: o.Clause, Points: o.Points, Justification: o.Justification,
		Evidence: ev, Author: o.Author, CreatedAt: o.CreatedAt, ExpiresAt: o.ExpiresAt, WithdrawnAt: o.WithdrawnAt,
		WithdrawnBy: o.WithdrawnBy, WithdrawReason: o.WithdrawReason}
}

// GET /api/v1/readiness/overrides?all=true — in force (default) or history.
func (s *Server) listOverrides(c *gin.Context) error {
	list, err := s.Readiness.Overrides(c.Request.Context(), c.Query("standard"), c.Query("all") == "true")
	if err != nil {
		return err
	}
	items := views(list, overrideResponse)
	c.JSON(http.StatusOK, listOf(items))
	return nil
}

// POST /api/v1/readiness/overrides
func (s *Server) createOverride(c *gin.Context) error {
	var req OverrideRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Points == nil {
		return apperr.FieldErr("points", apperr.Required())
	}
	expires, err := s.readinessExpiry(req.ExpiresOn)
	if err != nil {
		return err
	}
	o, err := s.Readiness.CreateOverride(c.Request.Context(), readiness.OverrideInput{Standard: req.Standard, Clause: req.Clause,
		Points: *req.Points, Justification: req.Justification, Evidence: req.Evidence, ExpiresAt: expires})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, overrideResponse(*o))
	return nil
}

// POST /api/v1/readiness/overrides/:id/withdraw {reason}
func (s *Server) withdrawOverride(c *gin.Context) error {
	var req WithdrawRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	if err := s.Readiness.WithdrawOverride(c.Request.Context(), id, req.Reason); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// BonusResponse is one bonus practice in force.
type BonusResponse struct {
	ID        uint64    `json:"id"`
	Reason    string    `json:"reason"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// GET /api/v1/readiness/bonus — the practices in force, whether the active
// standard counts the bonus, and its cap.
func (s *Server) listBonus(c *gin.Context) error {
	list, err := s.Readiness.Bonuses(c.Request.Context())
	if err != nil {
		return err
	}
	items := make([]BonusResponse, 0, len(list))
	for _, b := range list {
		items = append(items, BonusResponse{ID: b.ID, Reason: b.Reason, Author: b.Author, CreatedAt: b.CreatedAt})
	}
	var enabled bool
	var points float64
	var maxCount int
	if std, err := s.Readiness.CurrentStandard(c.Request.Context()); err == nil {
		enabled, points, maxCount = std.Scoring.Bonus.Enabled, std.Scoring.Bonus.Points, std.Scoring.Bonus.MaxCount
	}
	counted := min(len(items), maxCount)
	if !enabled {
		counted = 0
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "enabled": enabled, "points_each": points, "max_count": maxCount,
		"counted_points": readiness.Round2(float64(counted) * points)})
	return nil
}

// POST /api/v1/readiness/bonus — record one more practice.
func (s *Server) createBonus(c *gin.Context) error {
	var req BonusRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, err := s.Readiness.ClaimBonus(c.Request.Context(), req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, BonusResponse{ID: b.ID, Reason: b.Reason, Author: b.Author, CreatedAt: b.CreatedAt})
	return nil
}

// DELETE /api/v1/readiness/bonus/:id?reason= — withdraw one practice.
func (s *Server) deleteBonus(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Readiness.WithdrawBonus(c.Request.Context(), id, c.Query("reason")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
