package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// TestAuditTrailAppendOnly: the database itself refuses to change or remove
// an audit event (migration 00003's triggers), whoever asks; appending
// still works, and the trail reads the same afterwards.
func TestAuditTrailAppendOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		c := f.approved(t, f.acme, f.application(t, "append only"))
		before := sqlRows(t, f.s, "SELECT * FROM audit_events ORDER BY id")
		if len(before) < 2 {
			t.Fatalf("audit events after apply and approve: %d", len(before))
		}
		db := rawDB(t, f.s)
		for _, stmt := range []string{
			"UPDATE audit_events SET actor = 'UFORGER' WHERE connection_id = ?",
			"UPDATE audit_events SET detail = 'rewritten'",
			"DELETE FROM audit_events WHERE connection_id = ?",
			"DELETE FROM audit_events",
		} {
			var args []any
			if strings.Contains(stmt, "?") {
				args = append(args, c.ID)
			}
			_, err := db.ExecContext(ctx, dialectSQL(f.s, stmt), args...)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want the append-only refusal", stmt, err)
			}
		}
		if backend == "postgres" {
			if _, err := db.ExecContext(ctx, "TRUNCATE audit_events"); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("TRUNCATE audit_events: got %v, want the append-only refusal", err)
			}
		}
		wantEqual(t, "audit trail after refused changes", sqlRows(t, f.s, "SELECT * FROM audit_events ORDER BY id"), before)

		// Appending goes on: the next transition writes its event.
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionCancel, Reason: "changed our mind"}); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		wantEqual(t, "audit events after cancel", sqlCount(t, f.s, "SELECT COUNT(*) FROM audit_events"), len(before)+1)
	})
}
