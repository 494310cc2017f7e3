package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/product"
)

func TestPublicWarrantyAndServiceRequest(t *testing.T) {
	h := newHarness(t)
	w := publicWorld(t, h)

	// Warranty by serial: product and 三包 dates, nobody's name or phone.
	r := h.expect(200, "GET", "/api/v1/public/warranty/AC2026000001", "", nil)
	body := string(r.Body)
	for _, secret := range []string{"王建国", w.phone, "科技园", "customer"} {
		if strings.Contains(body, secret) {
			t.Fatalf("warranty answer leaks %q: %s", secret, body)
		}
	}
	m := r.JSON(t)
	if m["model"].(map[string]any)["name"] != "挂式空调 1.5匹" || m["warranty"].(map[string]any)["state"] == "" || m["purchase_date"] == nil {
		t.Fatalf("warranty: %s", body)
	}
	if r := h.do("GET", "/api/v1/public/warranty/NO-SUCH-SERIAL", "", nil); r.Status != 404 {
		t.Fatalf("unknown serial: %d", r.Status)
	}

	// A bad form names every field at fault and creates nothing.
	r = h.expect(422, "POST", "/api/v1/public/service-requests", "", map[string]any{"name": "", "phone": "12345", "region_code": "440000",
		"address": "", "description": "坏", "type": "complaint"})
	fields := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
	for _, f := range []string{"name", "phone", "region_code", "address", "description", "type"} {
		if fields[f] == nil {
			t.Errorf("no error on %s: %v", f, fields)
		}
	}

	// A new caller: a customer and a web ticket; the same key replays.
	form := map[string]any{"name": "李娜", "phone": "139 0013 8888", "region_code": "440305", "address": "南山区海德三道 88 号 2 栋 1203",
		"description": "洗衣机脱水时噪音很大", "preferred_time": "周六上午"}
	r = h.expect(201, "POST", "/api/v1/public/service-requests", "", form, "Idempotency-Key", "req-1")
	number := r.JSON(t)["number"].(string)
	r = h.do("POST", "/api/v1/public/service-requests", "", form, "Idempotency-Key", "req-1")
	if r.Status != 200 || r.JSON(t)["number"] != number {
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}
	agent := h.login("agent")
	pop := h.expect(200, "GET", "/api/v1/customers?phone=13900138888", agent, nil)
	open := pop.JSON(t)["open_tickets"].([]any)
	if len(open) != 1 || open[0].(map[string]any)["number"] != number {
		t.Fatalf("open tickets of the new customer: %v", open)
	}

	// A known caller with their own serial: the ticket is linked to the unit.
	r = h.expect(201, "POST", "/api/v1/public/service-requests", "", map[string]any{"name": "王建国", "phone": w.phone, "region_code": "440305",
		"address": "科技园南区 1 栋 101", "serial": "AC2026000001", "description": "空调不制冷，开机十分钟仍是热风", "type": "repair"})
	known := r.JSON(t)["number"].(string)
	list := h.do("GET", "/api/v1/tickets?customer_id="+pubItoa(w.customerID), agent, nil).JSON(t)["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("tickets of the known customer: %v", list)
	}
	tk := list[0].(map[string]any)
	if tk["number"] != known || tk["channel"] != "web" || num(t, tk["unit_id"]) != w.unitID || !strings.Contains(tk["description"].(string), "网页自助报修") {
		t.Fatalf("web ticket: %v", tk)
	}

	// Status lookup: only with the customer's phone, and one answer for a
	// wrong phone and an unknown number.
	r = h.expect(200, "GET", "/api/v1/public/tickets/"+known+"?phone="+url.QueryEscape(w.phone), "", nil)
	st := r.JSON(t)
	tl := st["timeline"].([]any)
	if st["status"] != "new" || len(tl) == 0 || tl[0].(map[string]any)["kind"] != "created" || strings.Contains(string(r.Body), "网页自助报修") {
		t.Fatalf("status answer: %s", r.Body)
	}
	for name, path := range map[string]string{
		"another customer's phone": "/api/v1/public/tickets/" + known + "?phone=13900138888",
		"unknown phone":            "/api/v1/public/tickets/" + known + "?phone=13700000000",
		"unknown number":           "/api/v1/public/tickets/T20990101-000001?phone=" + w.phone,
	} {
		if r := h.do("GET", path, "", nil); r.Status != 404 || r.errCode(t) != "not_found" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	if r := h.do("GET", "/api/v1/public/tickets/"+known, "", nil); r.Status != 422 {
		t.Errorf("no phone: %d", r.Status)
	}

	// Flooding: the sixth request of a window from one IP is refused.
	got429 := false
	for i := 0; i < 5 && !got429; i++ {
		r = h.do("POST", "/api/v1/public/service-requests", "", form)
		got429 = r.Status == 429
	}
	if !got429 || r.Header.Get("Retry-After") == "" || r.errCode(t) != "rate_limited" {
		t.Fatalf("rate limit: %d %s", r.Status, r.Body)
	}
}

func TestPublicFaqAndManuals(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin")
	if r := h.do("POST", "/api/v1/faq-articles", admin, map[string]any{"title": "", "body": ""}); r.Status != 422 {
		t.Fatalf("empty article: %d", r.Status)
	}
	pub := h.do("POST", "/api/v1/faq-articles", admin, map[string]any{"title": "三包有效期从哪天算起？", "body": "从开具发票之日起计算。",
		"topic": "保修政策", "published": true})
	draft := h.do("POST", "/api/v1/faq-articles", admin, map[string]any{"title": "草稿", "body": "尚未发布"})
	if pub.Status != 201 || draft.Status != 201 {
		t.Fatalf("create: %d %d", pub.Status, draft.Status)
	}
	faq := h.do("GET", "/api/v1/public/faq", "", nil).JSON(t)
	if items := faq["items"].([]any); len(items) != 1 || items[0].(map[string]any)["title"] != "三包有效期从哪天算起？" {
		t.Fatalf("public faq: %v", faq)
	}
	id := pubItoa(num(t, draft.JSON(t)["id"]))
	if r := h.do("PATCH", "/api/v1/faq-articles/"+id, admin, map[string]any{"published": true}); r.Status != 422 {
		t.Fatalf("patch without version: %d", r.Status)
	}
	if r := h.do("PATCH", "/api/v1/faq-articles/"+id, admin, map[string]any{"published": true}, "If-Match", `"1"`); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	h.noopPatch(t, "/api/v1/faq-articles/"+id, admin, map[string]any{"published": true}, 2.0)
	if r := h.do("DELETE", "/api/v1/faq-articles/"+id+"?version=1", admin, nil); r.Status != 409 {
		t.Fatalf("stale delete: %d", r.Status)
	}
	if r := h.do("DELETE", "/api/v1/faq-articles/"+id+"?version=2", admin, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}

	// A manual uploaded as a file; public only once published.
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", "挂式空调使用说明书")
	_ = mw.WriteField("model_code", "KFR-35GW")
	fw, _ := mw.CreateFormFile("file", "空调说明书.pdf")
	_, _ = fw.Write(pdf)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/manuals", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+admin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	r := response{Status: res.StatusCode, Body: b}
	mid := pubItoa(num(t, r.JSON(t)["id"]))
	if r := h.do("GET", "/api/v1/public/manuals/"+mid+"/download", "", nil); r.Status != 404 {
		t.Fatalf("a draft manual is not public: %d", r.Status)
	}
	if r := h.do("PATCH", "/api/v1/manuals/"+mid, admin, map[string]any{"published": true, "version": 1}); r.Status != 200 {
		t.Fatalf("publish manual: %d %s", r.Status, r.Body)
	}
	h.noopPatch(t, "/api/v1/manuals/"+mid, admin, map[string]any{"published": true}, 2.0)
	if r := h.do("POST", "/api/v1/manuals", admin, map[string]any{"title": "链接", "url": "javascript:alert(1)"}); r.Status != 422 {
		t.Fatalf("a script link: %d", r.Status)
	}
	list := h.do("GET", "/api/v1/public/manuals?model=KFR-35GW", "", nil).JSON(t)["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["url"] != "/api/v1/public/manuals/"+mid+"/download" {
		t.Fatalf("public manuals: %v", list)
	}
	dl := h.do("GET", "/api/v1/public/manuals/"+mid+"/download", "", nil)
	if dl.Status != 200 || !bytes.Equal(dl.Body, pdf) || !strings.Contains(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", dl.Status, dl.Header)
	}
}

func pubItoa(n uint64) string { return strconv.FormatUint(n, 10) }

// publicWorld is a customer in Shenzhen Nanshan with a phone and a unit
// bought two months ago.
func publicWorld(t *testing.T, h *harness) serviceWorld {
	t.Helper()
	ctx := actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}})
	cat, err := h.app.Products.CreateCategory(ctx, product.NewCategory{Code: "AC", Name: "空调"})
	if err != nil {
		t.Fatal(err)
	}
	model, err := h.app.Products.CreateModel(ctx, product.NewModel{Code: "KFR-35GW", Name: "挂式空调 1.5匹", CategoryID: cat.ID})
	if err != nil {
		t.Fatal(err)
	}
	w := serviceWorld{phone: "13800138000"}
	prof, err := h.app.Customers.Create(ctx, customer.NewCustomer{Name: "王建国",
		Phones:    []customer.NewPhone{{Number: w.phone, Primary: true}},
		Addresses: []customer.NewAddress{{RegionCode: "440305", Detail: "科技园南区 1 栋 101", Default: true}}})
	if err != nil {
		t.Fatal(err)
	}
	w.customerID = prof.Customer.ID
	bought := time.Now().AddDate(0, -2, 0)
	unit, err := h.app.Products.RegisterUnit(ctx, product.NewUnit{Serial: "AC2026000001", ModelID: model.ID, CustomerID: &w.customerID, PurchaseDate: &bought})
	if err != nil {
		t.Fatal(err)
	}
	w.unitID = unit.ID
	return w
}
