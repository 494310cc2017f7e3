package httpapi_test

import (
	"context"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/product"
)

// TestSearchAtScale is the search benchmark of `make bench` (scripts/
// bench-search.sh; never part of the tests: it runs only with
// SEARCH_BENCH_DSN). It fills that database with SEARCH_BENCH_TICKETS
// tickets (default 1,000,000) and a customer, phone, address and unit per
// SEARCH_BENCH_CUSTOMERS (default 300,000) with multi-row INSERTs (once; a
// filled database is reused), then times GET /search through the real
// server for each kind of query and prints p50/p95/p99.
func TestSearchAtScale(t *testing.T) {
	dsn := os.Getenv("SEARCH_BENCH_DSN")
	if dsn == "" {
		t.Skip("SEARCH_BENCH_DSN is not set (scripts/bench-search.sh sets it)")
	}
	nTickets, nCustomers := envInt("SEARCH_BENCH_TICKETS", 1_000_000), envInt("SEARCH_BENCH_CUSTOMERS", 300_000)
	if strings.HasPrefix(dsn, "sqlite:") {
		t.Setenv("AFTERSALES_DB_DRIVER", "sqlite")
		t.Setenv("AFTERSALES_DB_DSN", strings.TrimPrefix(dsn, "sqlite:"))
	} else {
		t.Setenv("AFTERSALES_DB_DRIVER", "mysql")
		t.Setenv("AFTERSALES_DB_DSN", dsn)
	}
	h, _ := startHarness(t, nil)
	g := h.app.DB
	var have int64
	g.Raw("SELECT COUNT(*) FROM tickets").Scan(&have)
	if have < int64(nTickets) {
		start := time.Now()
		fillSearchBench(t, h, g, nTickets, nCustomers)
		t.Logf("RESULT search data: %d tickets, %d customers generated in %s", nTickets, nCustomers, time.Since(start).Round(time.Second))
	}
	agent := h.login("agent")
	rng := rand.New(rand.NewSource(7))
	day0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	perDay := max(nTickets/730, 1)
	kinds := []struct {
		name string
		q    func() string
	}{
		{"ticket number", func() string {
			i := rng.Intn(nTickets)
			return fmt.Sprintf("T%s-%06d", day0.AddDate(0, 0, i/perDay).Format("20060102"), i%perDay+1)
		}},
		{"ticket last 6 digits", func() string { return fmt.Sprintf("%06d", rng.Intn(perDay)+1) }},
		{"phone", func() string { return fmt.Sprintf("139%08d", rng.Intn(nCustomers)+1) }},
		{"phone last 4", func() string { return fmt.Sprintf("%04d", rng.Intn(10000)) }},
		{"name + phone last 4", func() string {
			id := rng.Intn(nCustomers) + 1
			return benchSurnames[id%len(benchSurnames)] + " " + fmt.Sprintf("%04d", id%10000)
		}},
		{"serial", func() string { return fmt.Sprintf("AC%010d", rng.Intn(nCustomers)+1) }},
		{"name fragment (1 char)", func() string { return string([]rune(benchGiven)[rng.Intn(len([]rune(benchGiven)))]) }},
		{"name fragment (2 chars)", func() string {
			rs := []rune(benchGiven)
			return string(rs[rng.Intn(len(rs))]) + string(rs[rng.Intn(len(rs))])
		}},
		{"address fragment", func() string { return benchRoads[rng.Intn(len(benchRoads))] }},
	}
	const warm, samples = 10, 200
	for _, k := range kinds {
		var ds []time.Duration
		for i := 0; i < warm+samples; i++ {
			q := k.q()
			t0 := time.Now()
			r := h.do("GET", "/api/v1/search?q="+url.QueryEscape(q), agent, nil)
			d := time.Since(t0)
			if r.Status != 200 {
				t.Fatalf("%s %q: %d %s", k.name, q, r.Status, r.Body)
			}
			if i >= warm {
				ds = append(ds, d)
			}
		}
		slices.Sort(ds)
		pct := func(p float64) string {
			return fmt.Sprintf("%.1f ms", float64(ds[int(p*float64(len(ds)-1))].Microseconds())/1000)
		}
		fmt.Printf("RESULT search %s %s: p50 %s, p95 %s, p99 %s (n=%d, HTTP through the real server)\n",
			g.Dialector.Name(), k.name, pct(0.50), pct(0.95), pct(0.99), len(ds))
	}
}

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err != nil || n <= 0 {
		return def
	}
	return n
}

var (
	benchSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"}
	benchGiven    = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文红玉兰飞鹏辉宇浩然晓峰志"
	benchRoads    = []string{"科技园", "深南大道", "南海大道", "创业路", "学府路", "滨海大道", "桃园路", "侨香路", "白石路", "沙河西路",
		"前海路", "蛇口", "华侨城", "西丽", "留仙大道", "龙珠大道", "宝安大道", "新安", "西乡", "福永"}
)

// fillSearchBench writes the data set with multi-row INSERTs in large
// batches (grams through customer.Grams, as the customer service would).
func fillSearchBench(t *testing.T, h *harness, g *gorm.DB, nTickets, nCustomers int) {
	ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}})
	cat, err := h.app.Products.CreateCategory(ctx, product.NewCategory{Code: "BENCH", Name: "空调"})
	if err != nil {
		t.Fatal(err)
	}
	model, err := h.app.Products.CreateModel(ctx, product.NewModel{Code: "KFR-BENCH", Name: "挂式空调", CategoryID: cat.ID})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	given := []rune(benchGiven)
	now := time.Now().UTC()
	ins := newBulk(t, g)
	for id := 1; id <= nCustomers; id++ {
		name := benchSurnames[id%len(benchSurnames)] + string(given[rng.Intn(len(given))])
		if rng.Intn(2) == 0 {
			name += string(given[rng.Intn(len(given))])
		}
		detail := fmt.Sprintf("%s%d号%d栋%d", benchRoads[rng.Intn(len(benchRoads))], rng.Intn(300)+1, rng.Intn(30)+1, rng.Intn(3000)+101)
		ins.add("customers", []string{"id", "name", "kind", "consent_sms", "consent_survey", "consent_marketing", "version", "created_at", "updated_at"},
			id, name, "person", false, false, false, 1, now, now)
		ins.add("customer_phones", []string{"customer_id", "phone", "kind", "label", "is_primary", "created_at"},
			id, fmt.Sprintf("139%08d", id), "mobile", "", true, now)
		ins.add("customer_addresses", []string{"customer_id", "region_code", "detail", "is_default", "created_at"},
			id, "440305", detail, true, now)
		seen := map[string]bool{}
		for field, gs := range map[int][]string{1: customer.Grams(name, true), 2: customer.Grams(detail, false)} {
			for _, gr := range gs {
				if k := fmt.Sprint(field, gr); !seen[k] {
					seen[k] = true
					ins.add("customer_search_grams", []string{"field", "gram", "customer_id"}, field, gr, id)
				}
			}
		}
		ins.add("units", []string{"id", "serial", "model_id", "customer_id", "purchase_proof", "production_lot", "version", "created_at", "updated_at"},
			id, fmt.Sprintf("AC%010d", id), model.ID, id, "", "", 1, now, now)
	}
	ins.flush()
	perDay := max(nTickets/730, 1)
	day0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < nTickets; i++ {
		at := day0.AddDate(0, 0, i/perDay).Add(time.Duration(i%perDay) * time.Minute)
		cid := i%nCustomers + 1
		ins.add("tickets", []string{"number", "channel", "type", "priority", "priority_rank", "status", "customer_id", "unit_id", "fault_code",
			"region_code", "description", "team", "distance_band", "reopen_count", "close_reason", "sla_policy", "sla_calendar", "sla_breached",
			"sla_checked_at", "created_by", "version", "created_at", "updated_at"},
			fmt.Sprintf("T%s-%06d", at.Format("20060102"), i%perDay+1), "phone", "repair", "normal", 2, "closed", cid, cid, "E1",
			"440305", "不制冷", "", "", 0, "", "", "", false, at, 1, 1, at, at)
	}
	ins.flush()
}

// bulk collects rows per table and writes them with multi-row INSERTs of
// up to 60,000 placeholders.
type bulk struct {
	t    *testing.T
	g    *gorm.DB
	cols map[string][]string
	rows map[string][]any
	n    map[string]int
}

func newBulk(t *testing.T, g *gorm.DB) *bulk {
	return &bulk{t: t, g: g, cols: map[string][]string{}, rows: map[string][]any{}, n: map[string]int{}}
}

func (b *bulk) add(table string, cols []string, vals ...any) {
	b.cols[table] = cols
	b.rows[table] = append(b.rows[table], vals...)
	b.n[table]++
	limit := 60000 / len(cols)
	if b.g.Dialector.Name() != "mysql" {
		limit = 30000 / len(cols) // SQLite's default limit is 32766 variables
	}
	if b.n[table] >= limit {
		b.write(table)
	}
}

func (b *bulk) write(table string) {
	n := b.n[table]
	if n == 0 {
		return
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(b.cols[table])), ",") + ")"
	sql := "INSERT INTO " + table + " (" + strings.Join(b.cols[table], ",") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
	if err := b.g.Exec(sql, b.rows[table]...).Error; err != nil {
		b.t.Fatalf("insert %s: %v", table, err)
	}
	b.rows[table], b.n[table] = b.rows[table][:0], 0
}

func (b *bulk) flush() {
	for _, table := range []string{"customers", "customer_phones", "customer_addresses", "customer_search_grams", "units", "tickets"} {
		b.write(table)
	}
}
