package scheduler

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// "Never posted twice" where a notice is not a plain channel post: a staff
// visit notice goes into the ticket's thread, a reception reminder to a
// user (the bot's DM with them). Slack posts it, the answer is lost, and
// the worker must find the message where it went before posting again.

// lostAnswers are the ways an answer is lost after Slack posted.
var lostAnswers = []struct {
	name   string
	status int // 0: the connection drops, as on a timeout
}{
	{"connection dropped", 0},
	{"gateway timeout", http.StatusGatewayTimeout},
}

// eachLoss runs fn for each way of losing an answer, on each backend.
func eachLoss(t *testing.T, fn func(t *testing.T, backend string, status int)) {
	eachBackend(t, func(t *testing.T, backend string) {
		for _, l := range lostAnswers {
			t.Run(l.name, func(t *testing.T) { fn(t, backend, l.status) })
		}
	})
}

// scheduledFixture is a fixture with one ticket whose notices are all
// delivered (the staff channel has the ticket's message, so later staff
// notices thread under it), and then its visit booked: the visit's
// notices pending.
func scheduledFixture(t *testing.T, backend string) (*fixture, *slackfake.Server, *slack.Client, *models.Ticket) {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, backend)
	tk := f.ticketAt(t, apYuhang, cst(2026, 10, 13, 10, 0))
	fake, client := newSlack(t)
	deliverAll(t, f, newWorker(f, client), time.Second, 10)
	if err := (&ScheduleVisits{Store: f.s, Logger: quietLog()}).Run(ctx, cst(2026, 10, 13, 11, 0)); err != nil {
		t.Fatal(err)
	}
	tk, err := f.s.Ticket(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tk.StaffChannel != staffChannel || tk.StaffTS == "" {
		t.Fatalf("the ticket's staff message was not recorded: %q %q", tk.StaffChannel, tk.StaffTS)
	}
	return f, fake, client, tk
}

func newWorker(f *fixture, p bot.Poster) *bot.DeliveryWorker {
	return bot.NewDeliveryWorker(f.s, p, textRenderer{}, bot.DeliveryConfig{Now: f.clock.Now, Logger: quietLog()})
}

// pendingTo is the one pending notice of kind whose channel passes to.
func pendingTo(t *testing.T, f *fixture, kind models.NoticeKind, to func(string) bool) models.Notice {
	t.Helper()
	notices, err := f.s.Notices(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []models.Notice
	for _, n := range notices {
		if n.State == models.NoticePending && n.Kind == kind && to(n.Channel) {
			out = append(out, n)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d pending %s notices to that channel, want 1: %+v", len(out), kind, out)
	}
	return out[0]
}

// carrying returns the messages that carry notice id in their metadata.
func carrying(msgs []slackfake.Message, id int64) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range msgs {
		var md slack.SlackMetadata
		if json.Unmarshal(m.Metadata, &md) != nil {
			continue
		}
		if got, ok := bot.NoticeIDOf(md); ok && got == id {
			out = append(out, m)
		}
	}
	return out
}

// postsTo counts the chat.postMessage calls to channel.
func postsTo(fake *slackfake.Server, channel string) int {
	n := 0
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Param("channel") == channel {
			n++
		}
	}
	return n
}

// sentNotice reloads notice id.
func sentNotice(t *testing.T, f *fixture, id int64) models.Notice {
	t.Helper()
	notices, err := f.s.Notices(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notices {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("notice %d gone", id)
	return models.Notice{}
}

// TestLostThreadedNoticeNotRepeated: the staff's visit notice goes into the
// ticket's thread; Slack posts it but the answer is lost. The worker finds
// the reply in the thread (replies are not in the channel's history) and
// the thread has it once.
func TestLostThreadedNoticeNotRepeated(t *testing.T) {
	eachLoss(t, func(t *testing.T, backend string, status int) {
		f, fake, client, tk := scheduledFixture(t, backend)
		n := pendingTo(t, f, models.NoticeVisitScheduled, func(ch string) bool { return ch == staffChannel })
		if n.ThreadTS != tk.StaffTS {
			t.Fatalf("staff visit notice threads under %q, want the ticket's message %q", n.ThreadTS, tk.StaffTS)
		}
		before := postsTo(fake, staffChannel)
		fake.LoseNextResponses("chat.postMessage", staffChannel, 1, status)

		deliverAll(t, f, newWorker(f, client), time.Minute, 20)

		var thread []slackfake.Message
		for _, m := range fake.Messages(staffChannel) {
			if m.IsReply() && m.ThreadTS == tk.StaffTS {
				thread = append(thread, m)
			}
		}
		got := carrying(thread, n.ID)
		if len(got) != 1 || len(thread) != 1 {
			t.Fatalf("the ticket's thread has the visit notice %d times (%d replies), want once", len(got), len(thread))
		}
		if posts := postsTo(fake, staffChannel) - before; posts != 1 {
			t.Fatalf("%d posts of the staff visit notice, want 1", posts)
		}
		sent := sentNotice(t, f, n.ID)
		if sent.State != models.NoticeSent || sent.SentTS != got[0].TS || sent.Attempts != 2 {
			t.Fatalf("notice %s as %q after %d attempts; want sent as %q after 2 (the lost answer, then found)",
				sent.State, sent.SentTS, sent.Attempts, got[0].TS)
		}
		checkExactlyOnce(t, f, fake)
	})
}

// TestLostDMNoticeNotRepeated: on the visit's morning the reception person
// is reminded by a DM (a notice to their user ID); Slack posts it but the
// answer is lost. The worker finds the message in the DM channel and the
// reception person has it once.
func TestLostDMNoticeNotRepeated(t *testing.T) {
	eachLoss(t, func(t *testing.T, backend string, status int) {
		ctx := context.Background()
		f, fake, client, _ := scheduledFixture(t, backend)
		w := newWorker(f, client)
		scheduled := pendingTo(t, f, models.NoticeVisitScheduled, func(ch string) bool { return ch == staffChannel })
		var visit models.VisitNoticeData
		if err := json.Unmarshal([]byte(scheduled.Data), &visit); err != nil {
			t.Fatal(err)
		}
		deliverAll(t, f, w, time.Second, 10)

		// The visit's morning: the reminders.
		day, err := models.ParseDate(visit.Date)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(cst(day.Year, day.Month, day.Day, 8, 0))
		if err := (&ReceptionReminders{Store: f.s, Logger: quietLog()}).Run(ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		n := pendingTo(t, f, models.NoticeVisitReminder, func(ch string) bool { return strings.HasPrefix(ch, "U") })
		if n.Channel != visit.ReceptionUser {
			t.Fatalf("reminder to %s, want the reception person %s", n.Channel, visit.ReceptionUser)
		}
		fake.LoseNextResponses("chat.postMessage", n.Channel, 1, status)

		deliverAll(t, f, w, time.Minute, 20)

		dm := fake.Messages(slackfake.IMChannel(n.Channel))
		got := carrying(dm, n.ID)
		if len(got) != 1 || len(dm) != 1 {
			t.Fatalf("the reception person's DM has the reminder %d times (%d messages), want once", len(got), len(dm))
		}
		if posts := postsTo(fake, n.Channel); posts != 1 {
			t.Fatalf("%d posts of the reminder, want 1", posts)
		}
		sent := sentNotice(t, f, n.ID)
		if sent.State != models.NoticeSent || sent.SentTS != got[0].TS || sent.Attempts != 2 {
			t.Fatalf("notice %s as %q after %d attempts; want sent as %q after 2 (the lost answer, then found)",
				sent.State, sent.SentTS, sent.Attempts, got[0].TS)
		}
		checkExactlyOnce(t, f, fake)
	})
}

// TestWrappedClientKeepsThreadCheck: a client wrapped around the Slack
// client (here one whose answers are lost) still reads the thread before
// posting again: the worker's Poster requires the methods of every check.
func TestWrappedClientKeepsThreadCheck(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f, fake, client, tk := scheduledFixture(t, backend)
		n := pendingTo(t, f, models.NoticeVisitScheduled, func(ch string) bool { return ch == staffChannel })
		pending, err := f.s.PendingNotices(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		p := &lostResponse{Poster: client}
		p.k.Store(int32(pending)) // every answer of the first round is lost
		deliverAll(t, f, newWorker(f, p), time.Minute, 20)
		var thread []slackfake.Message
		for _, m := range fake.Messages(staffChannel) {
			if m.ThreadTS == tk.StaffTS && m.IsReply() {
				thread = append(thread, m)
			}
		}
		if got := carrying(thread, n.ID); len(got) != 1 {
			t.Fatalf("the ticket's thread has the visit notice %d times, want once", len(got))
		}
		checkExactlyOnce(t, f, fake)
	})
}
