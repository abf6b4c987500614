package store_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/leaseline/leaseline/models/store"
)

// TestConcurrentMigrate: replicas starting together on one empty database
// all succeed (PostgreSQL: an advisory lock makes them take turns).
func TestConcurrentMigrate(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			url := filepath.Join(t.TempDir(), "m.db")
			if backend == "postgres" {
				url = freshPostgres(t)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Go(func() {
					s, err := store.Open(ctx, store.Config{DatabaseURL: url, Logger: slog.New(slog.DiscardHandler)})
					if err != nil {
						errs <- err
						return
					}
					defer s.Close()
					errs <- s.Migrate(ctx)
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent migrate: %v", err)
				}
			}
		})
	}
}
