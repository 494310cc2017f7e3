package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

const uiMissing = `<!doctype html><meta charset="utf-8"><title>售后服务运营平台</title>
<h1>The web app is not built</h1>
<p>The API is running under <code>/api/v1</code>. Build the UI with <code>make ui</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>) and rebuild the binary; <code>make run</code> does both.</p>`

// serveUI serves a file of the built app, or the page for client routes:
// m/index.html under /m (the phone app), index.html elsewhere.
func (s *Server) serveUI(c *gin.Context) error {
	if s.UI == nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(uiMissing))
		return nil
	}
	p := strings.TrimPrefix(path.Clean(c.Request.URL.Path), "/")
	if p != "" && p != "." {
		if st, err := fs.Stat(s.UI, p); err == nil && !st.IsDir() {
			switch {
			case strings.HasPrefix(p, "assets/"):
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			case path.Ext(p) == ".webmanifest":
				c.Header("Content-Type", "application/manifest+json")
			case p == "m-sw.js" || p == "m-push-sw.js":
				// The phone app's service worker: always checked for an update.
				c.Header("Cache-Control", "no-cache")
			}
			c.FileFromFS(p, http.FS(s.UI))
			return nil
		}
		if path.Ext(p) != "" {
			return errNotFoundAsset(p)
		}
	}
	page := "index.html"
	if p == "m" || strings.HasPrefix(p, "m/") {
		// The technician's phone app is its own page (frontend/m/index.html).
		page = "m/index.html"
	}
	index, err := fs.ReadFile(s.UI, page)
	if err != nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(uiMissing))
		return nil
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	return nil
}
