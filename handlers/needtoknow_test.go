package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// TestReceptionAndProviderSeeOnlyWhatTheyNeed: the reception person's DM
// about a booked visit carries who comes (names, company, masked ID
// numbers, phones), when and the window, the connection, device and port;
// never the customer's site, bandwidth, price, account name or balance.
// The provider's messages never carry the balance or another connection.
func TestReceptionAndProviderSeeOnlyWhatTheyNeed(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		k := newCourier(e)
		other := jApply(e, "Other line of ACME", "Room 999, Secret Road")
		c := jApply(e, "ACME confidential line", "Room 301, Wensan Road")
		for _, id := range []int64{other.ID, c.ID} {
			if status, _ := e.press(staffUser, staffChannel, "ll_approve", models.ApplicationRef(id)[1:]); status != 200 {
				t.Fatalf("approve: HTTP %d", status)
			}
			e.settle()
			_, err := e.store.Pay(ctx, jCustomer(e), id)
			jStep(e, "pay", err)
		}
		_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
		jStep(e, "notify", err)
		_, err = e.store.SubmitSurvey(ctx, jProvider, c.ID, jSurvey(e, 2))
		jStep(e, "survey", err)
		tk, err := e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "cage 12", "")
		jStep(e, "ticket", err)
		if _, booked, err := e.store.BookVisit(ctx, tk.ID, e.clock.Now()); err != nil || !booked {
			t.Fatalf("book visit: %v (booked %v)", err, booked)
		}
		d := jConn(e, c.ID)
		// The morning of the visit, 08:00 in Shanghai: the reminders.
		day, err := models.ParseDate(d.Visit.Date)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.RemindReception(ctx, day.In(time.UTC, 0, 30)); err != nil {
			t.Fatal(err)
		}
		k.deliver()
		od := jConn(e, other.ID)
		if d.Reception == nil || d.Reception.SlackUserID == "" {
			t.Fatal("no reception person booked")
		}
		got := blocksText(k.one(c.ID, models.NoticeVisitReminder, slackfake.IMChannel(d.Reception.SlackUserID)).blocks)
		for _, want := range []string{"Engineer 01", "Engineer 02", "Zhejiang Line Works", maskedID, "+86 138 0000 0000",
			d.Visit.Date, d.Visit.Window, *d.Connection.PhysicalConnectionID, d.Connection.DeviceID, d.Connection.PortName} {
			if !strings.Contains(got, want) {
				t.Errorf("reception DM lacks %q:\n%s", want, got)
			}
		}
		for _, leak := range []string{"Room 301", "Wensan", "Mbps", "CNY", "ACME", "alance", rawIDNumber} {
			if strings.Contains(got, leak) {
				t.Errorf("reception DM carries %q:\n%s", leak, got)
			}
		}
		for _, kind := range k.to(providerChan) {
			text := blocksText(k.one(c.ID, kind, providerChan).blocks)
			for _, leak := range []string{"alance", *od.Connection.PhysicalConnectionID, "Other line of ACME"} {
				if strings.Contains(text, leak) {
					t.Errorf("%s to the provider carries %q:\n%s", kind, leak, text)
				}
			}
		}
	})
}
