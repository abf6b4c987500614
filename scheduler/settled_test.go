package scheduler

import (
	"context"
	"fmt"
	"testing"
)

// waitSettled waits until River holds exactly want ticks and each has
// reached a final state (completed, cancelled or discarded), and fails the
// test if any did not complete. That state ends the run: a final job is
// never worked again, and a completed one makes a later insert of the same
// tick a duplicate, so no run can follow; the caller then counts the runs
// rather than sleeping in the hope that a duplicate shows up in time.
func waitSettled(t *testing.T, f *fixture, want int) {
	t.Helper()
	db, err := f.s.DB()
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	waitFor(t, fmt.Sprintf("%d ticks to finish", want), func() bool {
		rows, err := db.QueryContext(context.Background(), `SELECT state, COUNT(*) FROM river_job WHERE kind = 'leaseline_tick' GROUP BY state`)
		if err != nil {
			t.Fatalf("river jobs: %v", err)
		}
		defer rows.Close()
		clear(states)
		total, open := 0, 0
		for rows.Next() {
			var state string
			var n int
			if err := rows.Scan(&state, &n); err != nil {
				t.Fatalf("river jobs: %v", err)
			}
			states[state] = n
			total += n
			if state != "completed" && state != "cancelled" && state != "discarded" {
				open += n
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("river jobs: %v", err)
		}
		return total >= want && open == 0
	})
	if states["completed"] != want || len(states) != 1 {
		t.Fatalf("ticks by state: %v; want %d completed and nothing else", states, want)
	}
}
