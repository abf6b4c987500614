package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Options.
const (
	DefaultAckTimeout   = 2500 * time.Millisecond
	DefaultLaterTimeout = 60 * time.Second
	DefaultDedupTTL     = 10 * time.Minute
	DefaultDedupMax     = 100_000
)

// errHandlerPanic is returned by Dispatch when the handler panicked.
var errHandlerPanic = errors.New("bot: handler panicked")

// Options configure a Dispatcher. The zero value is usable.
type Options struct {
	// Logger receives the transport's logs; nil means slog.Default().
	Logger *slog.Logger
	// Registerer receives the transport's metrics; nil means no metrics.
	Registerer prometheus.Registerer
	// Deduper replaces the in-memory seen-set (DedupTTL, DedupMax).
	Deduper Deduper
	// Journal, if set, records the requests of durable routes before the
	// ack so that their later work survives the process (see RunRecovery).
	Journal Journal
	// AckTimeout is the deadline of the handler's ctx; 0 means DefaultAckTimeout.
	AckTimeout time.Duration
	// LaterTimeout bounds each post-ack function from the moment it starts
	// running (time spent queued does not count); 0 means DefaultLaterTimeout.
	LaterTimeout time.Duration
	// LaterWorkers bounds how many post-ack functions run at once; more
	// wait in an unbounded FIFO queue (work is never dropped). Without a
	// bound, a burst of requests starts thousands of goroutines that fight
	// for the CPU and the database pool, slowing the acks, and time out
	// before they get a connection. 0 means DefaultLaterWorkers().
	LaterWorkers int
	// DedupTTL is how long the in-memory seen-set keeps a key; 0 means DefaultDedupTTL.
	DedupTTL time.Duration
	// DedupMax bounds the in-memory seen-set; 0 means DefaultDedupMax.
	DedupMax int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID generates request IDs; nil means 16 random hex characters.
	NewID func() string
}

// Dispatcher routes requests to handlers, runs them under the ack deadline,
// runs their post-ack work on a bounded pool of tracked workers fed by an
// unbounded queue, and deduplicates Slack retries. Receivers share one
// Dispatcher; it holds no global state.
type Dispatcher struct {
	router       *Router
	log          *slog.Logger
	metrics      *metrics
	dedup        Deduper
	journal      Journal
	running      idSet // journal entries whose later work is queued or running here
	ackTimeout   time.Duration
	laterTimeout time.Duration
	now          func() time.Time
	newID        func() string

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup // handlers and their later work, queued or running
	marks    doneMarks      // acked requests' keys to mark handled

	// Post-ack work: a FIFO queue served by at most maxWorkers goroutines,
	// started on demand and gone when the queue is empty.
	qmu        sync.Mutex
	queue      []laterJob
	workers    int
	maxWorkers int

	// hardStop is cancelled when Shutdown gives up waiting: it cancels the
	// contexts of later work still running.
	hardStop   context.Context
	cancelHard context.CancelFunc
}

// NewDispatcher returns a Dispatcher routing with router. It fails only when
// the metrics cannot be registered.
func NewDispatcher(router *Router, opts Options) (*Dispatcher, error) {
	if router == nil {
		return nil, errors.New("bot: NewDispatcher: nil router")
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	d := &Dispatcher{
		router:       router,
		log:          opts.Logger,
		metrics:      m,
		dedup:        opts.Deduper,
		journal:      opts.Journal,
		ackTimeout:   opts.AckTimeout,
		laterTimeout: opts.LaterTimeout,
		maxWorkers:   opts.LaterWorkers,
		now:          opts.Now,
		newID:        opts.NewID,
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.ackTimeout <= 0 {
		d.ackTimeout = DefaultAckTimeout
	}
	if d.laterTimeout <= 0 {
		d.laterTimeout = DefaultLaterTimeout
	}
	if d.maxWorkers <= 0 {
		d.maxWorkers = DefaultLaterWorkers()
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.newID == nil {
		d.newID = randomID
	}
	if d.dedup == nil {
		d.dedup = NewMemoryDeduper(opts.DedupTTL, opts.DedupMax, d.now)
	}
	d.hardStop, d.cancelHard = context.WithCancel(context.Background())
	return d, nil
}

// Dispatch handles one verified request: it drops retries of requests already
// handled, routes, runs the handler under the ack deadline and starts its later
// work. body is the raw payload (HTTP body, or Socket Mode payload) used as the
// dedup key when the request has no event_id. It returns the ack body (nil for
// an empty ack); the request counts as handled (a repeat is dropped) when it
// returns. It returns ErrShuttingDown once Shutdown has begun, and an
// error when the handler panicked; the caller should then answer with an error.
func (d *Dispatcher) Dispatch(ctx context.Context, req Request, body []byte) (any, error) {
	ack, key, err := d.dispatch(ctx, req, body, d.now())
	d.seenDone(ctx, key)
	if errors.Is(err, errInFlight) {
		err = nil // the empty ack drops it, as HTTP and Socket Mode leave Slack to retry
	}
	return ack, err
}

// dispatch is Dispatch for the receivers. It also returns the request's dedup
// key, which the receiver must pass to seenDone once the ack is sent ("" when
// there is nothing to mark), and errInFlight for an event whose first
// delivery is still being handled (send no ack: Slack retries it).
func (d *Dispatcher) dispatch(ctx context.Context, req Request, body []byte, received time.Time) (_ any, doneKey string, _ error) {
	if req.ID == "" {
		req.ID = d.newID()
	}
	if !d.enter() {
		d.metrics.request(req.Kind, "", outcomeRejected)
		return nil, "", ErrShuttingDown
	}
	laterStarted := false
	defer func() {
		if !laterStarted {
			d.inflight.Done()
		}
	}()

	ctx = withRequestID(ctx, req.ID)
	h, name, durable := d.router.routeDurable(req)
	// The request's logger is built only when something is logged: its
	// attributes cost allocations on every request otherwise.
	rl := reqLog{base: d.log, id: req.ID, kind: req.Kind, retry: req.RetryNum, name: name}

	key := dedupKey(req, body)
	if key != "" {
		claimed, done, err := d.dedup.ClaimSeen(ctx, key, d.staleAfter())
		switch {
		case err != nil:
			// Fail open: running a request twice is better than dropping it.
			rl.get().WarnContext(ctx, "dedup lookup failed; handling the request", "err", err)
		case claimed:
			// Until seenDone, the mark to come counts as in flight: Shutdown
			// and Drain wait for it.
			d.inflight.Add(1)
			doneKey = key
		case done:
			rl.get().InfoContext(ctx, "request already handled (a retry or a replay) acked without running")
			d.metrics.request(req.Kind, name, outcomeDuplicate)
			d.metrics.ack(req.Kind, d.now().Sub(received))
			return nil, "", nil
		default:
			rl.get().InfoContext(ctx, "request already being handled (sent again while its first delivery runs); not run")
			d.metrics.request(req.Kind, name, outcomeInFlight)
			d.metrics.ack(req.Kind, d.now().Sub(received))
			ack, err := inFlightAck(req)
			return ack, "", err
		}
	}

	if h == nil {
		rl.get().InfoContext(ctx, "no route for request; acked empty", "key", routeKey(req))
		d.metrics.request(req.Kind, name, outcomeUnrouted)
		d.metrics.ack(req.Kind, d.now().Sub(received))
		return nil, doneKey, nil
	}

	hctx, cancel := context.WithDeadline(ctx, received.Add(d.ackTimeout))
	ack, later, err := runHandler(hctx, h, req)
	cancel()
	elapsed := d.now().Sub(received)
	d.metrics.ack(req.Kind, elapsed)
	if err != nil {
		rl.get().ErrorContext(ctx, "handler panicked", "err", err)
		d.metrics.request(req.Kind, name, outcomePanic)
		return nil, doneKey, err
	}
	outcome := outcomeOK
	if elapsed > d.ackTimeout {
		outcome = outcomeTimeout
		rl.get().WarnContext(ctx, "handler exceeded the ack deadline", "elapsed", elapsed)
	}
	d.metrics.request(req.Kind, name, outcome)
	if d.log.Enabled(ctx, slog.LevelDebug) {
		rl.get().DebugContext(ctx, "acked", "elapsed", elapsed, "later", later != nil)
	}

	if later != nil {
		var journalID int64
		if durable && d.journal != nil {
			id, fresh, err := d.record(ctx, req, key, received)
			switch {
			case err != nil:
				// Never fail the ack for the journal: the work runs, not durably.
				rl.get().WarnContext(ctx, "journal record failed; running the work without it", "err", err)
			case !fresh:
				rl.get().InfoContext(ctx, "request already journaled (retry or another replica); acked without running")
				return ack, doneKey, nil
			default:
				journalID = id
				d.running.add(id)
			}
		}
		laterStarted = true
		d.enqueue(laterJob{ctx: ctx, log: rl, fn: later, journalID: journalID})
	}
	return ack, doneKey, nil
}

// record journals a durable request before its ack, within what is left of
// the ack deadline (at least 500 ms).
func (d *Dispatcher) record(ctx context.Context, req Request, key string, received time.Time) (int64, bool, error) {
	payload, err := EncodeRequest(req)
	if err != nil {
		return 0, false, err
	}
	if key == "" {
		key = "request:" + req.ID
	}
	deadline := received.Add(d.ackTimeout)
	if floor := d.now().Add(500 * time.Millisecond); deadline.Before(floor) {
		deadline = floor
	}
	rctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	return d.journal.Record(rctx, req.Kind.String(), key, payload)
}

// reqLog is a request's logger, built on first use.
type reqLog struct {
	base   *slog.Logger
	id     string
	kind   Kind
	retry  int
	name   string
	logger *slog.Logger
}

func (l *reqLog) get() *slog.Logger {
	if l.logger == nil {
		l.logger = l.base.With("request_id", l.id, "kind", l.kind.String(), "route", l.name)
		if l.retry > 0 {
			l.logger = l.logger.With("retry_num", l.retry)
		}
	}
	return l.logger
}

// runHandler calls h, turning a panic into an error.
func runHandler(ctx context.Context, h Handler, req Request) (ack any, later func(context.Context), err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v\n%s", errHandlerPanic, p, debug.Stack())
		}
	}()
	ack, later = h(ctx, req)
	return ack, later, nil
}

// randomID returns 16 random hex characters.
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

type requestIDKey struct{}

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID carried by a handler's or later work's
// context, or "" if there is none. Use it to correlate logs.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
