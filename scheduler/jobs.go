package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/leaseline/leaseline/models"
)

// Job is one of the scheduler's jobs. Run handles everything due up to now,
// not only what became due since the last tick, so that a run after a
// crash or downtime catches up; running it twice for the same now does
// nothing the second time. Jobs run on their timetable and by hand
// (`leaseline jobs run NAME --at TIME`).
type Job interface {
	Name() string
	// Describe says in one line what the job does, for `leaseline jobs list`.
	Describe() string
	Run(ctx context.Context, now time.Time) error
}

// VisitStore is what schedule-visits needs of the store.
type VisitStore interface {
	// WaitingAccessPoints lists the access points with tickets to book.
	WaitingAccessPoints(ctx context.Context, now time.Time) ([]string, error)
	// BookVisits books a batch of waiting tickets in one transaction.
	BookVisits(ctx context.Context, now time.Time, q models.BookingQuery) (models.BookingBatch, error)
}

// ReceptionStore is what reception-reminders needs of the store.
type ReceptionStore interface {
	RemindReception(ctx context.Context, now time.Time) (int, error)
}

// NoShowStore is what visit-no-shows needs of the store.
type NoShowStore interface {
	MarkNoShows(ctx context.Context, now time.Time) (int, error)
}

// ReviewStore is what review-sla needs of the store.
type ReviewStore interface {
	ReviewSLA(ctx context.Context, now time.Time, escalate string) (int, error)
}

// CustomerStore is what customer-reminders needs of the store.
type CustomerStore interface {
	CustomerReminders(ctx context.Context, now time.Time, p models.ReminderPolicy) (models.ReminderReport, error)
}

// ScheduleVisits books the IDC visit of every construction ticket waiting
// for one (store.BookVisits: next workday, capacity, lock-downs, rota), a
// batch of tickets per transaction, oldest first, so that a run stopped
// half-way leaves each batch booked or untouched and the next run books the
// rest. A ticket that cannot be booked (no rota, no day with room) is
// logged and the run goes on; the run then returns the errors.
type ScheduleVisits struct {
	Store VisitStore
	// Batch is how many tickets one transaction books (default 500).
	Batch int
	// Concurrency is how many lanes of access points book at once (default
	// 1); the tickets of one IDC are always booked in one lane, in order.
	Concurrency int
	Logger      *slog.Logger
}

// Name implements Job.
func (j *ScheduleVisits) Name() string { return JobScheduleVisits }

// Describe implements Job.
func (j *ScheduleVisits) Describe() string {
	return "book the IDC visit of each construction ticket on the next workday, within the IDC's capacity, with a reception person"
}

// maxJobErrors bounds the errors one run reports.
const maxJobErrors = 10

// Run implements Job.
func (j *ScheduleVisits) Run(ctx context.Context, now time.Time) error {
	log := logger(j.Logger)
	var lanes [][]string // nil: one lane of every access point
	if n := max(j.Concurrency, 1); n > 1 {
		aps, err := j.Store.WaitingAccessPoints(ctx, now)
		if err != nil {
			return fmt.Errorf("%s: %w", JobScheduleVisits, err)
		}
		lanes = make([][]string, min(n, len(aps)))
		for i, ap := range aps {
			lanes[i%len(lanes)] = append(lanes[i%len(lanes)], ap)
		}
	}
	if lanes == nil {
		lanes = [][]string{nil}
	}
	var (
		mu             sync.Mutex
		errs           []error
		booked, failed int
		wg             sync.WaitGroup
	)
	for _, aps := range lanes {
		wg.Go(func() {
			b, f, err := j.lane(ctx, now, aps, log)
			mu.Lock()
			defer mu.Unlock()
			booked, failed = booked+b, failed+len(f)
			for _, e := range append(f, err) {
				if e != nil && len(errs) < maxJobErrors {
					errs = append(errs, e)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s stopped after %d bookings: %w", JobScheduleVisits, booked, errors.Join(append(errs, err)...))
	}
	log.InfoContext(ctx, "job done", "job", JobScheduleVisits, "at", now, "booked", booked, "failed", failed)
	switch {
	case failed > 0:
		return fmt.Errorf("%s: %d of the tickets could not be booked: %w", JobScheduleVisits, failed, errors.Join(errs...))
	case len(errs) > 0:
		return fmt.Errorf("%s: %w", JobScheduleVisits, errors.Join(errs...))
	}
	return nil
}

// lane books the tickets of access points aps (nil: all), batch after
// batch, and returns how many it booked, the tickets it could not book and
// the error that stopped it.
func (j *ScheduleVisits) lane(ctx context.Context, now time.Time, aps []string, log *slog.Logger) (int, []error, error) {
	q := models.BookingQuery{Limit: j.Batch, AccessPoints: aps}
	if q.Limit <= 0 {
		q.Limit = 500
	}
	booked := 0
	var failed []error
	for ctx.Err() == nil {
		b, err := j.Store.BookVisits(ctx, now, q)
		if err != nil {
			return booked, failed, err
		}
		for _, v := range b.Booked {
			log.InfoContext(ctx, "IDC visit booked", "ticket", v.TicketID, "connection", v.ConnectionID, "date", v.Date, "access_point", v.AccessPointID)
		}
		for _, f := range b.Failed {
			log.ErrorContext(ctx, "cannot book IDC visit", "ticket", f.TicketID, "err", f.Err)
			failed = append(failed, fmt.Errorf("ticket %d: %w", f.TicketID, f.Err))
		}
		booked, q.AfterID = booked+len(b.Booked), b.LastTicketID
		if b.Claimed < q.Limit {
			break
		}
	}
	return booked, failed, nil
}

// ReceptionReminders reminds the provider and the reception person of each
// of the day's visits, once per visit (store.RemindReception).
type ReceptionReminders struct {
	Store  ReceptionStore
	Logger *slog.Logger
}

// Name implements Job.
func (j *ReceptionReminders) Name() string { return JobReceptionReminders }

// Describe implements Job.
func (j *ReceptionReminders) Describe() string {
	return "on the morning of each visit, remind the provider and the reception person who arrives, when, with which ID"
}

// Run implements Job.
func (j *ReceptionReminders) Run(ctx context.Context, now time.Time) error {
	n, err := j.Store.RemindReception(ctx, now)
	if err != nil {
		return fmt.Errorf("%s: %w", JobReceptionReminders, err)
	}
	logger(j.Logger).InfoContext(ctx, "job done", "job", JobReceptionReminders, "at", now, "visits", n)
	return nil
}

// ReviewSLA raises applications in Applying past their review day in the
// staff channel, and escalates them after two workdays (store.ReviewSLA).
type ReviewSLA struct {
	Store ReviewStore
	// Escalate is the Slack user or user group mentioned at level 2.
	Escalate string
	Logger   *slog.Logger
}

// Name implements Job.
func (j *ReviewSLA) Name() string { return JobReviewSLA }

// Describe implements Job.
func (j *ReviewSLA) Describe() string {
	return "raise applications not reviewed after one workday in the staff channel; mention the escalation contact after two"
}

// Run implements Job.
func (j *ReviewSLA) Run(ctx context.Context, now time.Time) error {
	n, err := j.Store.ReviewSLA(ctx, now, j.Escalate)
	if err != nil {
		return fmt.Errorf("%s: %w", JobReviewSLA, err)
	}
	logger(j.Logger).InfoContext(ctx, "job done", "job", JobReviewSLA, "at", now, "raised", n)
	return nil
}

// CustomerReminders reminds customers of unpaid and unconfirmed
// connections and cancels those unpaid too long (store.CustomerReminders).
type CustomerReminders struct {
	Store  CustomerStore
	Policy models.ReminderPolicy
	Logger *slog.Logger
}

// Name implements Job.
func (j *CustomerReminders) Name() string { return JobCustomerReminders }

// Describe implements Job.
func (j *CustomerReminders) Describe() string {
	return "remind customers of unpaid and unconfirmed connections; cancel those unpaid past the limit"
}

// Run implements Job.
func (j *CustomerReminders) Run(ctx context.Context, now time.Time) error {
	rep, err := j.Store.CustomerReminders(ctx, now, j.Policy)
	if err != nil {
		return fmt.Errorf("%s: %w", JobCustomerReminders, err)
	}
	logger(j.Logger).InfoContext(ctx, "job done", "job", JobCustomerReminders, "at", now, "reminded", rep.Reminded, "expired", rep.Expired)
	return nil
}

// VisitNoShows marks No Show the visits nobody checked in an hour after
// their window ended, once per visit across replicas, and alerts staff
// (Reschedule Visit), the provider and the customer (store.MarkNoShows).
type VisitNoShows struct {
	Store  NoShowStore
	Logger *slog.Logger
}

// Name implements Job.
func (j *VisitNoShows) Name() string { return JobVisitNoShows }

// Describe implements Job.
func (j *VisitNoShows) Describe() string {
	return "mark No Show each visit nobody checked in an hour after its window ended; alert staff (Reschedule Visit), the provider and the customer"
}

// Run implements Job.
func (j *VisitNoShows) Run(ctx context.Context, now time.Time) error {
	n, err := j.Store.MarkNoShows(ctx, now)
	if err != nil {
		return fmt.Errorf("%s: %w", JobVisitNoShows, err)
	}
	logger(j.Logger).InfoContext(ctx, "job done", "job", JobVisitNoShows, "at", now, "no_shows", n)
	return nil
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
