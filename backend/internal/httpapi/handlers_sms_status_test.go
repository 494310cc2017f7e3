package httpapi_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aftersales/aftersales/backend/internal/config"
	"github.com/aftersales/aftersales/backend/internal/messaging"
)

const testSMSStatusToken = "status-token-0123456789abcdef"

// Tencent Cloud SMS delivery reports, as its console's status callback
// posts them (a JSON array; sid is SendSms's SerialNo): SUCCESS makes a
// sent message delivered at the phone's receive time (Beijing time),
// FAIL makes it failed with the carrier's code; an unknown sid and a
// repeated report change nothing; the answer is Tencent's {"result":0};
// a wrong token is a 404 and a malformed body a 400.
func TestTencentDeliveryReports(t *testing.T) {
	edit := func(c *config.Config) { c.SMS.Tencent.StatusToken = testSMSStatusToken }
	t.Run("sqlite", func(t *testing.T) {
		t.Setenv("AFTERSALES_DB_DSN", filepath.Join(t.TempDir(), "api.db"))
		h, _ := startHarness(t, edit)
		tencentDeliveryReports(t, h)
	})
	t.Run("mysql", func(t *testing.T) {
		h, _, _ := mysqlHarness(t, edit)
		tencentDeliveryReports(t, h)
	})
}

func tencentDeliveryReports(t *testing.T, h *harness) {
	w := newMessagesWorld(t, h)
	now := time.Now().UTC().Truncate(time.Second)
	ids := make([]uint64, 2)
	for i := range ids {
		m := messaging.Message{Trigger: messaging.TriggerRepairCompleted, CustomerID: uint64(w.customerID), Phone: "13800138000",
			Channel: messaging.ChannelSMS, Body: "维修完成", Params: "{}", Status: messaging.StatusSent, NotBefore: now,
			Attempts: 1, Provider: "tencent", ProviderRef: fmt.Sprintf("2433:%d", i+1), SentAt: &now, Version: 2, CreatedAt: now, UpdatedAt: now}
		if err := h.app.DB.Create(&m).Error; err != nil {
			t.Fatal(err)
		}
		ids[i] = m.ID
	}
	path := "/api/v1/public/sms/tencent/status/" + testSMSStatusToken
	reports := []any{
		map[string]any{"user_receive_time": "2026-12-07 10:00:05", "nationcode": "86", "mobile": "13800138000",
			"report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "2433:1"},
		map[string]any{"user_receive_time": "2026-12-07 10:00:09", "nationcode": "86", "mobile": "13800138000",
			"report_status": "FAIL", "errmsg": "MK:0005", "description": "空号", "sid": "2433:2"},
		map[string]any{"user_receive_time": "2026-12-07 10:00:09", "nationcode": "86", "mobile": "13900139000",
			"report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "9999:9"},
	}
	if r := h.do("POST", "/api/v1/public/sms/tencent/status/wrong-token-0123456789abc", "", reports); r.Status != 404 {
		t.Fatalf("wrong token: %d %s", r.Status, r.Body)
	}
	r := h.do("POST", path, "", reports)
	got := r.JSON(t)
	applied, _ := got["applied"].(map[string]any)
	if r.Status != 200 || got["result"] != 0.0 || got["errmsg"] != "OK" || applied["delivered"] != 1.0 || applied["failed"] != 1.0 || applied["unknown"] != 1.0 {
		t.Fatalf("callback: %d %s", r.Status, r.Body)
	}
	// Tencent retries a callback it did not see answered: nothing changes.
	r = h.do("POST", path, "", reports[:2])
	if applied, _ := r.JSON(t)["applied"].(map[string]any); r.Status != 200 || applied["repeated"] != 2.0 {
		t.Fatalf("repeated callback: %d %s", r.Status, r.Body)
	}
	if r := h.do("POST", path, "", "not an array"); r.Status != 400 {
		t.Fatalf("malformed body: %d %s", r.Status, r.Body)
	}
	m := h.do("GET", fmt.Sprintf("/api/v1/messages/%d", ids[0]), w.agent, nil).JSON(t)
	if m["status"] != "delivered" || m["delivered_at"] != "2026-12-07T02:00:05Z" {
		t.Fatalf("delivered message: %v %v", m["status"], m["delivered_at"])
	}
	m = h.do("GET", fmt.Sprintf("/api/v1/messages/%d", ids[1]), w.agent, nil).JSON(t)
	if m["status"] != "failed" || m["error"] != "MK:0005 空号" {
		t.Fatalf("failed message: %v %v", m["status"], m["error"])
	}
	var audited int64
	h.app.DB.Table("audit_records").Where("entity = ? AND action = ?", "customer_message", "delivery_report").Count(&audited)
	if audited != 2 {
		t.Fatalf("%d audit records of delivery reports, want 2", audited)
	}
}
