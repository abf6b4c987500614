package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/leaseline/leaseline/bot"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
)

// The test harness: real databases and a settable clock from
// models/store/storetest.
type testClock = storetest.Clock

func newClock(t time.Time) *testClock                       { return storetest.NewClock(t) }
func eachBackend(t *testing.T, fn func(*testing.T, string)) { storetest.Each(t, fn) }

// databaseURL returns a fresh database of the backend: a SQLite file path
// or the URL of a new PostgreSQL database dropped after the test.
func databaseURL(t testing.TB, backend string) string { return storetest.DatabaseURL(t, backend) }

// openStore opens and migrates the store of dbURL (store and River tables).
func openStore(t testing.TB, dbURL string, clock *testClock) *store.Store {
	t.Helper()
	return openStoreHooked(t, dbURL, clock, nil)
}

// openStoreHooked is openStore with a notices hook.
func openStoreHooked(t testing.TB, dbURL string, clock *testClock, committed func()) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{DatabaseURL: dbURL, StaffChannel: staffChannel, Now: clock.Now, Logger: quietLog(), NoticesCommitted: committed})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 4}))
}

const (
	staffChannel  = "CSTAFF"
	applyChannel  = "CAPPLY"
	apYuhang      = "ap-cn-hangzhou-yh-b" // capacity 4
	apXiaoshan    = "ap-cn-hangzhou-xs-a" // capacity 2
	providerID    = "ct-zj"               // allowed at both
	providerChann = "C0SAMPLECTZJ"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func cst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, shanghai)
}

// fixture is a store with the sample catalog.
type fixture struct {
	s     *store.Store
	url   string
	clock *testClock
	staff models.Actor
	n     int
}

func newFixture(t testing.TB, backend string) *fixture {
	t.Helper()
	clock := newClock(cst(2026, 10, 12, 9, 0))
	dbURL := databaseURL(t, backend)
	s := openStore(t, dbURL, clock)
	cat, err := catalog.Parse(catalog.Sample(), "sample.yaml")
	if err != nil {
		t.Fatalf("sample catalog: %v", err)
	}
	if _, err := s.ImportCatalog(context.Background(), cat); err != nil {
		t.Fatalf("import sample: %v", err)
	}
	return &fixture{s: s, url: dbURL, clock: clock, staff: models.Actor{UserID: "USTAFF", Role: models.RoleStaff}}
}

// customer makes a new funded account (each account may have only a few
// connections open at once).
func (f *fixture) customer(t testing.TB) models.Actor {
	t.Helper()
	ctx := context.Background()
	f.n++
	a, err := f.s.CreateAccount(ctx, f.staff, fmt.Sprintf("Customer %d", f.n), "", "CNY")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Credit(ctx, f.staff, a.ID, 1_000_000_00, "opening balance"); err != nil {
		t.Fatal(err)
	}
	return models.Actor{UserID: fmt.Sprintf("UCUST%d", f.n), Role: models.RoleCustomer, AccountID: a.ID}
}

// ticketAt walks a new connection at apID to a submitted construction
// ticket, every step at time at (the clock is left there).
func (f *fixture) ticketAt(t testing.TB, apID string, at time.Time) *models.Ticket {
	t.Helper()
	ctx := context.Background()
	actor := f.customer(t)
	f.clock.Set(at)
	ap, err := f.s.AccessPoint(ctx, apID)
	if err != nil {
		t.Fatal(err)
	}
	offer := ap.PortTypes[0]
	c, err := f.s.Apply(ctx, actor, models.Application{
		Name: fmt.Sprintf("line %d", f.n), AccessPointID: apID, ProviderID: providerID, PortType: offer.PortType,
		BandwidthMbps: max(offer.MinMbps, models.MinBandwidthMbps), Location: "cage 12",
	}, applyChannel)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	steps := []func() error{
		func() error {
			_, err := f.s.Act(ctx, f.staff, c.ID, models.ActInput{Action: models.ActionApprove})
			return err
		},
		func() error { _, err := f.s.Pay(ctx, actor, c.ID); return err },
		func() error {
			_, err := f.s.Act(ctx, actor, c.ID, models.ActInput{Action: models.ActionNotifyProvider})
			return err
		},
		func() error {
			_, err := f.s.SubmitSurvey(ctx, models.Actor{UserID: "UPROV", Role: models.RoleProvider, ProviderID: providerID}, c.ID, models.Survey{
				ConstructionCompany: "Zhejiang Line Works", LineType: models.LineFibre, PlannedArrival: at.Add(24 * time.Hour), // never after the next workday: the calendar decides
				Engineers: []models.Engineer{{Name: "Li Wei", Phone: "+86 138 0000 0000", IDType: models.IDCard, IDNumber: "11010119900307123X"}},
			})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	tk, err := f.s.SubmitTicket(ctx, actor, c.ID, "", "")
	if err != nil {
		t.Fatalf("ticket: %v", err)
	}
	return tk
}

// textRenderer renders a notice as one line of text.
type textRenderer struct{}

func (textRenderer) RenderNotice(_ context.Context, n models.Notice) ([]slack.MsgOption, error) {
	return []slack.MsgOption{slack.MsgOptionText(fmt.Sprintf("%s (notice %d)", n.Kind, n.ID), false)}, nil
}

// newSlack starts a fake Slack and a client of it.
func newSlack(t testing.TB) (*slackfake.Server, *slack.Client) {
	t.Helper()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	return fake, slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
}

// postedNotices counts, per notice ID, the messages in the fake carrying
// that notice's metadata, across the channels of every notice in the store
// (a notice to a user: the bot's DM with that user).
func postedNotices(t testing.TB, fake *slackfake.Server, notices []models.Notice) map[int64]int {
	t.Helper()
	channels := map[string]bool{}
	for _, n := range notices {
		channels[slackfake.PostedIn(n.Channel)] = true
	}
	out := map[int64]int{}
	for ch := range channels {
		for _, m := range fake.Messages(ch) {
			var md slack.SlackMetadata
			err := json.Unmarshal(m.Metadata, &md)
			id, ok := bot.NoticeIDOf(md)
			if err != nil || !ok {
				t.Fatalf("message without notice metadata in %s: %s", ch, m.Metadata)
			}
			out[id]++
		}
	}
	return out
}

// deliverAll runs the worker, advancing the clock by step each round,
// until no notice is pending (at most rounds rounds, and at most
// maxClaims claims a round: a worker that keeps giving notices back fails
// the test rather than hang it).
func deliverAll(t testing.TB, f *fixture, w *bot.DeliveryWorker, step time.Duration, rounds int) {
	t.Helper()
	ctx := context.Background()
	const maxClaims = 1000
	for range rounds {
		for claims := 0; ; claims++ {
			if claims == maxClaims {
				t.Fatalf("%d claims at %s and notices still due: the worker gives them back without delivering", claims, f.clock.Now())
			}
			n, err := w.DeliverDue(ctx, f.clock.Now())
			if err != nil {
				t.Fatalf("deliver: %v", err)
			}
			if n == 0 {
				break
			}
		}
		if pending, err := f.s.PendingNotices(ctx); err != nil {
			t.Fatal(err)
		} else if pending == 0 {
			return
		}
		f.clock.Add(step)
	}
	pending, _ := f.s.PendingNotices(ctx)
	t.Fatalf("%d notices still pending after %d rounds", pending, rounds)
}

// checkExactlyOnce asserts that every notice is sent and in Slack once.
func checkExactlyOnce(t testing.TB, f *fixture, fake *slackfake.Server) []models.Notice {
	t.Helper()
	notices, err := f.s.Notices(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	posted := postedNotices(t, fake, notices)
	for _, n := range notices {
		if n.State != models.NoticeSent || posted[n.ID] != 1 {
			t.Fatalf("notice %d (%s to %s): state %s, posted %d times", n.ID, n.Kind, n.Channel, n.State, posted[n.ID])
		}
	}
	if len(posted) != len(notices) {
		t.Fatalf("%d notices in Slack, %d in the store", len(posted), len(notices))
	}
	return notices
}

// *store.Store is the scheduler's store.
var _ Store = (*store.Store)(nil)
