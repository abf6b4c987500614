package store_test

import (
	"context"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// The panel's count: an account's connections waiting on somebody, however
// old and however many settled ones came after; never another account's.
func TestInProgress(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000})
		f.addAPs(t, apSpec{ID: "ap-test-progress", Devices: 2, Ports: 40})
		connecting := f.walkTo(t, f.acme, appAt("oldest, connecting", "ap-test-progress"), stageNamed(t, "Connecting/provider notified"))
		f.walkTo(t, f.acme, appAt("enabled", "ap-test-progress"), stageNamed(t, "Enabled"))
		f.walkTo(t, f.acme, appAt("rejected", "ap-test-progress"), stageNamed(t, "Rejected"))
		applying := f.walkTo(t, f.acme, appAt("newest, applying", "ap-test-progress"), stageNamed(t, "Applying"))
		f.walkTo(t, f.other, appAt("another account's", "ap-test-progress"), stageNamed(t, "Applying"))

		got, err := f.s.InProgress(ctx, f.acme.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range got {
			ids = append(ids, c.ID)
			if c.Status.Settled() {
				t.Errorf("connection %d is %s: settled, not in progress", c.ID, c.Status)
			}
		}
		wantEqual(t, "connections in progress", ids, []int64{connecting.ID, applying.ID})
		if got[0].Status != models.StatusConnecting || got[0].Step != connecting.Step {
			t.Errorf("first = %s/%s, want %s/%s", got[0].Status, got[0].Step, models.StatusConnecting, connecting.Step)
		}
	})
}
