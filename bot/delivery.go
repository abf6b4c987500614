// Notice delivery.
//
// DeliveryWorker delivers the notices table (the outbox the store's
// transactions write): it claims due notices with a lease (PostgreSQL: FOR UPDATE SKIP
// LOCKED; SQLite: immediate transactions), renders them with the handlers'
// NoticeRenderer, posts them with message metadata {event_type
// "leaseline_notice", payload {notice_id}}, and records the outcome. Slack's
// 429 pauses the worker for Retry-After without counting the attempt; other
// failures are retried with exponential backoff (DeliveryConfig) and fail
// for good after MaxAttempts, which alerts staff (a delivery_failed notice)
// and lists the notice in `leaseline notices failed`. An attempt that may
// have reached Slack (a 5xx, a timeout, a worker that died after posting:
// its lease ends) is marked maybe-posted; the next attempt first looks for
// the notice's metadata in the channel's history (a thread's replies for a
// threaded notice) and records the message it finds instead of posting a
// duplicate. A notice carrying a file (FileRenderer) is uploaded instead
// (delivery_file.go). A batch goes out in parallel lanes, each keeping the
// order of its notices (delivery_lanes.go).

package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// NoticeEventType is the Slack message metadata event type of every notice
// posted; its payload is {"notice_id": ID}. Before posting again a notice
// whose earlier attempt may have reached Slack, the worker looks for it in
// the channel's history.
const NoticeEventType = "leaseline_notice"

// NoticeRenderer turns a notice into a Slack message. The handler that owns the
// view implements it; the worker adds the metadata and the thread.
type NoticeRenderer interface {
	RenderNotice(ctx context.Context, n models.Notice) ([]slack.MsgOption, error)
}

// Poster is the part of the Slack Web API the worker uses; *slack.Client
// satisfies it. Besides posting it reads where a notice may already be:
// a channel's history, a thread's replies, and the bot's DM with a user
// (conversations.open resolves the user ID to that channel). All are
// required, so that a wrapped client never loses the thread or DM check.
type Poster interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
}

// NoticeStore is what notice delivery needs of the store.
type NoticeStore interface {
	ClaimNotices(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]models.Delivery, error)
	// MarkNoticeSent records notice id posted as message ts, carrying
	// buttons (their action IDs).
	MarkNoticeSent(ctx context.Context, id int64, ts string, at time.Time, buttons ...string) error
	RetryNotice(ctx context.Context, d models.Delivery, r models.NoticeRetry) error
	FailNotice(ctx context.Context, d models.Delivery, at time.Time, cause string) error
	FailedNotices(ctx context.Context, limit int) ([]models.Notice, error)
}

// DeliveryWorker delivers the pending notices to Slack after the transactions that
// recorded them commit: durable (the notices table is the queue), retried
// with exponential backoff, paused as long as Slack's Retry-After asks on a
// 429, idempotent (a notice posted by a worker that died before recording
// it is found in the channel's history by its metadata, not posted again),
// and failed for good after DeliveryConfig.MaxAttempts with an alert to
// staff. Several workers, in one process or many, share the queue.
type DeliveryWorker struct {
	st     NoticeStore
	poster Poster
	render NoticeRenderer
	cfg    DeliveryConfig
	now    func() time.Time
	log    *slog.Logger
	wake   *NoticeSignal

	mu          sync.Mutex
	pausedUntil time.Time
}

// NewDeliveryWorker returns a delivery worker. cfg's zero fields get their
// defaults.
func NewDeliveryWorker(st NoticeStore, poster Poster, render NoticeRenderer, cfg DeliveryConfig) *DeliveryWorker {
	cfg = cfg.withDefaults()
	return &DeliveryWorker{st: st, poster: poster, render: render, cfg: cfg, now: cfg.Now, log: cfg.Logger, wake: cfg.Signal}
}

// NoticeSignal carries "notices were committed" from the store to the
// delivery worker. It is made first and handed to both: its Committed is
// the store's notices hook (store.Config.NoticesCommitted), and the worker
// waits on it (DeliveryConfig.Signal).
type NoticeSignal struct{ c chan struct{} }

// NewNoticeSignal returns a signal no one has raised yet.
func NewNoticeSignal() *NoticeSignal { return &NoticeSignal{c: make(chan struct{}, 1)} }

// Committed tells the worker that notices wait. It never blocks.
func (s *NoticeSignal) Committed() {
	select {
	case s.c <- struct{}{}:
	default:
	}
}

// Run delivers due notices every poll interval and whenever the store
// signals committed notices, until ctx is done.
func (w *DeliveryWorker) Run(ctx context.Context) error {
	ticker := time.NewTicker(w.cfg.PollInterval)
	defer ticker.Stop()
	for {
		for {
			n, err := w.DeliverDue(ctx, w.now())
			if err != nil && ctx.Err() == nil {
				w.log.ErrorContext(ctx, "notice delivery", "err", err)
			}
			if err != nil || n < w.cfg.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-w.wake.c:
		}
	}
}

// FailedNotices lists the notices that failed for good, newest first (for
// `leaseline notices failed`).
func (w *DeliveryWorker) FailedNotices(ctx context.Context) ([]models.Notice, error) {
	return w.st.FailedNotices(ctx, 0)
}

// postTimeout is the longest one call to Slack may take (serve's Slack
// client times out after 15 s).
const postTimeout = 15 * time.Second

// DeliverDue claims the notices due at now (one batch) and delivers them;
// it returns how many it claimed, once every one is delivered or given
// back. The notices whose order matters (one connection's, one thread's,
// one channel's about no connection: see lanes) are posted one after the
// other in the order claimed; the others side by side, by up to
// DeliveryConfig.Parallel goroutines. The claim's lease runs from now: no
// post starts that could outlive it (the rest of its lane goes back to the
// queue). While Slack's Retry-After of a 429 runs it posts nothing.
func (w *DeliveryWorker) DeliverDue(ctx context.Context, now time.Time) (int, error) {
	if until := w.paused(); now.Before(until) {
		return 0, nil
	}
	batch, err := w.st.ClaimNotices(ctx, now, w.cfg.Batch, w.cfg.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim notices: %w", err)
	}
	if w.cfg.Parallel <= 1 || len(batch) <= 1 {
		return len(batch), w.deliverLane(ctx, batch, now)
	}
	ls := lanes(batch)
	next := make(chan []models.Delivery, len(ls))
	for _, l := range ls {
		next <- l
	}
	close(next)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range min(w.cfg.Parallel, len(ls)) {
		wg.Go(func() {
			for l := range next {
				if err := w.deliverLane(ctx, l, now); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return len(batch), errors.Join(errs...)
}

// deliverLane delivers the notices of lane (claimed at now) one after the
// other. When the lease has no room for another post, or Slack's
// Retry-After runs, it gives the rest back to the queue.
func (w *DeliveryWorker) deliverLane(ctx context.Context, lane []models.Delivery, now time.Time) error {
	var errs []error
	for i, d := range lane {
		if !w.postFits(now) {
			for _, rest := range lane[i:] {
				if err := w.st.RetryNotice(ctx, rest, models.NoticeRetry{Next: now, Error: "lease too short for another post", MaybePosted: rest.MaybePosted, Uncounted: true}); err != nil {
					errs = append(errs, err)
				}
			}
			break
		}
		if until := w.paused(); now.Before(until) {
			// Rate limited meanwhile: give the rest back for after the pause.
			for _, rest := range lane[i:] {
				if err := w.st.RetryNotice(ctx, rest, models.NoticeRetry{Next: until, Error: "rate limited", MaybePosted: rest.MaybePosted, Uncounted: true}); err != nil {
					errs = append(errs, err)
				}
			}
			break
		}
		if err := w.deliver(ctx, d, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// postFits reports whether a post started now, on the worker's clock, ends
// within the lease of a claim made at claimed. A post may take up to
// postTimeout; one that could outlive the lease is not started, so that
// another worker, claiming the notice after the lease, never posts it
// beside this one.
func (w *DeliveryWorker) postFits(claimed time.Time) bool {
	return w.now().Sub(claimed) <= max(w.cfg.Lease-postTimeout, w.cfg.Lease/2)
}

func (w *DeliveryWorker) paused() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pausedUntil
}

func (w *DeliveryWorker) pause(until time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if until.After(w.pausedUntil) {
		w.pausedUntil = until
	}
}

// deliver posts one claimed notice (claimed at now) and records the
// outcome. Only a store error is returned: Slack's are recorded on the
// notice.
func (w *DeliveryWorker) deliver(ctx context.Context, d models.Delivery, now time.Time) error {
	n := d.Notice
	log := w.log.With("notice", n.ID, "kind", n.Kind, "channel", n.Channel, "attempt", n.Attempts)
	if n.Kind == models.NoticeSettle {
		return w.settle(ctx, d, now)
	}
	f, err := w.renderFile(ctx, n)
	if err != nil {
		return w.retry(ctx, d, now, fmt.Errorf("render file: %w", err), d.MaybePosted, retryInfo{})
	}
	if f != nil {
		return w.deliverFile(ctx, d, f, now)
	}
	if d.MaybePosted {
		ts, found, err := w.findPosted(ctx, n)
		switch {
		case err != nil:
			if retry, ok := retryable(err); ok || retry.rateLimited {
				return w.retry(ctx, d, now, err, true, retry)
			}
			// History unreadable for good (scope, channel type): post rather
			// than risk losing the notice.
			log.WarnContext(ctx, "cannot check channel history before posting again", "err", err)
		case found:
			log.InfoContext(ctx, "notice found already posted", "ts", ts)
			return w.markSent(ctx, n, ts, now)
		}
	}
	opts, buttons, err := w.renderCard(ctx, n)
	if err != nil {
		return w.retry(ctx, d, now, fmt.Errorf("render: %w", err), false, retryInfo{})
	}
	opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{
		EventType: NoticeEventType, EventPayload: map[string]any{"notice_id": n.ID},
	}))
	if n.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(n.ThreadTS))
	}
	if !w.postFits(now) {
		// The history search (or the rendering) used the lease's budget.
		// It found nothing: the next attempt posts without searching.
		return w.retry(ctx, d, now, errors.New("lease too short to post after the history check"), false, retryInfo{})
	}
	_, ts, err := w.poster.PostMessageContext(ctx, n.Channel, opts...)
	if err == nil {
		log.DebugContext(ctx, "notice sent", "ts", ts)
		return w.markSent(ctx, n, ts, now, buttons...)
	}
	retry, ok := retryable(err)
	if !ok && !retry.rateLimited {
		log.ErrorContext(ctx, "notice refused by Slack; failed for good", "err", err)
		return w.fail(ctx, d, now, err)
	}
	return w.retry(ctx, d, now, err, retry.maybePosted, retry)
}

func (w *DeliveryWorker) markSent(ctx context.Context, n models.Notice, ts string, now time.Time, buttons ...string) error {
	w.cfg.Metrics.delivered()
	// The message is posted: record it even if the worker is stopping.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := w.st.MarkNoticeSent(ctx, n.ID, ts, now, buttons...); err != nil {
		// The message is in Slack; when the lease ends the next attempt
		// finds it in the history and records it then.
		return fmt.Errorf("notice %d posted as %s but not recorded: %w", n.ID, ts, err)
	}
	return nil
}

// retry records a failed attempt: after a 429, for after Retry-After (the
// attempt not counted, the worker paused); else with exponential backoff,
// or failed for good after the last attempt.
func (w *DeliveryWorker) retry(ctx context.Context, d models.Delivery, now time.Time, cause error, maybePosted bool, info retryInfo) error {
	maybePosted = maybePosted || (d.MaybePosted && info.rateLimited)
	if info.rateLimited {
		w.cfg.Metrics.failed(deliveryRateLimited)
		until := now.Add(max(info.retryAfter, time.Second))
		w.pause(until)
		w.log.WarnContext(ctx, "Slack rate limit: pausing notice delivery", "until", until, "notice", d.Notice.ID)
		return w.st.RetryNotice(ctx, d, models.NoticeRetry{Next: until, Error: cause.Error(), MaybePosted: maybePosted, Uncounted: true})
	}
	if d.Notice.Attempts >= w.cfg.MaxAttempts {
		w.log.ErrorContext(ctx, "notice failed for good", "notice", d.Notice.ID, "attempts", d.Notice.Attempts, "err", cause)
		return w.fail(ctx, d, now, cause)
	}
	w.cfg.Metrics.failed(deliveryRetry)
	next := now.Add(w.backoff(d.Notice.Attempts))
	w.log.WarnContext(ctx, "notice delivery failed; will retry", "notice", d.Notice.ID, "attempt", d.Notice.Attempts, "next", next, "err", cause)
	return w.st.RetryNotice(ctx, d, models.NoticeRetry{Next: next, Error: cause.Error(), MaybePosted: maybePosted})
}

func (w *DeliveryWorker) fail(ctx context.Context, d models.Delivery, now time.Time, cause error) error {
	w.cfg.Metrics.failed(deliveryFailed)
	// The staff alert it records is due now: the store's hook wakes the
	// worker.
	return w.st.FailNotice(ctx, d, now, cause.Error())
}

// backoff is the wait after the attempt-th failed attempt: Backoff doubled
// each time, at most MaxBackoff.
func (w *DeliveryWorker) backoff(attempt int) time.Duration {
	d := w.cfg.Backoff
	for i := 1; i < attempt && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.cfg.MaxBackoff)
}

type retryInfo struct {
	rateLimited bool
	retryAfter  time.Duration
	// maybePosted: the request may have been carried out although it failed.
	maybePosted bool
}

// refused reports whether a Slack error is one that no retry mends: the
// notice fails at once (staff requeue it after fixing the cause).
func refused(code string) bool {
	switch code {
	case "channel_not_found", "not_in_channel", "is_archived", "msg_too_long", "no_text", "invalid_blocks",
		"invalid_blocks_format", "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large",
		"invalid_arguments", "too_many_attachments", "restricted_action", "cannot_dm_bot", "user_not_found",
		"user_not_in_channel", "messages_tab_disabled", "invalid_thread_ts":
		return true
	}
	return false
}

// retryable classifies a Slack error: ok is false for a refusal (or a
// rate limit, told by info.rateLimited).
func retryable(err error) (retryInfo, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return retryInfo{rateLimited: true, retryAfter: rl.RetryAfter}, false
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		// A 5xx may come after Slack posted the message.
		return retryInfo{maybePosted: sc.Code >= 500}, true
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if refused(se.Err) {
			return retryInfo{}, false
		}
		// internal_error, fatal_error, service_unavailable, request_timeout:
		// Slack may have posted; invalid_auth, ratelimited and the like: it
		// did not, but may later.
		return retryInfo{maybePosted: strings.Contains("internal_error fatal_error request_timeout service_unavailable", se.Err)}, true
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return retryInfo{maybePosted: true}, true
	}
	// Unknown (a renderer's error, a decoding error): try again.
	return retryInfo{maybePosted: true}, true
}
