package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

func TestHomeShowsConnectionsWithTimeline(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		acme := customerOf(customerUser, e.acme)
		c := e.applyDirect(acme, goodApplication("Home line"))
		e.exec(fmt.Sprintf("UPDATE connections SET status = 'Approved', amount_cents = 250000, currency = 'CNY' WHERE id = %d", c.ID))
		e.applyDirect(customerOf(otherUser, e.globex), goodApplication("Globex line"))

		v := e.openHome(customerUser)
		if v["type"] != "home" {
			t.Errorf("view type %v", v["type"])
		}
		got := viewText(v)
		for _, want := range []string{"leaseline · ACME", "Home line", "● Applying", "◉ *Approved*", "○ Connecting", "○ Enabled", "waiting on the *customer* to pay", "Pay for Connection (CNY 2,500.00)", "Apply for New Interface", "Details"} {
			if !strings.Contains(got, want) {
				t.Errorf("home lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "Globex") {
			t.Error("home shows another tenant's connection")
		}
		assertLimits(t, "home", blocksJSON(v), 100)

		// Refresh republishes.
		e.press(customerUser, "", "ll_home", "")
		e.settle()
		if n := len(e.slack.Calls("views.publish")); n != 2 {
			t.Errorf("%d publishes after refresh", n)
		}
	})
}

func TestHomeForStaffShowsTheQueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Needs review"))
		v := e.openHome(staffUser)
		got := viewText(v)
		for _, want := range []string{"leaseline · staff", "Waiting on staff", "Needs review", "Approve", "Reject", "waiting on the *staff* to review"} {
			if !strings.Contains(got, want) {
				t.Errorf("staff home lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "Apply for New Interface") {
			t.Error("staff home offers to apply")
		}
	})
}

func TestHomeForUnlinkedUserSaysHowToGetLinked(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		got := viewText(e.openHome("ULOST1"))
		// In Home there is no channel to link: it says what to do from here.
		if !strings.Contains(got, "not a user of a customer account") || !strings.Contains(got, "panel in your company's channel") ||
			strings.Contains(got, "link this channel") || strings.Contains(got, "/leaseline link") {
			t.Errorf("home of an unlinked user:\n%s", got)
		}
	})
}

func TestBlockKitLimitsWithManyConnections(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		acme := customerOf(customerUser, e.acme)
		e.manyConnections(acme, 120, models.StatusApplying)

		// List: pages of a message's 50 blocks, with a way to the next.
		e.command(customerUser, customerChan, "list")
		rs := e.responses()
		raw := rs[len(rs)-1].Param("blocks")
		assertLimits(t, "list page 1", raw, 50)
		if !strings.Contains(raw, "Next page") || !strings.Contains(raw, "Line 119") || strings.Contains(raw, "Line 099") {
			t.Errorf("page 1 is not the 20 newest with a next page")
		}
		e.press(customerUser, customerChan, "ll_list", "6")
		rs = e.responses()
		raw = rs[len(rs)-1].Param("blocks")
		assertLimits(t, "list page 6", raw, 50)
		if !strings.Contains(raw, "Line 000") || strings.Contains(raw, "Next page") || !strings.Contains(raw, "Previous page") {
			t.Errorf("last page: %s", blocksText(raw))
		}

		// App Home: 100 blocks at most, with a way to the next page.
		v := e.openHome(customerUser)
		assertLimits(t, "home", blocksJSON(v), 100)
		if !strings.Contains(viewText(v), "Next page") {
			t.Error("home does not lead to the rest")
		}
		// Staff's queue holds all 120.
		v = e.openHome(staffUser)
		assertLimits(t, "staff home", blocksJSON(v), 100)

		// Show of one with a long audit trail still fits.
		rows, _ := e.store.List(t.Context(), acme, 1)
		e.command(customerUser, customerChan, fmt.Sprintf("show #%d", rows[0].ID))
		rs = e.responses()
		assertLimits(t, "show", rs[len(rs)-1].Param("blocks"), 50)
	})
}

// seedConnections gives acct n connections at once, set-based: one is
// applied through the store ("Bulk 10000", the oldest) and copied n-1
// times by one INSERT … SELECT, named "Bulk 10001" up (the higher the
// newer), with the given status.
func seedConnections(tb testing.TB, st *store.Store, acct *models.Account, n int, status models.Status) {
	tb.Helper()
	ctx := context.Background()
	c, err := st.Apply(ctx, models.Actor{UserID: "USEED", Role: models.RoleCustomer, AccountID: acct.ID}, goodApplication("Bulk 10000"), "")
	if err != nil {
		tb.Fatalf("apply: %v", err)
	}
	db, err := st.DB()
	if err != nil {
		tb.Fatal(err)
	}
	const cols = "access_point_id, provider_id, port_type, bandwidth_mbps, location, step, device_id, port_name, amount_cents, currency, line_code, line_label, applied_by, applied_channel, reason, version, created_at, updated_at, requested_mbps"
	q := fmt.Sprintf(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %d)
INSERT INTO connections (account_id, name, status, %s)
SELECT t.account_id, 'Bulk ' || (10000 + seq.i), '%s', %s FROM seq, connections t WHERE t.id = %d`,
		n-1, cols, status, "t."+strings.ReplaceAll(cols, ", ", ", t."), c.ID)
	if n > 1 {
		if _, err := db.ExecContext(ctx, q); err != nil {
			tb.Fatalf("seed %d connections: %v", n, err)
		}
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("UPDATE connections SET status = '%s' WHERE id = %d", status, c.ID)); err != nil {
		tb.Fatal(err)
	}
}

// bulkName is the name of seeded connection i (seedConnections).
func bulkName(i int) string { return fmt.Sprintf("Bulk %d", 10000+i) }

// buttonValue finds the value of the button actionID in blocks (JSON).
func buttonValue(t *testing.T, raw, actionID string) (string, bool) {
	t.Helper()
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		for _, el := range els {
			m, _ := el.(map[string]any)
			if m["type"] == "button" && m["action_id"] == actionID {
				v, _ := m["value"].(string)
				return v, true
			}
		}
	}
	return "", false
}

// lastHome is the last App Home published.
func (e *env) lastHome() map[string]any {
	e.t.Helper()
	e.settle()
	calls := e.slack.Calls("views.publish")
	if len(calls) == 0 {
		e.t.Fatal("no views.publish")
	}
	return view(e.t, calls[len(calls)-1])
}

// pressHome presses the button actionID of the App Home v and returns
// the App Home published in answer.
func (e *env) pressHome(user string, v map[string]any, actionID string) map[string]any {
	e.t.Helper()
	value, ok := buttonValue(e.t, blocksJSON(v), actionID)
	if !ok {
		e.t.Fatalf("home has no %s button:\n%s", actionID, viewText(v))
	}
	e.press(user, "", actionID, value)
	return e.lastHome()
}

// wantBulk checks that text shows seeded connections from..to (newest
// first, both included) and not the ones just beyond.
func wantBulk(t *testing.T, where, text string, from, to int) {
	t.Helper()
	for _, i := range []int{from, to, (from + to) / 2} {
		if !strings.Contains(text, bulkName(i)) {
			t.Errorf("%s lacks %s:\n%s", where, bulkName(i), text)
		}
	}
	for _, i := range []int{from + 1, to - 1} {
		if strings.Contains(text, bulkName(i)) {
			t.Errorf("%s shows %s, beyond its page", where, bulkName(i))
		}
	}
}

func TestHomePagesThroughAThousandConnections(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		seedConnections(t, e.store, e.acme, 1000, models.StatusEnabled)
		e.applyDirect(customerOf(otherUser, e.globex), goodApplication("Globex line"))

		v := e.openHome(customerUser)
		assertLimits(t, "home page 1", blocksJSON(v), 100)
		wantBulk(t, "home page 1", viewText(v), 999, 980)
		if _, ok := buttonValue(t, blocksJSON(v), "ll_home_previous"); ok {
			t.Error("page 1 offers a previous page")
		}

		v = e.pressHome(customerUser, v, "ll_home_next")
		assertLimits(t, "home page 2", blocksJSON(v), 100)
		got := viewText(v)
		wantBulk(t, "home page 2", got, 979, 960)
		if !strings.Contains(got, "Page 2") {
			t.Errorf("page 2 does not say so:\n%s", got)
		}

		// Refresh stays on the page; so does coming back to the tab.
		v = e.pressHome(customerUser, v, "ll_home")
		wantBulk(t, "home page 2 refreshed", viewText(v), 979, 960)
		e.event(map[string]any{"type": "app_home_opened", "user": customerUser, "channel": "D" + customerUser, "tab": "home", "event_ts": "2.0",
			"view": map[string]any{"type": "home", "callback_id": "ll_home", "private_metadata": v["private_metadata"]}})
		v = e.lastHome()
		wantBulk(t, "home page 2 reopened", viewText(v), 979, 960)

		v = e.pressHome(customerUser, v, "ll_home_next")
		wantBulk(t, "home page 3", viewText(v), 959, 940)
		v = e.pressHome(customerUser, v, "ll_home_previous")
		wantBulk(t, "home back on page 2", viewText(v), 979, 960)
		v = e.pressHome(customerUser, v, "ll_home_previous")
		wantBulk(t, "home back on page 1", viewText(v), 999, 980)
		if _, ok := buttonValue(t, blocksJSON(v), "ll_home_previous"); ok {
			t.Error("back on page 1, home offers a previous page")
		}

		// The last page: no next.
		for range 49 {
			v = e.pressHome(customerUser, v, "ll_home_next")
		}
		got = viewText(v)
		wantBulk(t, "home page 50", got, 19, 0)
		if _, ok := buttonValue(t, blocksJSON(v), "ll_home_next"); ok || !strings.Contains(got, "Page 50") {
			t.Errorf("the last page offers a next page or does not say page 50:\n%s", got)
		}
		if strings.Contains(got, "Globex") {
			t.Error("home shows another tenant's connection")
		}
	})
}

func TestHomePagesEachAccountOnItsOwn(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		const member = "UBOTH1"
		seedConnections(t, e.store, e.acme, 100, models.StatusEnabled)
		for i := range 3 {
			e.applyDirect(customerOf(otherUser, e.globex), goodApplication(fmt.Sprintf("Globex %d", i)))
		}
		e.slack.SetMembers(customerChan, member)
		e.slack.SetMembers(otherChan, member)

		v := e.openHome(member)
		assertLimits(t, "home of two accounts", blocksJSON(v), 100)
		got := viewText(v)
		// Two accounts share the view: 15 connections a page each.
		wantBulk(t, "ACME page 1", got, 99, 85)
		if !strings.Contains(got, "Globex 0") || !strings.Contains(got, "Globex 2") {
			t.Errorf("Globex's connections are missing:\n%s", got)
		}
		v = e.pressHome(member, v, "ll_home_next")
		got = viewText(v)
		wantBulk(t, "ACME page 2", got, 84, 70)
		if !strings.Contains(got, "Globex 0") || !strings.Contains(got, "Globex 2") {
			t.Errorf("paging ACME lost Globex's connections:\n%s", got)
		}
	})
}

func TestHomeForStaffPagesThroughTheQueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		seedConnections(t, e.store, e.acme, 45, models.StatusApplying)
		seen := map[int]int{}
		v := e.openHome(staffUser)
		for page := 1; ; page++ {
			assertLimits(t, fmt.Sprintf("staff home page %d", page), blocksJSON(v), 100)
			got := viewText(v)
			for i := range 45 {
				if strings.Contains(got, bulkName(i)) {
					seen[i]++
				}
			}
			if _, ok := buttonValue(t, blocksJSON(v), "ll_home_next"); !ok || page > 10 {
				break
			}
			v = e.pressHome(staffUser, v, "ll_home_next")
		}
		for i := range 45 {
			if seen[i] != 1 {
				t.Errorf("%s shown on %d pages, want 1", bulkName(i), seen[i])
			}
		}
		// Oldest first: back to the first page shows Bulk 10000.
		for {
			if _, ok := buttonValue(t, blocksJSON(v), "ll_home_previous"); !ok {
				break
			}
			v = e.pressHome(staffUser, v, "ll_home_previous")
		}
		if !strings.Contains(viewText(v), bulkName(0)) {
			t.Errorf("first page of the queue lacks the oldest:\n%s", viewText(v))
		}
	})
}
