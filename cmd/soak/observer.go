package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// observer is what the simulated users see of Slack: it reads the fake
// Slack a few times a second and indexes the messages' buttons, the forms
// the bot opened (by trigger), the forms it updated (by view ID) and what
// it told users through response URLs (by URL name).
type observer struct {
	fake *slackfake.Server

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced after each refresh
	cursor    int           // calls already indexed
	channels  map[string]bool
	opened    map[string]view     // trigger_id -> view of views.open
	updated   map[string]view     // view_id -> view of the last views.update
	responses map[string][]string // response URL name -> bodies posted to it
	buttons   map[btnKey]button   // every button on a message now
	reviews   map[string]int64    // staff review cards: text -> connection of their Approve button
	parsed    map[string]parsedMsg
}

type view struct {
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
}

type btnKey struct{ channel, action, value string }

type button struct {
	channel, ts, blockID, action, value string
}

type parsedMsg struct {
	raw     string
	buttons []button
	text    string
}

func newObserver(fake *slackfake.Server) *observer {
	return &observer{
		fake: fake, changed: make(chan struct{}), channels: map[string]bool{},
		opened: map[string]view{}, updated: map[string]view{}, responses: map[string][]string{},
		buttons: map[btnKey]button{}, reviews: map[string]int64{}, parsed: map[string]parsedMsg{},
	}
}

// watch refreshes every period until ctx ends.
func (o *observer) watch(ctx context.Context, period time.Duration, channels []string) {
	o.mu.Lock()
	for _, ch := range channels {
		o.channels[ch] = true
	}
	o.mu.Unlock()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		o.refresh()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (o *observer) refresh() {
	calls := o.fake.Calls("")
	o.mu.Lock()
	newCalls := calls[min(o.cursor, len(calls)):]
	o.cursor = len(calls)
	chans := make([]string, 0, len(o.channels))
	for _, c := range newCalls {
		switch c.Method {
		case "views.open", "views.update":
			var v view
			if c.JSONParam("view", &v) != nil {
				continue
			}
			if c.Method == "views.open" {
				o.opened[c.Param("trigger_id")] = v
			} else {
				o.updated[c.Param("view_id")] = v
			}
		case "response_url":
			name := strings.TrimPrefix(c.Path, "/response/")
			o.responses[name] = append(o.responses[name], string(c.Body))
		case "chat.postMessage":
			o.channels[c.Param("channel")] = true
		}
	}
	for ch := range o.channels {
		chans = append(chans, ch)
	}
	o.mu.Unlock()

	// Messages are read outside the lock: parsing is the costly part, and
	// a parsed message is kept until its blocks change (chat.update).
	buttons := map[btnKey]button{}
	reviews := map[string]int64{}
	parsed := map[string]parsedMsg{}
	o.mu.Lock()
	old := o.parsed
	o.mu.Unlock()
	for _, ch := range chans {
		for _, m := range o.fake.Messages(ch) {
			key := ch + "/" + m.TS
			p, ok := old[key]
			if !ok || p.raw != string(m.Blocks) {
				p = parseMessage(ch, m.TS, m.Blocks)
			}
			parsed[key] = p
			for _, b := range p.buttons {
				buttons[btnKey{ch, b.action, b.value}] = b
				if ch == staffChannel && b.action == "ll_approve" {
					reviews[p.text] = atoi64(b.value)
				}
			}
		}
	}
	o.mu.Lock()
	o.parsed, o.buttons, o.reviews = parsed, buttons, reviews
	close(o.changed)
	o.changed = make(chan struct{})
	o.mu.Unlock()
}

// parseMessage lists a message's buttons and flattens its text.
func parseMessage(channel, ts string, raw json.RawMessage) parsedMsg {
	p := parsedMsg{raw: string(raw)}
	for _, b := range slackfake.Buttons(raw) {
		p.buttons = append(p.buttons, button{channel: channel, ts: ts, blockID: b.BlockID, action: b.ActionID, value: b.Value})
	}
	p.text = slackfake.BlocksText(raw)
	return p
}

// await calls look after each refresh until it reports true, ctx ends or
// timeout passes; it reports whether look did.
func (o *observer) await(ctx context.Context, timeout time.Duration, look func(o *observer) bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		o.mu.Lock()
		ok := look(o)
		ch := o.changed
		o.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// hasButton reports whether the message ts in channel still offers action
// (called under o.mu, from await).
func (o *observer) hasButton(channel, ts, action string) bool {
	for _, b := range o.parsed[channel+"/"+ts].buttons {
		if b.action == action {
			return true
		}
	}
	return false
}

// buttonsOf lists the buttons that carry connection conn, for diagnostics.
func (o *observer) buttonsOf(conn int64) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	v := strconv.FormatInt(conn, 10)
	var out []string
	for k, b := range o.buttons {
		if k.value == v {
			out = append(out, fmt.Sprintf("%s@%s/%s", b.action, b.channel, b.ts))
		}
	}
	slices.Sort(out)
	return "[" + strings.Join(out, " ") + "]"
}
