package scheduler

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
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
	TicketsToBook(ctx context.Context, now time.Time, afterID int64, limit int) ([]models.Ticket, error)
	BookVisit(ctx context.Context, ticketID int64, now time.Time) (*models.Visit, bool, error)
}

// ReceptionStore is what reception-reminders needs of the store.
type ReceptionStore interface {
	RemindReception(ctx context.Context, now time.Time) (int, error)
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
// for one (store.BookVisit: next workday, capacity, lock-downs, rota), one
// transaction per ticket, so that a run stopped half-way leaves each ticket
// booked or untouched and the next run books the rest. A ticket that cannot
// be booked (no rota, no day with room) is logged and the run goes on; the
// run then returns the errors.
type ScheduleVisits struct {
	Store VisitStore
	// Batch is how many tickets are listed at a time (default 200).
	Batch int
	// Concurrency is how many IDCs are booked at once (default 1); the
	// tickets of one IDC are always booked one after the other, in order.
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
	batch := j.Batch
	if batch <= 0 {
		batch = 200
	}
	lanes := max(j.Concurrency, 1)
	var (
		mu             sync.Mutex
		errs           []error
		booked, failed int
	)
	book := func(t models.Ticket) {
		v, ok, err := j.Store.BookVisit(ctx, t.ID, now)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			failed++
			if len(errs) < maxJobErrors {
				errs = append(errs, err)
			}
			if ctx.Err() == nil {
				log.ErrorContext(ctx, "cannot book IDC visit", "ticket", t.ID, "err", err)
			}
		case ok:
			booked++
			log.InfoContext(ctx, "IDC visit booked", "ticket", t.ID, "connection", v.ConnectionID, "date", v.Date, "access_point", v.AccessPointID)
		}
	}
	after := int64(0)
	for {
		tickets, err := j.Store.TicketsToBook(ctx, now, after, batch)
		if err != nil {
			return fmt.Errorf("%s: %w", JobScheduleVisits, err)
		}
		// One lane per group of access points: an IDC's tickets are booked
		// in order (first come, first served), different IDCs at once.
		byLane := make([][]models.Ticket, lanes)
		for _, t := range tickets {
			after = t.ID
			l := int(crc32.ChecksumIEEE([]byte(t.AccessPointID)) % uint32(lanes))
			byLane[l] = append(byLane[l], t)
		}
		var wg sync.WaitGroup
		for _, lane := range byLane {
			wg.Go(func() {
				for _, t := range lane {
					if ctx.Err() != nil {
						return
					}
					book(t)
				}
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s stopped after %d bookings: %w", JobScheduleVisits, booked, err)
		}
		if len(tickets) < batch {
			break
		}
	}
	log.InfoContext(ctx, "job done", "job", JobScheduleVisits, "at", now, "booked", booked, "failed", failed)
	if failed > 0 {
		return fmt.Errorf("%s: %d of the tickets could not be booked: %w", JobScheduleVisits, failed, errors.Join(errs...))
	}
	return nil
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

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
