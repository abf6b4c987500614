package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"time"
)

// The post-ack queue: the work a handler returns with its ack runs after
// the ack on a bounded pool of workers, tracked for a clean shutdown.

// DefaultLaterWorkers is the default of Options.LaterWorkers: twice
// GOMAXPROCS, at least 4. Post-ack work that mostly burns CPU (SQLite in
// process, rendering) then cannot crowd the acks out of the processors;
// work that mostly waits (Slack's Web API far away) may want more.
func DefaultLaterWorkers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// ErrShuttingDown is returned by Dispatch once Shutdown has begun.
var ErrShuttingDown = errors.New("bot: dispatcher is shutting down")

// laterJob is post-ack work waiting for a worker.
type laterJob struct {
	ctx       context.Context
	log       reqLog
	fn        func(context.Context)
	journalID int64 // 0: not journaled
}

// enqueue queues post-ack work and starts a worker if fewer than
// maxWorkers run. It never blocks and never drops work.
func (d *Dispatcher) enqueue(j laterJob) {
	d.qmu.Lock()
	d.queue = append(d.queue, j)
	d.metrics.laterQueued(1)
	start := d.workers < d.maxWorkers
	if start {
		d.workers++
	}
	d.qmu.Unlock()
	if start {
		go d.work()
	}
}

// work runs queued post-ack work, oldest first, until the queue is empty.
func (d *Dispatcher) work() {
	for {
		d.qmu.Lock()
		if len(d.queue) == 0 {
			d.workers--
			d.queue = nil // let the backing array go
			d.qmu.Unlock()
			return
		}
		j := d.queue[0]
		d.queue[0] = laterJob{}
		d.queue = d.queue[1:]
		d.metrics.laterQueued(-1)
		d.qmu.Unlock()
		d.runLater(j.ctx, &j.log, j.fn, j.journalID)
	}
}

// enter registers one in-flight request, unless shutting down.
func (d *Dispatcher) enter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.inflight.Add(1)
	return true
}

// runLater runs post-ack work with a context detached from the request's
// cancellation (its values kept), bounded by LaterTimeout and cancelled if
// Shutdown gives up waiting. A panic is logged, never propagated. A
// journaled job is marked done when it returns or panics, not when Shutdown
// cancelled it: RunRecovery replays it then.
func (d *Dispatcher) runLater(reqCtx context.Context, log *reqLog, later func(context.Context), journalID int64) {
	d.metrics.laterStarted()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqCtx), d.laterTimeout)
	stop := context.AfterFunc(d.hardStop, cancel)
	start := d.now()
	defer func() {
		if p := recover(); p != nil {
			log.get().ErrorContext(ctx, "later work panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
		if journalID != 0 {
			d.journalDone(reqCtx, log, journalID)
		}
		stop()
		cancel()
		d.metrics.laterDone()
		d.inflight.Done()
	}()
	later(ctx)
	if d.log.Enabled(ctx, slog.LevelDebug) {
		log.get().DebugContext(ctx, "later work done", "elapsed", d.now().Sub(start))
	}
}

// journalDone marks a journal entry done once its later work finished,
// unless Shutdown cut the work short.
func (d *Dispatcher) journalDone(reqCtx context.Context, log *reqLog, id int64) {
	defer d.running.remove(id)
	if d.hardStop.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqCtx), 5*time.Second)
	defer cancel()
	if err := d.journal.Done(ctx, id); err != nil {
		log.get().WarnContext(ctx, "journal done failed; the work may be replayed", "journal_id", id, "err", err)
	}
}

// Shutdown stops accepting requests (Dispatch returns ErrShuttingDown) and
// waits for handlers and later work in flight. If ctx ends first it cancels
// the contexts of the work still running and returns ctx's error.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()

	done := make(chan struct{})
	go func() {
		d.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		d.cancelHard()
		return nil
	case <-ctx.Done():
		d.cancelHard()
		return fmt.Errorf("bot: shutdown: waiting for in-flight work: %w", ctx.Err())
	}
}

// Drain waits until no handler or later work is in flight, without closing
// the dispatcher: for tests and for operators' "settle" points. New requests
// must not arrive while it waits.
func (d *Dispatcher) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		d.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bot: drain: %w", ctx.Err())
	}
}
