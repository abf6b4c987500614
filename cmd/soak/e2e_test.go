package main

import (
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// The end-to-end figures: a press ends at the first update of its card that
// no longer offers the pressed button, a command at its first reply, a form
// at its views.open; a probe whose end never came is counted as such.
func TestProbesResolve(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	card := func(ms int, buttons string) slackfake.Call {
		return slackfake.Call{Method: "chat.update", Time: at(ms), Params: map[string]any{
			"channel": "C1", "ts": "1.000001",
			"blocks": `[{"type":"actions","block_id":"ll_review_7","elements":[{"type":"button","action_id":"` + buttons + `","value":"7"}]}]`,
		}}
	}
	calls := []slackfake.Call{
		card(5, "ll_approve"),  // before the press: not its effect
		card(40, "ll_approve"), // after, still offering Approve: a settle, not its effect
		card(120, "ll_show"),
		{Method: "response_url", Path: "/response/list-1", Time: at(30)},
		{Method: "response_url", Path: "/response/list-1", Time: at(90)},
		{Method: "views.open", Time: at(75), Params: map[string]any{"trigger_id": "trig-1"}},
	}
	var p probes
	p.add(probe{kind: e2eApprove, start: at(10), channel: "C1", ts: "1.000001", gone: "ll_approve"})
	p.add(probe{kind: e2eList, start: at(20), response: "list-1"})
	p.add(probe{kind: e2eList, start: at(20), response: "list-2"})
	p.add(probe{kind: e2eApply, start: at(25), trigger: "trig-1"})
	got := p.resolve(calls, t0)

	if st := got[e2eApprove]; len(st.lat) != 1 || st.lat[0] != 110*time.Millisecond || st.missing != 0 {
		t.Errorf("Approve → card updated: %v, %d missing; want [110ms], 0", st.lat, st.missing)
	}
	if st := got[e2eList]; len(st.lat) != 1 || st.lat[0] != 10*time.Millisecond || st.missing != 1 {
		t.Errorf("list → reply: %v, %d missing; want [10ms], 1", st.lat, st.missing)
	}
	if st := got[e2eApply]; len(st.lat) != 1 || st.lat[0] != 50*time.Millisecond {
		t.Errorf("apply → form opened: %v; want [50ms]", st.lat)
	}
}

// Timestamps read back from SQLite come as the driver wrote them.
func TestScanTime(t *testing.T) {
	want := time.Date(2026, 11, 28, 11, 31, 26, 775783562, time.UTC)
	for _, v := range []any{want, "2026-11-28 11:31:26.775783562 +0000 UTC", []byte("2026-11-28 11:31:26.775783562+00:00")} {
		var st scanTime
		if err := st.Scan(v); err != nil {
			t.Fatalf("Scan(%v): %v", v, err)
		}
		if !st.t.Equal(want) {
			t.Errorf("Scan(%v) = %v, want %v", v, st.t, want)
		}
	}
}
