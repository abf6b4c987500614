package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// TestIDNumbersEncryptedAtRest: with a key configured, the raw ID number
// never reaches the database, yet every read through the store returns it.
func TestIDNumbersEncryptedAtRest(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		key := []byte("0123456789abcdef0123456789abcdef")
		f := newFixtureConfig(t, backend, store.Config{EncryptionKey: key})
		c := f.approved(t, f.acme, f.application(t, "encrypted"))
		if _, err := f.s.Pay(ctx, f.acme, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionNotifyProvider}); err != nil {
			t.Fatal(err)
		}
		const idNumber = "11010119900307123X"
		provider := models.Actor{UserID: "UPROV", Role: models.RoleProvider, ProviderID: c.ProviderID}
		if _, err := f.s.SubmitSurvey(ctx, provider, c.ID, models.Survey{
			ConstructionCompany: "Line Works", LineType: models.LineFibre, PlannedArrival: f.clock.Now().Add(48 * time.Hour),
			Engineers: []models.Engineer{{Name: "Li Wei", Phone: "+86 138 0000 0000", IDType: models.IDCard, IDNumber: idNumber}},
		}); err != nil {
			t.Fatal(err)
		}
		db, err := f.s.DB()
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.QueryRowContext(ctx, "SELECT id_number FROM engineers").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, "1990") || !strings.HasPrefix(stored, "v1:") {
			t.Fatalf("stored ID number %q is not encrypted", stored)
		}
		d, err := f.s.Detail(ctx, f.acme, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Survey.Engineers[0].IDNumber; got != idNumber {
			t.Fatalf("read back %q, want %q", got, idNumber)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM engineers WHERE id_number = $1", idNumber).Scan(&n); err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("plain ID number found in %d rows", n)
		}
	})
}
