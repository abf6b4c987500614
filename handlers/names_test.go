package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// TestNamesNotCatalogIDs: list, App Home and show name the access point,
// the provider and the region; only staff also see the catalog IDs.
func TestNamesNotCatalogIDs(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Named line"))
		names := []string{"Hangzhou-Yuhang-B", "China Telecom Zhejiang", "China (Hangzhou)"}
		ids := []string{"ap-cn-hangzhou-yh-b", "ct-zj", "cn-hangzhou"}
		e.command(customerUser, customerChan, "list")
		views := map[string]string{"list": e.lastResponse(), "home": viewText(e.openHome(customerUser))}
		e.slack.Reset()
		e.command(customerUser, customerChan, "show "+models.ApplicationRef(c.ID))
		views["show"] = e.lastResponse()
		for where, got := range views {
			for _, want := range names {
				if !strings.Contains(got, want) {
					t.Errorf("%s lacks %q:\n%s", where, want, got)
				}
			}
			for _, id := range ids {
				if strings.Contains(got, id) {
					t.Errorf("%s shows the customer the catalog ID %q:\n%s", where, id, got)
				}
			}
		}
		e.slack.Reset()
		e.command(staffUser, staffChannel, "list")
		if got := e.lastResponse(); !strings.Contains(got, "Hangzhou-Yuhang-B `ap-cn-hangzhou-yh-b`") || !strings.Contains(got, "China Telecom Zhejiang `ct-zj`") {
			t.Errorf("staff list lacks names with their IDs:\n%s", got)
		}
	})
}

// TestShowTimesInTheRegionsLocalTime: every time in show, the audit
// trail's included (and times written into an audit detail), is in the
// region's local time with its zone.
func TestShowTimesInTheRegionsLocalTime(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Timed line"))
		e.exec(fmt.Sprintf(`INSERT INTO audit_events (connection_id, account_id, actor, role, action, from_status, to_status, detail, at)
VALUES (%d, %d, 'UPROV1', 'provider', 'submit_survey', 'Connecting', 'Connecting', 'planned arrival 2026-11-30T01:30:00Z', '2026-11-27 06:05:00')`, c.ID, e.acme.ID))
		e.command(customerUser, customerChan, "show "+models.ApplicationRef(c.ID))
		got := e.lastResponse()
		for _, want := range []string{"*Applied*\nThu 26 Nov 10:00 CST", "• Thu 26 Nov 10:00 CST — <@" + customerUser + ">", "• Fri 27 Nov 14:05 CST", "planned arrival Mon 30 Nov 09:30 CST"} {
			if !strings.Contains(got, want) {
				t.Errorf("show lacks %q:\n%s", want, got)
			}
		}
		for _, raw := range []string{"T01:30:00Z", "UTC", "<!date^"} {
			if strings.Contains(got, raw) {
				t.Errorf("show has a raw time (%q):\n%s", raw, got)
			}
		}
	})
}
