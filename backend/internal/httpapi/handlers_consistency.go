package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/consistency"
)

// consistencyCheck runs the cross-domain consistency checker (the same as
// `aftersales check`) and answers with its report: 200 whether or not
// invariants are broken (the report says which records); ?max=N names at
// most N records per invariant (1–10000, default 1000).
func (s *Server) consistencyCheck(c *gin.Context) error {
	limit := 1000
	if v := c.Query("max"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return apperr.FieldErr("max", apperr.OutOfRange(1, 10000))
		}
		limit = n
	}
	rep, err := consistency.New(s.DB, consistency.Options{MaxPerInvariant: limit}).Run(c.Request.Context())
	if err != nil {
		return apperr.Internal(err)
	}
	c.JSON(http.StatusOK, rep)
	return nil
}
