package handlers_test

import (
	"strings"
	"testing"
	"time"
)

// TestApplicationsNotOpenYet: with no access point taking applications (no
// catalog loaded, or every one full or disabled) a customer asking to
// apply is told applications are not open yet, and no form opens.
func TestApplicationsNotOpenYet(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.exec("UPDATE access_points SET status = 'disabled'")
		e.slack.Reset()
		if status, _ := e.command(customerUser, customerChan, "apply"); status != 200 {
			t.Fatalf("apply: HTTP %d", status)
		}
		got := e.lastResponse()
		if !strings.Contains(got, "Applications are not open yet") {
			t.Fatalf("customer was told %q", got)
		}
		if n := len(e.slack.Calls("views.open")); n != 0 {
			t.Fatalf("a form opened (%d) with nothing to apply for", n)
		}
	})
}

// TestApplyPastCalendarHorizonPromisesNoDate: an application whose review
// would fall past the region's known_until (the sample's is 2026-12-31)
// promises no date.
func TestApplyPastCalendarHorizonPromisesNoDate(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.clock.Set(time.Date(2026, 12, 31, 2, 0, 0, 0, time.UTC)) // Thursday 10:00 in Shanghai; next workday in 2027
		form := applyForm{"Name": "Yuhang", "Access Point": "ap-cn-hangzhou-yh-b", "Service Provider": "cu-zj",
			"Port Type": "1000Base-T", "Bandwidth": "1 Gbps", "Location": "Room 301", "Redundancy": "none"}
		v := e.chooseAP(customerUser, e.openApplyForm(customerUser, customerChan), "ap-cn-hangzhou-yh-b")
		if ack := e.submitApply(customerUser, v, form); ack["response_action"] != "clear" {
			t.Fatalf("ack %v", ack)
		}
		got := e.lastResponse()
		if !strings.Contains(got, "no review date can be promised") || strings.Contains(got, "2027") {
			t.Fatalf("answer past the horizon: %s", got)
		}
	})
}
