package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/i18n"
)

// text speaks the server's own words (the sheet names, headers, labels and
// file names of exports, import templates, reports and audit packs) in the
// reader's language, the one rule for every document the server writes:
// the lang query parameter first (a download link carries the UI's
// language in it, since the browser sends its own Accept-Language with a
// link), else Accept-Language (the UI's API calls send the language the
// user chose), else zh-CN. There is no per-user language stored on the
// server; the UI keeps the user's choice.
func (s *Server) text(c *gin.Context) i18n.Translator {
	return s.Text.For(c.Query("lang"), c.GetHeader("Accept-Language"))
}
