// Package httpapi is the HTTP face of the application: one route table
// (routes.go), middleware, request/response types and thin handlers that call
// domain services. It is the only package that imports gin.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/capa"
	"github.com/aftersales/aftersales/backend/internal/certification"
	"github.com/aftersales/aftersales/backend/internal/complaint"
	"github.com/aftersales/aftersales/backend/internal/content"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/idempotency"
	"github.com/aftersales/aftersales/backend/internal/messaging"
	"github.com/aftersales/aftersales/backend/internal/notification"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/parts"
	"github.com/aftersales/aftersales/backend/internal/privacy"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/push"
	"github.com/aftersales/aftersales/backend/internal/rbac"
	"github.com/aftersales/aftersales/backend/internal/readiness"
	"github.com/aftersales/aftersales/backend/internal/realtime"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/repair"
	"github.com/aftersales/aftersales/backend/internal/report"
	"github.com/aftersales/aftersales/backend/internal/returns"
	"github.com/aftersales/aftersales/backend/internal/scheduler"
	"github.com/aftersales/aftersales/backend/internal/servicerequest"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/survey"
	"github.com/aftersales/aftersales/backend/internal/ticket"
	"github.com/aftersales/aftersales/backend/internal/workorder"
)

// Options are the server's dependencies, wired once in app.
type Options struct {
	DB        *gorm.DB
	Auth      *auth.Service
	RBAC      *rbac.Authorizer
	Audit     *audit.Trail
	Bus       event.Bus
	Hub       *realtime.Hub
	Scheduler *scheduler.Scheduler
	Log       *slog.Logger
	UI        fs.FS // the built web app (dist/); may hold only .gitkeep
	// SecureCookies marks the session cookie Secure on every response
	// (http.secure_cookies); it is Secure anyway over TLS.
	SecureCookies bool
	// MaxBodyBytes bounds every request body except on the named upload
	// routes, which get MaxUploadBytes (security.go).
	MaxBodyBytes   int64
	MaxUploadBytes int64
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (http.trusted_proxies); none by default.
	TrustedProxies []string
	// AllowedOrigins may change state with the session cookie besides
	// the request's own host (http.allowed_origins).
	AllowedOrigins []string
	// MetricsToken, when set, serves /metrics on the public port to that
	// bearer token (metrics.token); otherwise only on metrics.addr.
	MetricsToken string
	// Pprof adds Go's profiler (/debug/pprof/) to MetricsHandler, the
	// separate metrics listener (metrics.pprof); never the public port.
	Pprof bool
	// Limiter counts the public pages' calls; nil: an in-process limiter.
	Limiter RateLimiter
	// RequestTimeout bounds each request (http.request_timeout); 0 means none.
	RequestTimeout time.Duration
	Location       *time.Location
	Version        string
	// Text is the server's own words (export headers) per language.
	Text *i18n.Catalogue
	// == Domain services (one field per domain; wired in app.New)
	Content       *content.Service       // FAQ articles and product manuals of the public pages
	Attachments   *attachment.Service    // files attached to tickets, work orders, repairs, complaints, returns (issue 12)
	Repairs       *repair.Service        // repair orders, labour rates, replacement entitlements (issue 4)
	Parts         *parts.Service         // spare parts catalogue, stock ledger, requisitions (issue 4)
	Returns       *returns.Service       // 三包 return and exchange requests (issue 4)
	Recalls       *recall.Service        // recall campaigns (issue 4)
	Readiness     *readiness.Service     // readiness engine (issue 5)
	Certification *certification.Service // evidence, cycles, audit packs (issue 5)

	Complaints        *complaint.Service
	CorrectiveActions *capa.Service
	Surveys           *survey.Service
	Regions           *region.Directory
	Customers         *customer.Service
	Products          *product.Service
	Outlets           *outlet.Service
	// Notifications are the users' own inboxes.
	Notifications *notification.Service
	// Push keeps the browsers' Web Push subscriptions (disabled without
	// VAPID keys: every route still answers).
	Push       *push.Service
	SLA        *sla.Store
	Tickets    *ticket.Service
	WorkOrders *workorder.Service
	// ServiceRequests take the public form's requests (customer and ticket
	// in one transaction).
	ServiceRequests *servicerequest.Service

	// Messages are the messages to customers (handlers_messages.go).
	Messages *messaging.Service
	// SMSStatusToken is sms.tencent.status_token: the secret of Tencent's
	// delivery-report callback URL (empty: the callback answers 404).
	SMSStatusToken string

	// Privacy is the PIPL access log; OutletContactDays is
	// privacy.outlet_contact_days (handlers_privacy.go).
	Privacy           *privacy.Log
	OutletContactDays int

	// Reports is the read-only reporting layer (handlers_reports.go).
	Reports *report.Reads
	// Idempotency keeps the answers of writes sent with an Idempotency-Key
	// (idempotency.go); nil: the header is ignored.
	Idempotency *idempotency.Store
}

// Server holds the handlers' dependencies.
type Server struct {
	Options
	log      *slog.Logger
	registry *prometheus.Registry
	reqs     *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// publicLimits rate-limits the customer's public pages per IP (handlers_public.go).
	publicLimits *publicLimits
	// trustedNets is TrustedProxies parsed.
	trustedNets []*net.IPNet
}

// SessionCookie is the browser session cookie name.
const SessionCookie = "aftersales_session"

// context keys stored on gin.Context.
const (
	ctxRequestID = "request_id"
	ctxIdentity  = "identity"
)

// New returns a Server.
func New(o Options) *Server {
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.MaxUploadBytes < o.MaxBodyBytes {
		o.MaxUploadBytes = o.MaxBodyBytes
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Push == nil {
		o.Push = push.New(push.Options{DB: o.DB, Audit: o.Audit}) // disabled: no VAPID keys
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Pool saturation (in use, wait count and wait time) is a metric, not a
	// readiness failure: see readyz.
	if sqlDB, err := o.DB.DB(); err == nil {
		reg.MustRegister(collectors.NewDBStatsCollector(sqlDB, o.DB.Dialector.Name()))
	}
	s := &Server{Options: o, log: o.Log, registry: reg,
		reqs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aftersales_http_requests_total", Help: "HTTP requests by route and status."},
			[]string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "aftersales_http_request_seconds", Help: "HTTP latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5}}, []string{"method", "route"}),
	}
	reg.MustRegister(s.reqs, s.latency)
	s.trustedNets = parseTrusted(o.TrustedProxies)
	s.publicLimits = newPublicLimits(o.Limiter)
	if o.Hub != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "aftersales_ws_clients", Help: "Connected WebSocket clients."},
			func() float64 { return float64(o.Hub.Clients()) }))
	}
	return s
}

// Handler builds the gin engine from the route table.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	// The client address comes from X-Forwarded-For only when the peer is
	// a configured proxy; gin.New() would believe any client.
	if err := r.SetTrustedProxies(s.TrustedProxies); err != nil {
		s.log.Error("http.trusted_proxies", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(s.securityHeaders, s.requestID, s.settleEvents, s.recoverer, s.accessLog, s.limitBody, s.csrfGuard)
	for _, rt := range s.Routes() {
		h := []gin.HandlerFunc{s.withDeadline(rt), s.authorize(rt), s.checkQuery(rt)}
		if rt.Method != http.MethodGet && rt.Permission != Public && !ownIdempotency[rt.Method+" "+rt.Path] {
			h = append(h, s.idempotent(rt))
		}
		h = append(h, s.handle(rt.Handler))
		r.Handle(rt.Method, rt.Path, h...)
	}
	r.GET("/metrics", s.handle(s.publicMetrics))
	r.NoRoute(s.handle(s.noRoute))
	return r
}

// noRoute answers unknown API paths with a JSON 404 and everything else with
// the single-page app (its router handles the path).
func (s *Server) noRoute(c *gin.Context) error {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || c.Request.Method != http.MethodGet {
		return &apperr.Error{Kind: apperr.KindNotFound, Code: "route_not_found", Message: "no such route: " + c.Request.Method + " " + p}
	}
	return s.serveUI(c)
}

func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.Version})
	return nil
}

func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	sqlDB, err := s.DB.DB()
	if err == nil {
		// Every pooled connection is busy: the database is answering (one
		// long lock holder keeps them), and a ping would only queue behind
		// them. Failing here would pull every instance out of the load
		// balancer at once, so a saturated pool is ready (and a metric).
		if st := sqlDB.Stats(); st.MaxOpenConnections > 0 && st.InUse >= st.MaxOpenConnections {
			c.JSON(http.StatusOK, gin.H{"status": "ready", "database": s.DB.Dialector.Name(), "pool": "saturated"})
			return nil
		}
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		c.Header("Retry-After", "2")
		c.JSON(http.StatusServiceUnavailable, ErrorBody{Error: ErrorDetail{Code: "database_unavailable", Message: "database is not reachable"}})
		return nil
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "database": s.DB.Dialector.Name()})
	return nil
}
