package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// End-to-end latency: from the moment a user sends a request (a button
// press, a slash command, a form) to the moment the fake Slack receives
// what the user sees change (the pressed card's chat.update, the reply on
// the response_url, the form opened). Both instants are read on the soak
// process's clock: the start before the request is sent, the end from the
// fake's record of the call (Call.Time, taken when the request arrives).
// The users only note what they did (a probe); the durations are worked out
// after the load from the fake's call log, so the observer's polling period
// does not enter the figures.

// Kinds of probes, in the order the summary prints them.
const (
	e2eList        = "/leaseline list → reply (response_url)"
	e2eApply       = "/leaseline apply → form opened (views.open)"
	e2eNarrow      = "access point chosen → form narrowed (views.update)"
	e2eApprove     = "Approve → review card updated (chat.update)"
	e2eNotify      = "Notify Provider → card updated"
	e2eConfirm     = "Confirm → card updated"
	e2eFormOpen    = "form buttons → form opened (views.open)"
	e2eSubmitPay   = "pay form submitted → card updated"
	e2eSubmitSurv  = "survey form submitted → card updated"
	e2eSubmitTick  = "ticket form submitted → card updated"
	e2eSubmitCompl = "completion form submitted → card updated"
)

func e2eKinds() []string {
	return []string{e2eList, e2eApply, e2eNarrow, e2eApprove, e2eNotify, e2eConfirm, e2eFormOpen, e2eSubmitPay, e2eSubmitSurv, e2eSubmitTick, e2eSubmitCompl}
}

// pressKind is the probe kind of a plain press of button, and of a form
// submitted from a card's button.
func pressKind(button string) string {
	return map[string]string{
		"ll_approve": e2eApprove, "ll_notify": e2eNotify, "ll_confirm": e2eConfirm,
		"ll_pay": e2eSubmitPay, "ll_survey": e2eSubmitSurv, "ll_ticket": e2eSubmitTick, "ll_complete": e2eSubmitCompl,
	}[button]
}

// probe is one request whose visible effect is to be timed.
type probe struct {
	kind  string
	start time.Time
	// What ends it: the first call at or after start of
	//   response: response_url to this name;
	//   trigger: views.open with this trigger_id;
	//   viewID: views.update of this view;
	//   channel+ts: chat.update of this message whose blocks no longer
	//   offer the button gone (the card showing the step done).
	response, trigger, viewID string
	channel, ts, gone         string
}

// probes collects the users' probes.
type probes struct {
	mu  sync.Mutex
	all []probe
}

func (p *probes) add(pr probe) {
	p.mu.Lock()
	p.all = append(p.all, pr)
	p.mu.Unlock()
}

// e2eStats is one kind's figures: sorted durations, and the probes whose
// end never came.
type e2eStats struct {
	lat     []time.Duration
	missing int
	settled []time.Duration // of the requests sent after the start (see resolve)
}

// startPhase is the first part of the load, when the users arrive (one
// every 25 ms) and apply together; figures are also given without it.
const startPhase = 15 * time.Second

// resolve matches every probe with the fake's call log; the load began at
// loadStart.
func (p *probes) resolve(calls []slackfake.Call, loadStart time.Time) map[string]*e2eStats {
	responses := map[string][]time.Time{}
	opened := map[string][]time.Time{}
	viewUpdates := map[string][]time.Time{}
	type update struct {
		at      time.Time
		buttons []string
	}
	updates := map[string][]update{}
	for _, c := range calls {
		switch c.Method {
		case "response_url":
			name := strings.TrimPrefix(c.Path, "/response/")
			responses[name] = append(responses[name], c.Time)
		case "views.open":
			opened[c.Param("trigger_id")] = append(opened[c.Param("trigger_id")], c.Time)
		case "views.update":
			viewUpdates[c.Param("view_id")] = append(viewUpdates[c.Param("view_id")], c.Time)
		case "chat.update":
			var ids []string
			for _, b := range slackfake.Buttons([]byte(c.Param("blocks"))) {
				ids = append(ids, b.ActionID)
			}
			k := c.Param("channel") + "/" + c.Param("ts")
			updates[k] = append(updates[k], update{c.Time, ids})
		}
	}
	firstAfter := func(ts []time.Time, start time.Time) (time.Time, bool) {
		for _, t := range ts {
			if !t.Before(start) {
				return t, true
			}
		}
		return time.Time{}, false
	}
	out := map[string]*e2eStats{}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.all {
		st := out[pr.kind]
		if st == nil {
			st = &e2eStats{}
			out[pr.kind] = st
		}
		var end time.Time
		var ok bool
		switch {
		case pr.response != "":
			end, ok = firstAfter(responses[pr.response], pr.start)
		case pr.trigger != "":
			end, ok = firstAfter(opened[pr.trigger], pr.start)
		case pr.viewID != "":
			end, ok = firstAfter(viewUpdates[pr.viewID], pr.start)
		default:
			for _, u := range updates[pr.channel+"/"+pr.ts] {
				if !u.at.Before(pr.start) && !slices.Contains(u.buttons, pr.gone) {
					end, ok = u.at, true
					break
				}
			}
		}
		if !ok {
			st.missing++
			continue
		}
		st.lat = append(st.lat, end.Sub(pr.start))
		if pr.start.Sub(loadStart) >= startPhase {
			st.settled = append(st.settled, end.Sub(pr.start))
		}
	}
	for _, st := range out {
		slices.Sort(st.lat)
		slices.Sort(st.settled)
	}
	return out
}

// line is the summary line of one kind.
func (st *e2eStats) line(kind string) string {
	if st == nil {
		st = &e2eStats{}
	}
	s := fmt.Sprintf("  %-52s %5d; p50 %s, p99 %s, max %s", kind+":", len(st.lat),
		ms(percentile(st.lat, 50)), ms(percentile(st.lat, 99)), ms(percentile(st.lat, 100)))
	if st.missing > 0 {
		s += fmt.Sprintf("; %d never seen", st.missing)
	}
	return s
}

// meets says PASS when a figure meets its goal, else over.
func meets(ok bool) string {
	if ok {
		return "PASS"
	}
	return "over"
}
