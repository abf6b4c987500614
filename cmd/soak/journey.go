package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// world is what every simulated user shares.
type world struct {
	lb       *balancer
	fake     *slackfake.Server
	obs      *observer
	progress *atomic.Int64 // steps confirmed, all users
	probes   *probes       // end-to-end timings to resolve after the load
	lists    listStats
	verbose  bool
	logf     func(format string, args ...any)
}

// journey is one user's one application, Applying to Enabled, as the user
// saw it.
type journey struct {
	user, round int
	name        string
	conn        int64
	// confirmed counts, per audit action, the times the user was told it
	// happened: a form's ack (apply, pay, survey, ticket, complete) or the
	// pressed card replaced in place (approve, notify provider, confirm).
	confirmed map[string]int
	// dropped counts presses acknowledged with HTTP 200 whose effect never
	// showed (no card update, no reply): the user pressed again.
	dropped int
	// refused counts replies saying the step was done already or the
	// connection had moved on (after a retry whose first try had worked).
	refused int
	retries int
	done    bool
	err     string
}

// step is one action of the journey after the application.
type step struct {
	action  string // audit action
	button  string // action ID of the button
	party   string // "staff", "customer", "provider"
	form    string // callback ID of the form the button opens ("" for a plain press)
	okView  string // for forms answered with an update: the callback ID of success
	payload func(j *journey) map[string]slack.BlockAction
}

const engineerID = "110101199003071234" // a valid ID card number (never shown unmasked)

func steps() []step {
	return []step{
		{action: "approve", button: "ll_approve", party: "staff"},
		{action: "pay", button: "ll_pay", party: "customer", form: "ll_v_pay", okView: "ll_v_paid"},
		{action: "notify provider", button: "ll_notify", party: "customer"},
		{action: "submit survey", button: "ll_survey", party: "provider", form: "ll_v_survey", payload: func(*journey) map[string]slack.BlockAction {
			return map[string]slack.BlockAction{
				"company": text("Soak Line Works"), "line_type": choose("fibre"),
				"arrival":    {Type: "datetimepicker", SelectedDateTime: time.Now().Add(72 * time.Hour).Unix()},
				"eng_1_name": text("Li Wei"), "eng_1_phone": text("+86 138 0000 0000"), "eng_1_idtype": choose("ID card"), "eng_1_idnum": text(engineerID),
			}
		}},
		{action: "submit ticket", button: "ll_ticket", party: "customer", form: "ll_v_ticket", payload: func(j *journey) map[string]slack.BlockAction {
			return map[string]slack.BlockAction{"note": text("Cage 12, rack 4, " + j.name)}
		}},
		{action: "complete construction", button: "ll_complete", party: "provider", form: "ll_v_complete", payload: func(j *journey) map[string]slack.BlockAction {
			return map[string]slack.BlockAction{"line_code": text(fmt.Sprintf("HZ-%d", j.conn)), "line_label": text("SOAK " + j.name)}
		}},
		{action: "confirm", button: "ll_confirm", party: "customer"},
	}
}

func text(s string) slack.BlockAction { return slack.BlockAction{Type: "plain_text_input", Value: s} }
func choose(s string) slack.BlockAction {
	return slack.BlockAction{Type: "static_select", SelectedOption: slack.OptionBlockObject{Value: s}}
}

// simUser is one simulated customer user; it also plays the staff reviewer
// and the provider of its own applications.
type simUser struct {
	w        *world
	i        int
	account  int
	provider int
	ap       int
	seq      int
}

func (u *simUser) id() string      { return customerUser(u.i) }
func (u *simUser) channel() string { return accountChannel(u.account) }

func (u *simUser) nextID(prefix string) string {
	u.seq++
	return fmt.Sprintf("%s-%d-%d-%s", prefix, u.i, u.seq, strings.ToLower(rand.Text()[:6]))
}

// who is the Slack user and channel of a party of the journey.
func (u *simUser) who(party string) (string, string) {
	switch party {
	case "staff":
		return staffUser, staffChannel
	case "provider":
		return providerUser(u.provider), providerChannel(u.provider)
	}
	return u.id(), u.channel()
}

const (
	stepWait   = 20 * time.Second // how long a user waits for a form or a card update
	buttonWait = 4 * time.Minute  // how long a user waits for the next card
)

// run runs the journey j to the end, or until ctx ends.
func (u *simUser) run(ctx context.Context, j *journey) {
	if err := u.apply(ctx, j); err != nil {
		j.err = "apply: " + err.Error()
		return
	}
	u.w.progress.Add(1)
	u.list(ctx, j)
	all := steps()
	stale := map[string]bool{} // cards whose button was refused: do not press again
	cur := 0
	for cur < len(all) {
		if ctx.Err() != nil {
			j.err = fmt.Sprintf("stopped before %s: %v", all[cur].action, ctx.Err())
			return
		}
		// The furthest step whose button is showing: a person acts on the
		// latest card.
		idx, btn := -1, button{}
		found := u.w.obs.await(ctx, buttonWait, func(o *observer) bool {
			for i := len(all) - 1; i >= cur; i-- {
				_, ch := u.who(all[i].party)
				b, ok := o.buttons[btnKey{ch, all[i].button, strconv.FormatInt(j.conn, 10)}]
				if ok && !stale[b.ts+b.action] {
					idx, btn = i, b
					return true
				}
			}
			return false
		})
		if !found && ctx.Err() != nil {
			j.err = fmt.Sprintf("stopped waiting for %s of connection %d: %v", all[cur].button, j.conn, ctx.Err())
			return
		}
		if !found {
			j.err = fmt.Sprintf("no %s button for connection %d within %s; its buttons now: %s", all[cur].button, j.conn, buttonWait, u.w.obs.buttonsOf(j.conn))
			return
		}
		s := all[idx]
		outcome := u.act(ctx, j, s, btn)
		switch outcome {
		case outcomeDone:
			j.confirmed[s.action]++
			u.w.progress.Add(1)
			cur = idx + 1
			if s.action == "submit ticket" { // waiting for the visit: a look at the list
				u.list(ctx, j)
			}
		case outcomeMovedOn:
			j.refused++
			stale[btn.ts+btn.action] = true
			cur = idx + 1
		default:
			j.retries++
			sleep(ctx, time.Second)
		}
	}
	j.done = true
}

type outcome int

const (
	outcomeRetry   outcome = iota
	outcomeDone            // the user saw it happen
	outcomeMovedOn         // refused: done already, or the connection moved on
)

var refusedRe = regexp.MustCompile(`Already |Cannot |already `)

// act presses the button b of step s and, for a form, fills and submits it.
func (u *simUser) act(ctx context.Context, j *journey, s step, b button) outcome {
	who, ch := u.who(s.party)
	trigger, resp := u.nextID("trig"), u.nextID("press")
	pressed := time.Now()
	a, err := u.w.lb.interact(ctx, map[string]any{
		"type": "block_actions", "trigger_id": trigger,
		"user":         map[string]any{"id": who, "team_id": slackfake.TeamID},
		"team":         map[string]any{"id": slackfake.TeamID},
		"channel":      map[string]any{"id": ch},
		"container":    map[string]any{"type": "message", "channel_id": ch, "message_ts": b.ts},
		"message":      map[string]any{"ts": b.ts},
		"response_url": u.w.fake.ResponseURL(resp),
		"actions":      []map[string]any{{"action_id": b.action, "value": b.value, "type": "button", "block_id": b.blockID}},
	})
	if err != nil || a.status != 200 {
		u.w.debug("user %d: press %s on %d: %v (HTTP %d)", u.i, s.button, j.conn, err, a.status)
		return outcomeRetry
	}
	var reply string
	var opened view
	ok := u.w.obs.await(ctx, stepWait, func(o *observer) bool {
		if rs := o.responses[resp]; len(rs) > 0 {
			reply = rs[0]
			return true
		}
		if s.form != "" {
			v, ok := o.opened[trigger]
			opened = v
			return ok
		}
		return !o.hasButton(b.channel, b.ts, b.action)
	})
	switch {
	case reply != "":
		if refusedRe.MatchString(reply) {
			return outcomeMovedOn
		}
		u.w.debug("user %d: %s on %d answered: %.200s", u.i, s.button, j.conn, reply)
		return outcomeRetry
	case !ok:
		j.dropped++
		return outcomeRetry
	case s.form == "":
		u.w.probes.add(probe{kind: pressKind(s.button), start: pressed, channel: b.channel, ts: b.ts, gone: b.action})
		return outcomeDone
	}
	u.w.probes.add(probe{kind: e2eFormOpen, start: pressed, trigger: trigger})
	var values map[string]slack.BlockAction
	if s.payload != nil {
		values = s.payload(j)
	}
	submitted := time.Now()
	a, err = u.submit(ctx, who, s.form, opened.PrivateMetadata, values)
	if err != nil || a.status != 200 {
		u.w.debug("user %d: submit %s on %d: %v (HTTP %d)", u.i, s.form, j.conn, err, a.status)
		return outcomeRetry
	}
	action, _ := a.body["response_action"].(string)
	switch {
	case s.okView == "" && (action == "clear" || a.raw == ""),
		s.okView != "" && action == "update" && viewCallback(a.body) == s.okView:
		u.w.probes.add(probe{kind: pressKind(s.button), start: submitted, channel: b.channel, ts: b.ts, gone: b.action})
		return outcomeDone
	case refusedRe.MatchString(a.raw):
		return outcomeMovedOn
	}
	u.w.debug("user %d: submit %s on %d: ack %.300s", u.i, s.form, j.conn, a.raw)
	return outcomeRetry
}

func viewCallback(body map[string]any) string {
	v, _ := body["view"].(map[string]any)
	cb, _ := v["callback_id"].(string)
	return cb
}

// submit sends a view_submission of the form callbackID.
func (u *simUser) submit(ctx context.Context, who, callbackID, meta string, values map[string]slack.BlockAction) (ack, error) {
	state := map[string]map[string]slack.BlockAction{}
	for id, v := range values {
		state[id] = map[string]slack.BlockAction{"v": v}
	}
	return u.submitState(ctx, who, callbackID, meta, state)
}

func (u *simUser) submitState(ctx context.Context, who, callbackID, meta string, state map[string]map[string]slack.BlockAction) (ack, error) {
	return u.w.lb.interact(ctx, map[string]any{
		"type": "view_submission", "trigger_id": u.nextID("trig"),
		"user": map[string]any{"id": who, "team_id": slackfake.TeamID},
		"team": map[string]any{"id": slackfake.TeamID},
		"view": map[string]any{
			"id": "V" + strings.ToUpper(rand.Text()[:10]), "type": "modal", "callback_id": callbackID, "private_metadata": meta,
			"state": map[string]any{"values": state},
		},
	})
}

var appRefRe = regexp.MustCompile(`Application \*#(\d+)\*`)

// apply opens the apply form with /leaseline apply, chooses the access
// point (the form narrows itself), fills it in and submits it; the
// connection's number comes from the bot's reply, or from the review card
// staff see.
func (u *simUser) apply(ctx context.Context, j *journey) error {
	ap := apID(u.ap)
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if attempt > 0 {
			j.retries++
			sleep(ctx, 2*time.Second)
		}
		trigger, resp := u.nextID("trig"), u.nextID("cmd")
		sent := time.Now()
		a, err := u.w.lb.command(ctx, u.w.fake, u.id(), u.channel(), "apply", trigger, resp)
		if err != nil || a.status != 200 {
			continue
		}
		var form view
		var reply string
		if !u.w.obs.await(ctx, stepWait, func(o *observer) bool {
			if rs := o.responses[resp]; len(rs) > 0 {
				reply = rs[0]
				return true
			}
			v, ok := o.opened[trigger]
			form = v
			return ok
		}) || reply != "" {
			u.w.debug("user %d: apply form did not open: %.200s", u.i, reply)
			continue
		}
		u.w.probes.add(probe{kind: e2eApply, start: sent, trigger: trigger})
		viewID := "V" + strings.ToUpper(rand.Text()[:10])
		chosen := time.Now()
		a, err = u.w.lb.interact(ctx, map[string]any{
			"type": "block_actions", "trigger_id": u.nextID("trig"),
			"user":      map[string]any{"id": u.id(), "team_id": slackfake.TeamID},
			"team":      map[string]any{"id": slackfake.TeamID},
			"container": map[string]any{"type": "view", "view_id": viewID},
			"view": map[string]any{"id": viewID, "hash": "h-" + viewID, "type": "modal", "callback_id": form.CallbackID,
				"private_metadata": form.PrivateMetadata, "state": map[string]any{"values": map[string]any{}}},
			"actions": []map[string]any{{"action_id": "ll_apply_ap", "block_id": "apply_ap", "type": "static_select",
				"selected_option": map[string]any{"value": ap}}},
		})
		if err != nil || a.status != 200 {
			continue
		}
		var narrowed view
		if !u.w.obs.await(ctx, stepWait, func(o *observer) bool {
			v, ok := o.updated[viewID]
			narrowed = v
			return ok
		}) {
			u.w.debug("user %d: apply form not narrowed", u.i)
			continue
		}
		u.w.probes.add(probe{kind: e2eNarrow, start: chosen, viewID: viewID})
		sel := func(action, v string) map[string]slack.BlockAction {
			return map[string]slack.BlockAction{action: choose(v)}
		}
		txt := func(v string) map[string]slack.BlockAction { return map[string]slack.BlockAction{"v": text(v)} }
		state := map[string]map[string]slack.BlockAction{
			"apply_name": txt(j.name), "apply_ap": sel("ll_apply_ap", ap),
			"apply_provider." + ap: sel("v", providerID(u.provider)), "apply_port." + ap: sel("v", portType),
			"apply_bw": txt("200"), "apply_loc": txt("Room 301, 88 Wensan Road, Hangzhou"),
		}
		a, err = u.submitState(ctx, u.id(), "ll_v_apply", narrowed.PrivateMetadata, state)
		switch {
		case err != nil:
			// The answer was lost: look for the application before
			// applying again, as a person would.
			if u.findApplication(ctx, j, resp, 30*time.Second) {
				return nil
			}
			continue
		case a.status != 200:
			continue
		case a.raw != "" && a.body["response_action"] != "clear":
			u.w.debug("user %d: apply refused: %.300s", u.i, a.raw)
			continue
		}
		j.confirmed["apply"]++
		if u.findApplication(ctx, j, resp, buttonWait) {
			return nil
		}
		return fmt.Errorf("applied, but neither the reply nor the review card named the application %q", j.name)
	}
}

// listStats counts the users' /leaseline list commands.
type listStats struct {
	sent     atomic.Int64 // acknowledged with HTTP 200
	replied  atomic.Int64 // a reply came within stepWait
	naming   atomic.Int64 // the reply named the user's connection
	failures atomic.Int64 // no answer, not 200, or no reply
}

// list has the user look at its connections with /leaseline list after a
// moment's thought, and wait for the reply (it changes nothing: a missing
// reply is counted, not retried).
func (u *simUser) list(ctx context.Context, j *journey) {
	sleep(ctx, thinkTime())
	trigger, resp := u.nextID("trig"), u.nextID("list")
	sent := time.Now()
	a, err := u.w.lb.command(ctx, u.w.fake, u.id(), u.channel(), "list", trigger, resp)
	if err != nil || a.status != 200 {
		u.w.lists.failures.Add(1)
		return
	}
	u.w.lists.sent.Add(1)
	u.w.probes.add(probe{kind: e2eList, start: sent, response: resp})
	var reply string
	if !u.w.obs.await(ctx, stepWait, func(o *observer) bool {
		if rs := o.responses[resp]; len(rs) > 0 {
			reply = rs[0]
			return true
		}
		return false
	}) {
		u.w.lists.failures.Add(1)
		return
	}
	u.w.lists.replied.Add(1)
	if strings.Contains(reply, j.name) {
		u.w.lists.naming.Add(1)
	}
}

// thinkTime is a person's pause before a look at the list: 0.5 s to 2.5 s.
func thinkTime() time.Duration {
	var b [1]byte
	_, _ = rand.Read(b[:])
	return 500*time.Millisecond + time.Duration(b[0])*2*time.Second/255
}

// findApplication learns the connection's number from the bot's reply to
// the apply command, or from the staff review card that shows its name.
func (u *simUser) findApplication(ctx context.Context, j *journey, resp string, wait time.Duration) bool {
	var conn int64
	ok := u.w.obs.await(ctx, wait, func(o *observer) bool {
		for _, r := range o.responses[resp] {
			if m := appRefRe.FindStringSubmatch(r); m != nil {
				conn = atoi64(m[1])
				return true
			}
		}
		for txt, id := range o.reviews {
			if strings.Contains(txt, j.name) {
				conn = id
				return true
			}
		}
		return false
	})
	j.conn = conn
	return ok && conn > 0
}

func (w *world) debug(format string, args ...any) {
	if w.verbose {
		w.logf(format, args...)
	}
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// runUsers runs users × rounds journeys and returns them.
func runUsers(ctx context.Context, w *world, users, accounts, rounds int) []*journey {
	var mu sync.Mutex
	var all []*journey
	var wg sync.WaitGroup
	for i := range users {
		u := &simUser{w: w, i: i, account: i % accounts, provider: i % numProviders, ap: (i / numProviders) % numAPs}
		wg.Go(func() {
			sleep(ctx, time.Duration(i)*25*time.Millisecond) // people do not all start in the same millisecond
			for r := range rounds {
				j := &journey{user: i, round: r + 1, name: fmt.Sprintf("soak u%03d r%d %s", i+1, r+1, strings.ToLower(rand.Text()[:6])), confirmed: map[string]int{}}
				mu.Lock()
				all = append(all, j)
				mu.Unlock()
				u.run(ctx, j)
				if !j.done {
					w.logf("user %d round %d: %s", i+1, r+1, j.err)
					return
				}
			}
		})
	}
	wg.Wait()
	return all
}
