package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// useCase is one step of the walk BenchmarkUseCaseStatements measures.
type useCase struct {
	name string
	run  func(ctx context.Context, s *store.Store, owner models.Actor, id int64) error
}

// useCases walks a connection from the apply form to Terminating. Every
// step but the visit's booking (the scheduler's, measured by
// BenchmarkScheduleVisits) is measured.
var useCases = []useCase{
	{"notify_provider", func(ctx context.Context, s *store.Store, _ models.Actor, id int64) error {
		_, err := s.Act(ctx, models.Actor{UserID: "USTAFF", Role: models.RoleStaff}, id, models.ActInput{Action: models.ActionNotifyProvider})
		return err
	}},
	{"submit_survey", func(ctx context.Context, s *store.Store, _ models.Actor, id int64) error {
		sv := models.Survey{
			ConstructionCompany: "Zhejiang Line Works", LineType: models.LineFibre,
			PlannedArrival: time.Now().Add(72 * time.Hour),
			Engineers: []models.Engineer{
				{Name: "Li Wei", Phone: "+86 138 0000 0000", IDType: models.IDCard, IDNumber: "11010119900307123X"},
				{Name: "Anna Schmidt", Phone: "+49 170 0000000", IDType: models.Passport, IDNumber: "C01X00T47"},
			},
		}
		_, err := s.SubmitSurvey(ctx, models.Actor{UserID: "UPROV", Role: models.RoleProvider, ProviderID: testProvider}, id, sv)
		return err
	}},
	{"submit_ticket", func(ctx context.Context, s *store.Store, owner models.Actor, id int64) error {
		_, err := s.SubmitTicket(ctx, owner, id, "fibre from our cage 12", "")
		return err
	}},
	{"", func(ctx context.Context, s *store.Store, _ models.Actor, id int64) error {
		_, err := s.ScheduleVisitForTest(ctx, models.SystemActor(), id, time.Now().AddDate(0, 0, 1).Format("2006-01-02"))
		return err
	}},
	{"complete_construction", func(ctx context.Context, s *store.Store, _ models.Actor, id int64) error {
		_, err := s.Act(ctx, models.Actor{UserID: "UPROV", Role: models.RoleProvider, ProviderID: testProvider}, id,
			models.ActInput{Action: models.ActionCompleteConstruction, LineCode: "ZJ-HZ-0042", LineLabel: "HZ-YH-B/42"})
		return err
	}},
	{"confirm", func(ctx context.Context, s *store.Store, owner models.Actor, id int64) error {
		_, err := s.Act(ctx, owner, id, models.ActInput{Action: models.ActionConfirm})
		return err
	}},
	{"terminate", func(ctx context.Context, s *store.Store, owner models.Actor, id int64) error {
		_, err := s.Act(ctx, owner, id, models.ActInput{Action: models.ActionTerminate, Reason: "moving out"})
		return err
	}},
}

// BenchmarkUseCaseStatements walks one connection per iteration from the
// apply form through approval, payment and every Connecting step to
// Enabled and then Terminating, one use case after the other, and reports
// for each use case the SQL statements it ran (BEGIN and COMMIT not
// counted; <use case>-stmts) and its time (<use case>-µs). The visit's
// booking runs too (through the test path) but is not reported: the
// scheduler books visits in batches (BenchmarkScheduleVisits).
//
//	go test -run '^$' -bench UseCaseStatements -benchtime 200x ./models/store/
func BenchmarkUseCaseStatements(b *testing.B) {
	benchBackends(b, func(b *testing.B, backend string) {
		s, accounts := benchSetup(b, backend, b.N)
		ctx := context.Background()
		staff := models.Actor{UserID: "USTAFF", Role: models.RoleStaff}
		count := store.CountStatements(s)
		var cur string
		if os.Getenv("BENCH_LOG_SQL") != "" {
			store.LogStatements(s, func(sql string) { fmt.Fprintf(os.Stderr, "[%s] %s\n", cur, sql) })
		}
		names := []string{"apply", "approve", "pay"}
		for _, u := range useCases {
			if u.name != "" {
				names = append(names, u.name)
			}
		}
		stmts := make(map[string]int64, len(names))
		took := make(map[string]time.Duration, len(names))
		measure := func(name string, fn func() error) error {
			cur = name
			n0, t0 := count.Load(), time.Now()
			err := fn()
			if name != "" {
				took[name] += time.Since(t0)
				stmts[name] += count.Load() - n0
			}
			if err != nil && name != "" {
				return fmt.Errorf("%s: %w", name, err)
			}
			return err
		}
		b.ResetTimer()
		for i := range b.N {
			owner := accounts[i/models.DefaultMaxOpen]
			var c *models.Connection
			err := measure("apply", func() (err error) {
				c, err = s.Apply(ctx, owner, appAt(fmt.Sprintf("bench line %d", i), benchAP), "CBENCH")
				return err
			})
			if err == nil {
				err = measure("approve", func() error {
					_, err := s.Act(ctx, staff, c.ID, models.ActInput{Action: models.ActionApprove})
					return err
				})
			}
			if err == nil {
				err = measure("pay", func() error {
					_, err := s.Pay(ctx, owner, c.ID)
					return err
				})
			}
			for _, u := range useCases {
				if err != nil {
					break
				}
				err = measure(u.name, func() error { return u.run(ctx, s, owner, c.ID) })
			}
			if err != nil {
				b.Fatalf("connection %d: %v", i, err)
			}
		}
		b.StopTimer()
		for _, name := range names {
			b.ReportMetric(float64(stmts[name])/float64(b.N), name+"-stmts")
			b.ReportMetric(float64(took[name].Microseconds())/float64(b.N), name+"-µs")
		}
	})
}
