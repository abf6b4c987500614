package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
)

// The parallel lanes of notice delivery (DeliveryConfig.Parallel), on the
// real store and the fake Slack: each notice posted once, the notices of
// one connection in the order recorded, the lease's budget kept by every
// lane.

// laneFixture is a store with notices pending for 12 connections of 4
// accounts, each in its own channel: the review requests in the staff
// channel, then the customers' approvals.
func laneFixture(t *testing.T, backend string) (*store.Store, *storetest.Clock) {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 10, 12, 2, 0, 0, 0, time.UTC))
	st := storetest.OpenWithSample(t, backend, store.Config{StaffChannel: "CSTAFF", Now: clock.Now, Logger: quietLogger(), MaxOpen: 100})
	staff := models.Actor{UserID: "USTAFF", Role: models.RoleStaff}
	for a := range 4 {
		acct, err := st.CreateAccount(ctx, staff, fmt.Sprintf("Customer %d", a), "", "CNY")
		if err != nil {
			t.Fatal(err)
		}
		ch, user := fmt.Sprintf("CCUST%d", a), fmt.Sprintf("UCUST%d", a)
		if err := st.LinkChannel(ctx, staff, ch, acct.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.AddAccountUser(ctx, staff, user, acct.ID); err != nil {
			t.Fatal(err)
		}
		customer := models.Actor{UserID: user, Role: models.RoleCustomer, AccountID: acct.ID}
		for k := range 3 {
			c, err := st.Apply(ctx, customer, models.Application{Name: fmt.Sprintf("line %d-%d", a, k), AccessPointID: "ap-cn-hangzhou-yh-b",
				ProviderID: "ct-zj", PortType: models.Port1000BaseT, BandwidthMbps: 200, Location: "Room 301"}, ch)
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			if _, err := st.Act(ctx, staff, c.ID, models.ActInput{Action: models.ActionApprove}); err != nil {
				t.Fatalf("approve: %v", err)
			}
		}
	}
	return st, clock
}

// lineRenderer renders a notice as one line of text.
type lineRenderer struct{}

func (lineRenderer) RenderNotice(_ context.Context, n models.Notice) ([]slack.MsgOption, error) {
	return []slack.MsgOption{slack.MsgOptionText(fmt.Sprintf("%s (notice %d)", n.Kind, n.ID), false)}, nil
}

// trackingPoster counts the posts in flight at once; each post takes
// delay, and advances clock by took (a post using the lease's budget).
type trackingPoster struct {
	bot.Poster
	delay    time.Duration
	clock    *storetest.Clock
	took     time.Duration
	inFlight atomic.Int32
	peak     atomic.Int32
}

func (p *trackingPoster) PostMessageContext(ctx context.Context, ch string, opts ...slack.MsgOption) (string, string, error) {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for peak := p.peak.Load(); n > peak && !p.peak.CompareAndSwap(peak, n); peak = p.peak.Load() {
	}
	time.Sleep(p.delay)
	if p.took > 0 {
		p.clock.Add(p.took)
	}
	return p.Poster.PostMessageContext(ctx, ch, opts...)
}

// deliverUntilDone runs DeliverDue until nothing is due, advancing the
// clock past any backoff, at most rounds times.
func deliverUntilDone(t *testing.T, st *store.Store, clock *storetest.Clock, w *bot.DeliveryWorker, rounds int) {
	t.Helper()
	ctx := context.Background()
	for range rounds {
		for {
			n, err := w.DeliverDue(ctx, clock.Now())
			if err != nil {
				t.Fatalf("deliver: %v", err)
			}
			if n == 0 {
				break
			}
		}
		if pending, err := st.PendingNotices(ctx); err != nil {
			t.Fatal(err)
		} else if pending == 0 {
			return
		}
		clock.Add(time.Minute)
	}
	t.Fatalf("notices still pending after %d rounds", rounds)
}

// postsInOrder checks that every notice recorded is sent and posted once,
// and returns the notice IDs in the order the fake received their posts.
func postsInOrder(t *testing.T, st *store.Store, fake *slackfake.Server) ([]int64, map[int64]models.Notice) {
	t.Helper()
	notices, err := st.Notices(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]models.Notice{}
	for _, n := range notices {
		byID[n.ID] = n
	}
	var order []int64
	posted := map[int64]int{}
	for _, c := range fake.Calls("chat.postMessage") {
		var md slack.SlackMetadata
		if err := c.JSONParam("metadata", &md); err != nil {
			t.Fatal(err)
		}
		id, ok := bot.NoticeIDOf(md)
		if !ok {
			t.Fatalf("post without a notice: %s", c.Body)
		}
		order = append(order, id)
		posted[id]++
	}
	for _, n := range notices {
		if n.State != models.NoticeSent || posted[n.ID] != 1 {
			t.Errorf("notice %d (%s to %s): %s, posted %d times", n.ID, n.Kind, n.Channel, n.State, posted[n.ID])
		}
	}
	if len(posted) != len(notices) {
		t.Errorf("%d notices posted, %d recorded", len(posted), len(notices))
	}
	return order, byID
}

// TestParallelLanesKeepOrderPostOnce: with Parallel 4 several notices are
// posted at once, each once, and the notices of one connection (its review
// request in the staff channel, then its approval in the customer's)
// arrive in the order recorded; with Parallel 1 one at a time.
func TestParallelLanesKeepOrderPostOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		for _, parallel := range []int{1, 4} {
			t.Run(fmt.Sprintf("parallel=%d", parallel), func(t *testing.T) {
				st, clock := laneFixture(t, backend)
				fake := slackfake.New()
				t.Cleanup(fake.Close)
				poster := &trackingPoster{Poster: slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL())), delay: 20 * time.Millisecond}
				w := bot.NewDeliveryWorker(st, poster, lineRenderer{}, bot.DeliveryConfig{Parallel: parallel, Batch: 50, Now: clock.Now, Logger: quietLogger()})
				deliverUntilDone(t, st, clock, w, 3)
				order, notices := postsInOrder(t, st, fake)
				last := map[int64]int64{} // connection → its last notice posted
				for _, id := range order {
					n := notices[id]
					if n.ConnectionID == nil {
						continue
					}
					if prev := last[*n.ConnectionID]; prev > id {
						t.Errorf("connection %d: notice %d (%s) posted after the later notice %d (%s)", *n.ConnectionID, id, n.Kind, prev, notices[prev].Kind)
					}
					last[*n.ConnectionID] = id
				}
				if len(last) != 12 {
					t.Errorf("notices of %d connections posted, want 12", len(last))
				}
				if peak := poster.peak.Load(); parallel == 1 && peak != 1 || parallel > 1 && peak < 2 || peak > int32(parallel) {
					t.Errorf("Parallel %d: %d posts at once", parallel, peak)
				}
			})
		}
	})
}

// TestParallelLanesTwoWorkersLostAnswers: two workers, each with parallel
// lanes, share the queue while Slack loses the answers of some posts
// (posted, but the worker sees a 502): every notice is in Slack once.
func TestParallelLanesTwoWorkersLostAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		st, clock := laneFixture(t, backend)
		fake := slackfake.New()
		t.Cleanup(fake.Close)
		fake.LoseNextResponses("chat.postMessage", "", 5, http.StatusBadGateway)
		var workers []*bot.DeliveryWorker
		for range 2 {
			poster := &trackingPoster{Poster: slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL())), delay: 5 * time.Millisecond}
			workers = append(workers, bot.NewDeliveryWorker(st, poster, lineRenderer{}, bot.DeliveryConfig{Parallel: 4, Batch: 6, Now: clock.Now, Logger: quietLogger()}))
		}
		ctx := context.Background()
		for round := 0; ; round++ {
			if round == 10 {
				t.Fatal("notices still pending after 10 rounds")
			}
			var wg sync.WaitGroup
			for _, w := range workers {
				wg.Go(func() {
					for {
						n, err := w.DeliverDue(ctx, clock.Now())
						if err != nil {
							t.Errorf("deliver: %v", err)
							return
						}
						if n == 0 {
							return
						}
					}
				})
			}
			wg.Wait()
			if pending, err := st.PendingNotices(ctx); err != nil {
				t.Fatal(err)
			} else if pending == 0 {
				break
			}
			clock.Add(time.Minute) // past the backoff of the lost answers
		}
		postsInOrder(t, st, fake)
		if len(fake.Calls("conversations.history")) == 0 {
			t.Error("after a lost answer the worker must look for the notice before posting again")
		}
	})
}

// TestParallelLanesKeepLeaseBudget: each post takes 16 s of the worker's
// clock, more than the 15 s a 30 s lease leaves for starting posts. Every
// lane stops at once: no more posts start than lanes run at once, the rest
// of the batch goes back to the queue (its attempt not counted, unless the
// check just before the post gave it back), and a later claim delivers it,
// each notice once.
func TestParallelLanesKeepLeaseBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		st, clock := laneFixture(t, backend)
		ctx := context.Background()
		fake := slackfake.New()
		t.Cleanup(fake.Close)
		client := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
		const parallel = 4
		cfg := bot.DeliveryConfig{Parallel: parallel, Batch: 50, Lease: 30 * time.Second, Now: clock.Now, Logger: quietLogger()}
		slow := bot.NewDeliveryWorker(st, &trackingPoster{Poster: client, clock: clock, took: 16 * time.Second}, lineRenderer{}, cfg)
		claimed, err := slow.DeliverDue(ctx, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		posts := len(fake.Calls("chat.postMessage"))
		if posts < 1 || posts > parallel || claimed <= parallel {
			t.Fatalf("claimed %d, posted %d: after a post that used the lease's budget no lane may start another", claimed, posts)
		}
		notices, err := st.Notices(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		given := 0
		for _, n := range notices {
			if n.State != models.NoticePending {
				continue
			}
			given++
			switch {
			case n.LastError == "lease too short for another post" && n.Attempts == 0:
				// Given back before its lane went on.
			case n.LastError == "lease too short to post after the history check":
				// Rendered while another lane's post used the budget:
				// checked again just before posting (an attempt counted).
			default:
				t.Errorf("notice %d given back with %d attempts counted, error %q", n.ID, n.Attempts, n.LastError)
			}
		}
		if given < len(notices)-posts {
			t.Errorf("%d notices given back, %d posted, of %d", given, posts, len(notices))
		}
		fast := bot.NewDeliveryWorker(st, client, lineRenderer{}, cfg)
		deliverUntilDone(t, st, clock, fast, 3)
		postsInOrder(t, st, fake)
	})
}
