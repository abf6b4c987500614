package bot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/leaseline/leaseline/models"
)

// Notice delivery on River: each pending notice is a River job, inserted
// in the transaction that records the notice (the store's EnqueueNotices
// hook is NoticeJobs.Enqueue), worked by NoticeJobs' worker with the same
// posting code as DeliveryWorker (render, metadata, the history check of a
// notice that may have reached Slack, Slack's errors), retried by River
// with DeliveryConfig's backoff and jitter, snoozed for Retry-After on a
// 429, and failed for good after MaxAttempts with the staff alert.

// NoticeQueue is the River queue of notice deliveries.
const NoticeQueue = "notices"

// NoticeJobArgs is the River job delivering one notice.
type NoticeJobArgs struct {
	NoticeID int64 `json:"notice_id"`
}

// Kind is the River job kind.
func (NoticeJobArgs) Kind() string { return "leaseline_notice" }

// InsertOpts keeps one live job per notice: a job waiting, running or
// retrying makes a second insert for the same notice a no-op; a finished
// one does not (a failed notice requeued by staff gets a new job).
func (NoticeJobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: NoticeQueue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// NoticeJobStore is what the River worker needs of the store: the
// delivery worker's, and TakeNotice to start an attempt at one notice.
type NoticeJobStore interface {
	NoticeStore
	TakeNotice(ctx context.Context, id int64) (models.Delivery, bool, error)
}

// NoticeJobs is notice delivery on River. It is made first: its Enqueue is
// the store's EnqueueNotices hook. Worker binds it to the delivery worker,
// and the River client, made with that worker, is handed to it with
// SetClient.
type NoticeJobs struct {
	w           *DeliveryWorker
	st          NoticeJobStore
	maxAttempts atomic.Int64
	client      atomic.Pointer[river.Client[*sql.Tx]]
}

// NewNoticeJobs returns River's notice delivery, not bound yet.
func NewNoticeJobs() *NoticeJobs { return &NoticeJobs{} }

// Worker binds j to w, whose store is st, and returns the River worker of
// NoticeJobArgs. Call it once, before the client starts.
func (j *NoticeJobs) Worker(w *DeliveryWorker, st NoticeJobStore) river.Worker[NoticeJobArgs] {
	j.w, j.st = w, st
	j.maxAttempts.Store(int64(w.cfg.MaxAttempts))
	return &noticeWorker{j: j}
}

// SetClient gives the River client that inserts and works the jobs.
func (j *NoticeJobs) SetClient(c *river.Client[*sql.Tx]) { j.client.Store(c) }

// Enqueue inserts the delivery jobs of notices ids in tx (nil: in a
// transaction of its own): the store's EnqueueNotices hook.
func (j *NoticeJobs) Enqueue(ctx context.Context, tx *sql.Tx, ids []int64) error {
	c := j.client.Load()
	if c == nil {
		return errors.New("notice jobs: no River client yet")
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		// One attempt more than the worker's own limit: the worker fails
		// the notice for good (with the staff alert) before River would
		// discard the job.
		params[i] = river.InsertManyParams{Args: NoticeJobArgs{NoticeID: id}, InsertOpts: &river.InsertOpts{MaxAttempts: int(j.maxAttempts.Load()) + 1}}
	}
	var err error
	if tx == nil {
		_, err = c.InsertMany(ctx, params)
	} else {
		_, err = c.InsertManyTx(ctx, tx, params)
	}
	if err != nil {
		return fmt.Errorf("insert %d notice jobs: %w", len(ids), err)
	}
	return nil
}

type noticeWorker struct {
	river.WorkerDefaults[NoticeJobArgs]
	j *NoticeJobs
}

// Timeout bounds one attempt: a post and the history check before it.
func (nw *noticeWorker) Timeout(*river.Job[NoticeJobArgs]) time.Duration { return 2 * postTimeout }

// NextRetry is DeliveryConfig's backoff after the job's attempt, give or
// take a tenth (jitter: the notices of one outage do not all come back at
// once).
func (nw *noticeWorker) NextRetry(job *river.Job[NoticeJobArgs]) time.Time {
	d := nw.j.w.backoff(job.Attempt)
	d += time.Duration((rand.Float64()*0.2 - 0.1) * float64(d))
	return time.Now().Add(d)
}

// errAgain makes River try the job again after NextRetry.
var errAgain = errors.New("notice not delivered yet")

func (nw *noticeWorker) Work(ctx context.Context, job *river.Job[NoticeJobArgs]) error {
	w := nw.j.w
	now := w.now()
	if until := w.paused(); now.Before(until) {
		return river.JobSnooze(until.Sub(now))
	}
	d, ok, err := nw.j.st.TakeNotice(ctx, job.Args.NoticeID)
	if err != nil {
		return err
	}
	if !ok {
		return nil // sent or failed for good already
	}
	out, err := w.deliver(ctx, d, now)
	switch {
	case err != nil:
		return err
	case out.rateLimited:
		return river.JobSnooze(max(w.paused().Sub(w.now()), time.Second))
	case out.again:
		return fmt.Errorf("notice %d: %w", d.Notice.ID, errAgain)
	}
	return nil
}
