package store_test

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/scheduler"
)

// BenchmarkScheduleVisits runs the schedule-visits job over 10,000 waiting
// construction tickets across 50 IDCs (capacities 4 to 13 a day, three
// reception people each), on PostgreSQL when TEST_DATABASE_URL is set, else
// on SQLite, booking 500 tickets per transaction. The setup inserts the
// tickets directly (not timed). Reported: time per ticket, tickets per
// second, and SQL statements per ticket (BEGIN/COMMIT not counted: add 2
// per batch of 500).
func BenchmarkScheduleVisits(b *testing.B) {
	for _, lanes := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("lanes=%d", lanes), func(b *testing.B) { benchScheduleVisits(b, 10_000, lanes) })
	}
}

// BenchmarkScheduleVisitsGrowth is BenchmarkScheduleVisits at 1,000, 10,000
// and 100,000 tickets (the 50 IDCs fill further ahead), with the lanes the
// scheduler uses (4 on PostgreSQL, 1 on SQLite): µs/ticket shows how the
// run grows.
func BenchmarkScheduleVisitsGrowth(b *testing.B) {
	lanes := 1
	if os.Getenv("TEST_DATABASE_URL") != "" {
		lanes = 4
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("tickets=%d", n), func(b *testing.B) { benchScheduleVisits(b, n, lanes) })
	}
}

// benchScheduleVisits books tickets tickets with lanes lanes of access
// points at once.
func benchScheduleVisits(b *testing.B, tickets, lanes int) {
	const idcs = 50
	backend := "sqlite"
	if os.Getenv("TEST_DATABASE_URL") != "" {
		backend = "postgres"
	}
	ctx := context.Background()
	submitted := time.Date(2026, 10, 13, 2, 0, 0, 0, time.UTC) // Tuesday 10:00 in Hangzhou
	var statements, total int64
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		s := openStore(b, backend, store.Config{StaffChannel: staffChannel, Now: func() time.Time { return submitted.Add(time.Hour) }, Logger: quietStoreLog()})
		seedBenchTickets(b, s, tickets, idcs, submitted)
		if os.Getenv("BENCH_EXPLAIN") != "" {
			explainBench(b, s)
		}
		counter := store.CountStatements(s)
		var times *store.StatementTimes
		if os.Getenv("BENCH_STATEMENT_TIMES") != "" {
			times = store.TimeStatements(s)
		}
		job := &scheduler.ScheduleVisits{Store: s, Batch: 500, Concurrency: lanes, Logger: quietStoreLog()}
		b.StartTimer()
		start := time.Now()
		if err := job.Run(ctx, submitted.Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		statements += counter.Load()
		if times != nil {
			keys := slices.SortedFunc(maps.Keys(times.Total), func(a, b string) int { return cmp.Compare(times.Total[b], times.Total[a]) })
			for _, k := range keys {
				b.Logf("%-32s %5d statements %8s", k, times.Count[k], times.Total[k].Round(time.Millisecond))
			}
			var sizes []struct {
				Kind  string
				N     int
				Bytes float64
			}
			_ = store.GormDBForBench(s).Raw("SELECT kind, COUNT(*) AS n, AVG(LENGTH(data)) AS bytes FROM notices GROUP BY kind").Scan(&sizes).Error
			for _, z := range sizes {
				var data string
				_ = store.GormDBForBench(s).Raw("SELECT data FROM notices WHERE kind = ? LIMIT 1", z.Kind).Scan(&data).Error
				b.Logf("notices %-20s %6d rows, %4.0f bytes of data, e.g. %s", z.Kind, z.N, z.Bytes, data)
			}
		}
		total += int64(tickets)
		left, err := s.TicketsToBook(ctx, submitted.Add(time.Hour), 0, 0)
		if err != nil || len(left) != 0 {
			b.Fatalf("%d tickets left (%v)", len(left), err)
		}
		_ = s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(statements)/float64(total), "statements/ticket")
	b.ReportMetric(float64(elapsed.Microseconds())/float64(total), "µs/ticket")
	b.ReportMetric(float64(total)/elapsed.Seconds(), "tickets/s")
	b.Logf("%s, %d lanes: %d tickets across %d IDCs in %s, %.3f statements a ticket", backend, lanes, total, idcs, elapsed.Round(time.Millisecond), float64(statements)/float64(total))
}

// seedBenchTickets imports the sample catalog plus idcs generated access
// points, and inserts n connections waiting for their visit, each with a
// survey of two engineers and a construction ticket submitted at at.
func seedBenchTickets(b *testing.B, s *store.Store, n, idcs int, at time.Time) {
	b.Helper()
	ctx := context.Background()
	cat, err := catalog.Parse(catalog.Sample(), "sample.yaml")
	if err != nil {
		b.Fatal(err)
	}
	// 100,000 tickets fill the IDCs about a year ahead: past the sample
	// calendar's known_until, which books nothing beyond it.
	for i := range cat.Regions {
		cat.Regions[i].KnownUntil = "2028-12-31"
	}
	gen := &models.Catalog{}
	for i := range idcs {
		id := fmt.Sprintf("ap-bench-%02d", i)
		gen.AccessPoints = append(gen.AccessPoints, models.AccessPoint{
			ID: id, RegionID: "cn-hangzhou", Name: "Bench-" + id, Location: "Bench district", IDCName: "Bench IDC " + id,
			IDCAddress: "1 Bench Road", Status: models.APRecommended, DailyVisitCapacity: 4 + i%10, VisitWindow: "09:30-12:00",
			Providers: []models.AccessPointProvider{{ProviderID: "ct-zj"}},
		})
		for r, days := range []string{"Mon,Tue,Wed", "Thu,Fri,Sat", ""} {
			gen.Reception = append(gen.Reception, models.ReceptionPerson{AccessPointID: id, Name: fmt.Sprintf("Reception %d of %s", r, id),
				Phone: "+86 138 0000 9999", SlackUserID: fmt.Sprintf("URCP%02d%d", i, r), Weekdays: days})
		}
	}
	for _, c := range []*models.Catalog{cat, gen} {
		if _, err := s.ImportCatalog(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	db := store.GormDBForBench(s).WithContext(ctx)
	acct := models.Account{Name: "Bench", Currency: "CNY", CreatedAt: at}
	if err := db.Create(&acct).Error; err != nil {
		b.Fatal(err)
	}
	const batch = 500
	for from := 0; from < n; from += batch {
		size := min(batch, n-from)
		conns := make([]models.Connection, size)
		for i := range conns {
			k := from + i
			pc := fmt.Sprintf("pc-bench%07d", k)
			conns[i] = models.Connection{AccountID: acct.ID, Name: fmt.Sprintf("bench %d", k), AccessPointID: fmt.Sprintf("ap-bench-%02d", k%idcs),
				ProviderID: "ct-zj", PortType: models.Port10GBaseLR, BandwidthMbps: 1000, Location: "cage", Status: models.StatusConnecting,
				Step: models.StepTicketSubmitted, PhysicalConnectionID: &pc, AppliedBy: "UBENCH", AppliedChannel: "CAPPLY",
				Version: 6, CreatedAt: at, UpdatedAt: at}
		}
		if err := db.CreateInBatches(&conns, batch).Error; err != nil {
			b.Fatal(err)
		}
		surveys := make([]models.Survey, size)
		tks := make([]models.Ticket, size)
		for i, c := range conns {
			surveys[i] = models.Survey{ConnectionID: c.ID, ConstructionCompany: "Bench Works", LineType: models.LineFibre,
				PlannedArrival: at.Add(72 * time.Hour), SubmittedBy: "UPROV", CreatedAt: at,
				Engineers: []models.Engineer{
					{Name: "Li Wei", Phone: "+86 138 0000 0000", IDType: models.IDCard, IDNumber: "11010119900307123X"},
					{Name: "Wang Bo", Phone: "+86 139 0000 0000", IDType: models.Passport, IDNumber: "E12345678"},
				}}
			id := c.ID
			tks[i] = models.Ticket{Kind: models.TicketConstruction, AccountID: acct.ID, ConnectionID: &id, AccessPointID: c.AccessPointID,
				State: models.TicketOpen, SubmittedBy: "UBENCH", ReplyChannel: "CAPPLY", StaffChannel: staffChannel, CreatedAt: at, UpdatedAt: at}
		}
		if err := db.CreateInBatches(&surveys, batch).Error; err != nil {
			b.Fatal(err)
		}
		if err := db.CreateInBatches(&tks, batch).Error; err != nil {
			b.Fatal(err)
		}
	}
	// The planner's statistics, as autovacuum keeps them in a running
	// database (SQLite: sqlite_stat1).
	if err := db.Exec("ANALYZE").Error; err != nil {
		b.Fatal(err)
	}
}

func quietStoreLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 4}))
}

// explainBench logs the plans of the booking's reads of a batch.
func explainBench(b *testing.B, s *store.Store) {
	ids := "1"
	for i := 2; i <= 500; i++ {
		ids += fmt.Sprintf(", %d", i*7)
	}
	prefix := "EXPLAIN QUERY PLAN "
	if s.Dialect() == "postgres" {
		prefix = "EXPLAIN "
	}
	for _, q := range []string{
		"SELECT tickets.* FROM tickets JOIN connections ON connections.id = tickets.connection_id WHERE tickets.kind IN ('construction', 'removal') AND tickets.state = 'open' AND tickets.created_at <= '2026-10-13 03:00:00+00:00' AND tickets.id > 3000 AND ((tickets.kind = 'construction' AND connections.status = 'Connecting' AND connections.step = 'construction ticket submitted') OR (tickets.kind = 'removal' AND connections.status = 'Terminating')) ORDER BY tickets.id LIMIT 500",
		"SELECT * FROM connections WHERE id IN (" + ids + ")",
		"SELECT * FROM surveys WHERE connection_id IN (" + ids + ")",
		"SELECT * FROM engineers WHERE survey_id IN (" + ids + ") ORDER BY id",
		"UPDATE connections SET version = version + 1 WHERE id IN (" + ids + ") AND status = 'Connecting' AND step = 'construction ticket submitted'", "UPDATE tickets SET state = 'booked' WHERE id IN (" + ids + ") AND state = 'open'",
	} {
		rows, err := store.GormDBForBench(s).Raw(prefix + q).Rows()
		if err != nil {
			b.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			_ = rows.Scan(ptrs...)
			b.Logf("%.40s…: %v", q, vals)
		}
		_ = rows.Close()
	}
}
