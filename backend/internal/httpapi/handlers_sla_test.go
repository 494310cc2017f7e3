package httpapi

import (
	"encoding/json"
	"slices"
	"testing"
)

// The SLA bodies embed the store's data types: every field must still
// decode, and a policy's own active (absent = true) must win over the
// embedded one.
func TestSLARequestBodiesDecodeIntoTheStoreData(t *testing.T) {
	var cal SLACalendarRequest
	if err := json.Unmarshal([]byte(`{"code":"cn","name":"工作日","timezone":"Asia/Shanghai","weekly":{"monday":["09:00-18:00"]},
		"holidays":["2027-01-01"],"makeup_workdays":["2027-02-06"],"makeup_as":"friday","note":"n","version":3}`), &cal); err != nil {
		t.Fatal(err)
	}
	d := cal.CalendarData
	if d.Code != "cn" || d.Name != "工作日" || d.Timezone != "Asia/Shanghai" || !slices.Equal(d.Weekly["monday"], []string{"09:00-18:00"}) ||
		!slices.Equal(d.Holidays, []string{"2027-01-01"}) || !slices.Equal(d.MakeupWorkdays, []string{"2027-02-06"}) || d.MakeupAs != "friday" ||
		d.Note != "n" || cal.Version != 3 {
		t.Fatalf("calendar decoded as %+v version %d", d, cal.Version)
	}

	for body, active := range map[string]bool{`{"code":"p"}`: true, `{"code":"p","active":true}`: true, `{"code":"p","active":false}`: false} {
		var req SLAPolicyRequest
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatal(err)
		}
		if got := policyData(req); got.Code != "p" || got.Active != active {
			t.Errorf("%s: policy data %+v, want active %v", body, got, active)
		}
	}
	var req SLAPolicyRequest
	if err := json.Unmarshal([]byte(`{"code":"p","name":"n","ticket_type":"repair","priority":"high","region":"440300",
		"targets_minutes":{"resolution":480},"arrival_by_band_minutes":{"city":120},"pause_statuses":["pending_parts"],"warn_at":0.8,
		"calendar_code":"cn","version":2}`), &req); err != nil {
		t.Fatal(err)
	}
	p := policyData(req)
	if p.Name != "n" || p.TicketType != "repair" || p.Priority != "high" || p.Region != "440300" || p.TargetsMinutes["resolution"] != 480 ||
		p.ArrivalByBandMinutes["city"] != 120 || !slices.Equal(p.PauseStatuses, []string{"pending_parts"}) || p.WarnAt != 0.8 ||
		p.CalendarCode != "cn" || req.Version != 2 {
		t.Fatalf("policy decoded as %+v version %d", p, req.Version)
	}
}
