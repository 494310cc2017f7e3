package httpapi

import (
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// uploadRoutes names the only routes whose body may exceed
// Options.MaxBodyBytes (they get Options.MaxUploadBytes) and that accept a
// multipart body from a cookie-authenticated browser. Each handler applies
// its own, tighter limit and says why a file is refused.
var uploadRoutes = map[string]bool{
	"POST /api/v1/outlets/import":               true,
	"POST /api/v1/staff/import":                 true,
	"POST /api/v1/recalls/:id/selectors/import": true,
	"POST /api/v1/evidence":                     true,
	"POST /api/v1/manuals":                      true,
	"PATCH /api/v1/manuals/:id":                 true,
	"POST /api/v1/tickets/:id/attachments":      true,
	"POST /api/v1/work-orders/:id/attachments":  true,
	"POST /api/v1/repairs/:id/attachments":      true,
	"POST /api/v1/complaints/:id/attachments":   true,
	"POST /api/v1/returns/:id/attachments":      true,
}

// documentRoutes take a document in another media type than JSON as their
// body. None of these types is one a cross-site form or "simple request"
// may send, so they keep the CSRF protection of JSON.
var documentRoutes = map[string][]string{
	"PUT /api/v1/readiness/standards/:code": {"application/yaml", "application/x-yaml", "text/yaml"},
}

// IsUploadRoute reports whether method and route pattern name an upload route.
func IsUploadRoute(method, pattern string) bool { return uploadRoutes[method+" "+pattern] }

// limitBody bounds every request body, whatever its Content-Type: the
// route's limit is MaxBodyBytes, or MaxUploadBytes for a named upload
// route. A declared length over the limit is refused before anything is
// read; an undeclared (chunked) body is cut at the limit and the handler's
// read fails with 413.
func (s *Server) limitBody(c *gin.Context) {
	limit := s.MaxBodyBytes
	if IsUploadRoute(c.Request.Method, c.FullPath()) {
		limit = s.MaxUploadBytes
	}
	if c.Request.ContentLength > limit {
		c.Header("Connection", "close")
		s.fail(c, apperr.TooLarge(limit))
		return
	}
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// contentSecurityPolicy is sent with the web app. Scripts come only from
// our origin; Element Plus sets inline styles, so styles may be inline.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// securityHeaders sets the browser protections on every response, and the
// content security policy on everything outside the API (the web app).
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if !strings.HasPrefix(c.Request.URL.Path, "/api/") {
		h.Set("Content-Security-Policy", contentSecurityPolicy)
	}
	c.Next()
}

// secureCookie reports whether the session cookie must be Secure: the
// request came over TLS (directly, or as a trusted proxy says), or the
// operator turned http.secure_cookies on.
func (s *Server) secureCookie(c *gin.Context) bool {
	if s.SecureCookies || c.Request.TLS != nil {
		return true
	}
	// X-Forwarded-Proto counts only from a trusted proxy: gin's ClientIP
	// differs from the peer address only when the peer is trusted.
	return s.fromTrustedProxy(c) && strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

// fromTrustedProxy reports whether the peer is one of http.trusted_proxies.
func (s *Server) fromTrustedProxy(c *gin.Context) bool {
	if len(s.trustedNets) == 0 {
		return false
	}
	ip := parseRemoteIP(c.Request.RemoteAddr)
	if ip == nil {
		return false
	}
	for _, n := range s.trustedNets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func parseRemoteIP(remoteAddr string) net.IP {
	host, _, err := net.SplitHostPort(strings.TrimSpace(remoteAddr))
	if err != nil {
		host = remoteAddr
	}
	return net.ParseIP(host)
}

// parseTrusted turns http.trusted_proxies entries (addresses or CIDR
// ranges, validated by config) into networks.
func parseTrusted(list []string) []*net.IPNet {
	var out []*net.IPNet
	for _, p := range list {
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil {
				if ip.To4() != nil {
					p += "/32"
				} else {
					p += "/128"
				}
			}
		}
		if _, n, err := net.ParseCIDR(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// cookieAuthenticated reports whether the request would be authenticated
// by the session cookie (a browser) rather than a bearer token.
func cookieAuthenticated(c *gin.Context) bool {
	if strings.HasPrefix(c.GetHeader("Authorization"), "Bearer ") {
		return false
	}
	v, err := c.Cookie(SessionCookie)
	return err == nil && v != ""
}

func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// csrfGuard protects cookie-authenticated state changes beyond SameSite:
// the body must be JSON (a cross-site form or text/plain "simple request"
// cannot send it without a CORS preflight we never grant), except on the
// named upload routes, and Origin (or Sec-Fetch-Site) must be our own or
// a configured origin. Bearer-token requests are not affected: a browser
// never adds the token by itself.
func (s *Server) csrfGuard(c *gin.Context) {
	if !stateChanging(c.Request.Method) || !cookieAuthenticated(c) {
		c.Next()
		return
	}
	if err := s.checkOrigin(c); err != nil {
		s.fail(c, err)
		return
	}
	hasBody := c.Request.ContentLength != 0 && c.Request.Body != nil && c.Request.Body != http.NoBody
	if hasBody {
		mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
		route := c.Request.Method + " " + c.FullPath()
		ok := mt == "application/json" || (uploadRoutes[route] && mt == "multipart/form-data") || slices.Contains(documentRoutes[route], mt)
		if !ok {
			s.fail(c, apperr.Unsupported("a signed-in browser must send application/json here (Content-Type "+quoteOrNone(mt)+" refused)"))
			return
		}
	}
	c.Next()
}

func quoteOrNone(s string) string {
	if s == "" {
		return "missing"
	}
	return `"` + s + `"`
}

// checkOrigin accepts a request whose Origin is this host or a configured
// origin, or — when the browser sent no Origin — whose Sec-Fetch-Site is
// same-origin (or none: typed by the user). A request with neither header
// is not from a browser that could be tricked into sending it.
func (s *Server) checkOrigin(c *gin.Context) error {
	if o := c.GetHeader("Origin"); o != "" {
		if s.originAllowed(c, o) {
			return nil
		}
		return &apperr.Error{Kind: apperr.KindForbidden, Code: "cross_origin_refused", Message: "cross-origin request refused (Origin " + o + ")"}
	}
	switch c.GetHeader("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return nil
	}
	return &apperr.Error{Kind: apperr.KindForbidden, Code: "cross_origin_refused", Message: "cross-site request refused (Sec-Fetch-Site " + c.GetHeader("Sec-Fetch-Site") + ")"}
}

func (s *Server) originAllowed(c *gin.Context, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	host := c.Request.Host
	if s.fromTrustedProxy(c) {
		if fh := c.GetHeader("X-Forwarded-Host"); fh != "" {
			host = strings.TrimSpace(strings.Split(fh, ",")[0])
		}
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	want := strings.TrimRight(strings.ToLower(origin), "/")
	for _, a := range s.AllowedOrigins {
		if strings.TrimRight(strings.ToLower(a), "/") == want {
			return true
		}
	}
	return false
}

// metricsHandler serves the Prometheus registry.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

// MetricsHandler is /metrics for the separate listener (metrics.addr),
// with Go's profiler under /debug/pprof/ when Pprof is set.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.metricsHandler())
	if s.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// publicMetrics serves /metrics on the public port only to a request that
// carries the configured bearer token (metrics.token); without a token the
// route does not exist there.
func (s *Server) publicMetrics(c *gin.Context) error {
	tok := strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")
	if s.MetricsToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.MetricsToken)) != 1 {
		return &apperr.Error{Kind: apperr.KindNotFound, Code: "route_not_found", Message: "no such route: GET /metrics"}
	}
	gin.WrapH(s.metricsHandler())(c)
	return nil
}
