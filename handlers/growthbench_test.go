package handlers_test

// BenchmarkListGrowth and BenchmarkAppHomeGrowth show how `/leaseline
// list` and App Home grow with the connections of an account (issue 13,
// "Growth"): one iteration is what the handler does before its Web API
// call (the user's language, who they are, the store's reads of one page,
// the blocks, their JSON), for an account with 10 and with 1,000
// connections, on page 1 and on a late page reached by the page buttons.
// Another tenant holds 10,000 connections, newer than the account's, so
// that an unindexed read would walk through them. Each reports ms/op and
// statements/op (SQL statements, BEGIN and COMMIT excepted): both should
// stay the same from 10 to 1,000 connections and from page 1 to page 50.
// list's page typed by number (`/leaseline list 50`) reads from an
// offset, and "before" is the store read the list did before paging
// (page 50: 1,001 rows with their names), for comparison.
//
// On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
	"github.com/leaseline/leaseline/stack"
)

// growthOthers is the connections of another tenant beside the account's.
const growthOthers = 10000

// growthEnv is the bot wired as serve wires it, its store counting
// statements, with an account of n connections (customerUser's, in
// customerChan) and another tenant's growthOthers.
type growthEnv struct {
	app   *handlers.App
	st    *store.Store
	acme  *models.Account
	stmts *atomic.Int64
}

func newGrowthEnv(b *testing.B, backend string, n int) *growthEnv {
	b.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := storetest.NewClock(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC))
	st := storetest.OpenWithSample(b, backend, store.Config{StaffChannel: staffChannel, Now: clk.Now, Logger: log})
	fake := slackfake.New()
	b.Cleanup(fake.Close)
	stk, err := stack.New(ctx, stack.Config{
		Store: st, BotToken: "xoxb-test", APIURL: fake.APIURL(), SigningSecret: signingSecret,
		Handlers: handlers.Config{StaffUsers: []string{staffUser}, StaffChannel: staffChannel, Now: clk.Now},
		Logger:   log,
	})
	if err != nil {
		b.Fatal(err)
	}
	staff := models.Actor{UserID: staffUser, Role: models.RoleStaff}
	var accts []*models.Account
	for _, name := range []string{"ACME", "Globex"} {
		a, err := st.CreateAccount(ctx, staff, name, "", "CNY")
		if err != nil {
			b.Fatal(err)
		}
		accts = append(accts, a)
	}
	if err := st.LinkChannel(ctx, staff, customerChan, accts[0].ID); err != nil {
		b.Fatal(err)
	}
	if err := st.AddAccountUser(ctx, staff, customerUser, accts[0].ID); err != nil {
		b.Fatal(err)
	}
	seedConnections(b, st, accts[0], n, models.StatusEnabled)
	seedConnections(b, st, accts[1], growthOthers, models.StatusEnabled)
	if backend == "postgres" {
		// As autovacuum would after the bulk insert, before it is timed.
		db, err := st.DB()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "ANALYZE connections"); err != nil {
			b.Fatal(err)
		}
	}
	return &growthEnv{app: stk.App, st: st, acme: accts[0], stmts: st.StatementCounter()}
}

// run measures render, reporting ms/op and statements/op.
func (g *growthEnv) run(b *testing.B, render func(ctx context.Context) ([]slack.Block, error)) {
	ctx := context.Background()
	if _, err := render(ctx); err != nil { // warm: the language and member caches
		b.Fatal(err)
	}
	g.stmts.Store(0)
	b.ResetTimer()
	for b.Loop() {
		blocks, err := render(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(blocks); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(g.stmts.Load())/float64(b.N), "statements/op")
}

// pageValue follows the button next from the page value shows to page
// `page`, and returns the value of the button that shows it.
func pageValue(b *testing.B, render func(ctx context.Context, value string) ([]slack.Block, error), value, next string, page int) string {
	b.Helper()
	for range page - 1 {
		blocks, err := render(context.Background(), value)
		if err != nil {
			b.Fatal(err)
		}
		v, ok := handlers.ButtonValue(blocks, next)
		if !ok {
			b.Fatalf("no %s button before page %d", next, page)
		}
		value = v
	}
	return value
}

func BenchmarkListGrowth(b *testing.B) {
	for _, backend := range storetest.Backends(b) {
		for _, n := range []int{10, 1000} {
			b.Run(fmt.Sprintf("%s/conns=%d", backend, n), func(b *testing.B) {
				g := newGrowthEnv(b, backend, n)
				list := func(ctx context.Context, value string) ([]slack.Block, error) {
					return g.app.GrowthList(ctx, slackfake.TeamID, customerChan, customerUser, value)
				}
				b.Run("page=1", func(b *testing.B) {
					g.run(b, func(ctx context.Context) ([]slack.Block, error) { return list(ctx, "") })
				})
				if n < 1000 {
					return
				}
				late := pageValue(b, list, "", "ll_list_next", 50)
				b.Run("page=50", func(b *testing.B) {
					g.run(b, func(ctx context.Context) ([]slack.Block, error) { return list(ctx, late) })
				})
				b.Run("page=50-typed", func(b *testing.B) {
					g.run(b, func(ctx context.Context) ([]slack.Block, error) { return list(ctx, "50") })
				})
				actor := models.Actor{UserID: customerUser, Role: models.RoleCustomer, AccountID: g.acme.ID}
				b.Run("page=50-before", func(b *testing.B) {
					g.run(b, func(ctx context.Context) ([]slack.Block, error) {
						_, err := g.st.List(ctx, actor, 50*20+1)
						return nil, err
					})
				})
			})
		}
	}
}

func BenchmarkAppHomeGrowth(b *testing.B) {
	for _, backend := range storetest.Backends(b) {
		for _, n := range []int{10, 1000} {
			b.Run(fmt.Sprintf("%s/conns=%d", backend, n), func(b *testing.B) {
				g := newGrowthEnv(b, backend, n)
				home := func(ctx context.Context, state string) ([]slack.Block, error) {
					return g.app.GrowthHome(ctx, slackfake.TeamID, customerUser, state)
				}
				b.Run("page=1", func(b *testing.B) {
					g.run(b, func(ctx context.Context) ([]slack.Block, error) { return home(ctx, "") })
				})
				if n < 1000 {
					return
				}
				late := pageValue(b, home, "", "ll_home_next", 50)
				b.Run("page=50", func(b *testing.B) {
					g.run(b, func(ctx context.Context) ([]slack.Block, error) { return home(ctx, late) })
				})
			})
		}
	}
}
