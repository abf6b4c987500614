package store_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// benchAP is the generated access point of the benchmarks.
const benchAP = "ap-bench"

// benchPortsPerDevice is how many ports each generated device has.
const benchPortsPerDevice = 48

// benchSetup opens a fresh store of backend with the sample catalog, an
// access point with a free port for each of n connections (10,000 at
// least), and customer accounts that together may hold n open connections
// under the default limit of five each, with the money to pay for them.
func benchSetup(b *testing.B, backend string, n int) (*store.Store, []models.Actor) {
	b.Helper()
	ctx := context.Background()
	s := openStore(b, backend, store.Config{StaffChannel: staffChannel})
	if _, err := s.ImportCatalog(ctx, sampleCatalog(b)); err != nil {
		b.Fatal(err)
	}
	ports := max(n, 10_000)
	devices := (ports + benchPortsPerDevice - 1) / benchPortsPerDevice
	if _, err := s.ImportCatalog(ctx, generatedCatalog(apSpec{ID: benchAP, Devices: devices, Ports: benchPortsPerDevice})); err != nil {
		b.Fatal(err)
	}
	if backend == "postgres" {
		// Statistics as autovacuum would gather them within a minute of the
		// import: without them the planner takes the ports table for empty.
		sqlExec(b, s, "ANALYZE")
	}
	staff := models.Actor{UserID: "USTAFF", Role: models.RoleStaff}
	accounts := make([]models.Actor, (n+models.DefaultMaxOpen-1)/models.DefaultMaxOpen)
	for i := range accounts {
		a, err := s.CreateAccount(ctx, staff, fmt.Sprintf("Bench %05d", i), "", "CNY")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Credit(ctx, staff, a.ID, models.DefaultMaxOpen*testPrice, "opening balance"); err != nil {
			b.Fatal(err)
		}
		accounts[i] = models.Actor{UserID: fmt.Sprintf("UBENCH%05d", i), Role: models.RoleCustomer, AccountID: a.ID}
	}
	return s, accounts
}

// applyApprovePay takes connection i from the apply form to Connecting,
// as the customer of account i % len(accounts): connections taken one
// after the other belong to different customers, as in a parallel run
// the clients are different customers (one customer's five applications
// at once would queue on their account's lock, which is that lock's job).
func applyApprovePay(s *store.Store, accounts []models.Actor, i int) error {
	ctx := context.Background()
	actor := accounts[i%len(accounts)]
	c, err := s.Apply(ctx, actor, appAt(fmt.Sprintf("bench line %d", i), benchAP), "CBENCH")
	if err != nil {
		return fmt.Errorf("apply %d: %w", i, err)
	}
	if _, err := s.Act(ctx, models.Actor{UserID: "USTAFF", Role: models.RoleStaff}, c.ID, models.ActInput{Action: models.ActionApprove}); err != nil {
		return fmt.Errorf("approve %d: %w", i, err)
	}
	if _, err := s.Pay(ctx, actor, c.ID); err != nil {
		return fmt.Errorf("pay %d: %w", i, err)
	}
	return nil
}

// benchBackends runs bench on SQLite and, when TEST_DATABASE_URL is set,
// on PostgreSQL (a fresh database for each run).
func benchBackends(b *testing.B, bench func(b *testing.B, backend string)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			if backend == "postgres" && os.Getenv("TEST_DATABASE_URL") == "" {
				b.Skip("TEST_DATABASE_URL is not set")
			}
			bench(b, backend)
		})
	}
}

// checkBench checks that the n connections of a benchmark hold n distinct
// ports.
func checkBench(b *testing.B, s *store.Store, n int) {
	b.Helper()
	if got := sqlCount(b, s, "SELECT COUNT(*) FROM ports WHERE access_point_id = ? AND state = 'allocated'", benchAP); got != n {
		b.Fatalf("%d ports allocated for %d connections", got, n)
	}
	if got := sqlCount(b, s, "SELECT COUNT(DISTINCT port_id) FROM connections WHERE status = 'Connecting'"); got != n {
		b.Fatalf("%d distinct ports for %d connections", got, n)
	}
}

// BenchmarkApplyApprovePay: one connection per iteration applied for,
// approved and paid (port allocated), one after the other: three
// transactions. Reports connections/s.
//
//	go test -run '^$' -bench ApplyApprovePay -benchtime 10000x ./models/store/
func BenchmarkApplyApprovePay(b *testing.B) {
	benchBackends(b, func(b *testing.B, backend string) {
		s, accounts := benchSetup(b, backend, b.N)
		b.ResetTimer()
		for i := range b.N {
			if err := applyApprovePay(s, accounts, i); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "connections/s")
		checkBench(b, s, b.N)
	})
}

// parallelClients is how many customers BenchmarkApplyApprovePayParallel
// runs at once: as many as pgbench's clients in the floor it is set beside
// (make bench runs pgbench -c 8).
const parallelClients = 8

// BenchmarkApplyApprovePayParallel is BenchmarkApplyApprovePay with
// parallelClients customers at once (at least GOMAXPROCS; b.RunParallel),
// as several bot replicas would drive the store.
func BenchmarkApplyApprovePayParallel(b *testing.B) {
	benchBackends(b, func(b *testing.B, backend string) {
		s, accounts := benchSetup(b, backend, b.N)
		var next atomic.Int64
		procs := runtime.GOMAXPROCS(0)
		b.SetParallelism((parallelClients + procs - 1) / procs)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := applyApprovePay(s, accounts, int(next.Add(1)-1)); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "connections/s")
		checkBench(b, s, b.N)
	})
}
