// Package bot is leaseline's Slack transport: it receives Slack requests over
// HTTP or Socket Mode, verifies them, routes them to handlers registered by the
// caller, acknowledges within Slack's 3-second limit and runs slow work after
// the acknowledgement in tracked goroutines. It holds no domain logic and never
// imports the handlers or models packages: cmd wires the routes.
package bot

import (
	"context"
	"sort"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Kind is the kind of a Slack request.
type Kind int

// The kinds of Slack requests the Router routes. KindUnknown is the zero value:
// an interaction type the Router has no table for; only Fallback sees it.
const (
	KindUnknown Kind = iota
	KindCommand
	KindBlockAction
	KindViewSubmission
	KindViewClosed
	KindBlockSuggestion
	KindShortcut
	KindEvent
)

// String returns the kind's name as used in logs and metric labels.
func (k Kind) String() string {
	switch k {
	case KindCommand:
		return "command"
	case KindBlockAction:
		return "block_action"
	case KindViewSubmission:
		return "view_submission"
	case KindViewClosed:
		return "view_closed"
	case KindBlockSuggestion:
		return "block_suggestion"
	case KindShortcut:
		return "shortcut"
	case KindEvent:
		return "event"
	default:
		return "unknown"
	}
}

// Request is one Slack request, whichever receiver it came from. Exactly one
// of Command, Interaction and Event is set, according to Kind.
type Request struct {
	Kind        Kind
	ID          string // request ID for logs (generated per request)
	RetryNum    int    // X-Slack-Retry-Num, or Socket Mode retry_attempt
	Command     *slack.SlashCommand
	Interaction *slack.InteractionCallback
	Event       *slackevents.EventsAPIEvent
}

// A Handler runs inside the acknowledgement path: it must be fast and do no I/O
// beyond what fits the deadline of ctx (~2.5s, used by view_submission
// validation). It returns the body to ack with (nil => empty 200 / empty socket
// ack) and optional slow work to run after the ack.
type Handler func(ctx context.Context, req Request) (ack any, later func(ctx context.Context))

// Router maps Slack requests to Handlers. Register every route before the
// receivers start serving: a Router is read concurrently without locking.
type Router struct {
	commands    map[string]Handler
	durableCmds map[string]bool
	shortcuts   map[string]Handler
	events      map[string]Handler
	actions     prefixTable
	views       prefixTable
	suggestions prefixTable
	fallback    Handler
}

// NewRouter returns an empty Router.
func NewRouter() *Router {
	return &Router{
		commands:    make(map[string]Handler),
		durableCmds: make(map[string]bool),
		shortcuts:   make(map[string]Handler),
		events:      make(map[string]Handler),
	}
}

// Command routes the slash command name, e.g. "/leaseline".
func (r *Router) Command(name string, h Handler) {
	r.commands[name] = h
	delete(r.durableCmds, name)
}

// DurableCommand is Command for a command whose later work changes state:
// when a Journal is set, the request is recorded before the ack and replayed
// by RunRecovery if the process dies before its later work finishes. Only
// mark routes whose later work is safe to run twice (guarded by status or
// version in the store) and opens no modal (a trigger_id expires in 3 s).
func (r *Router) DurableCommand(name string, h Handler) {
	r.commands[name] = h
	r.durableCmds[name] = true
}

// Action routes block_actions on the first action's action_id; the longest
// matching prefix wins.
func (r *Router) Action(actionIDPrefix string, h Handler) { r.actions.add(actionIDPrefix, h, false) }

// DurableAction is Action for a button whose later work changes state; see
// DurableCommand for what durable means and which routes qualify.
func (r *Router) DurableAction(actionIDPrefix string, h Handler) {
	r.actions.add(actionIDPrefix, h, true)
}

// View routes view_submission and view_closed on view.callback_id; the longest
// matching prefix wins. Handlers tell the two apart by Request.Kind.
func (r *Router) View(callbackIDPrefix string, h Handler) { r.views.add(callbackIDPrefix, h, false) }

// Suggestion routes block_suggestion (options of external selects) on action_id;
// the longest matching prefix wins.
func (r *Router) Suggestion(actionIDPrefix string, h Handler) {
	r.suggestions.add(actionIDPrefix, h, false)
}

// Shortcut routes global and message shortcuts on their exact callback_id.
func (r *Router) Shortcut(callbackID string, h Handler) { r.shortcuts[callbackID] = h }

// Event routes Events API events on the inner event type, e.g.
// "app_home_opened" or "member_joined_channel".
func (r *Router) Event(eventType string, h Handler) { r.events[eventType] = h }

// Fallback sets the Handler for requests no other route matches.
func (r *Router) Fallback(h Handler) { r.fallback = h }

// unrouted is the route name reported for requests that matched no route; it
// keeps metric label values bounded.
const unrouted = "unrouted"

// route returns the handler for req and the route name used in metrics (the
// registered name or prefix, never a free-form value from the request).
func (r *Router) route(req Request) (Handler, string) {
	h, name, _ := r.routeDurable(req)
	return h, name
}

// routeDurable is route that also says whether the route is durable.
func (r *Router) routeDurable(req Request) (Handler, string, bool) {
	var (
		h       Handler
		ok      bool
		durable bool
	)
	key := routeKey(req)
	switch req.Kind {
	case KindCommand:
		h, ok = r.commands[key]
		durable = r.durableCmds[key]
	case KindShortcut:
		h, ok = r.shortcuts[key]
	case KindEvent:
		h, ok = r.events[key]
	case KindBlockAction:
		h, key, durable, ok = r.actions.match(key)
	case KindViewSubmission, KindViewClosed:
		h, key, durable, ok = r.views.match(key)
	case KindBlockSuggestion:
		h, key, durable, ok = r.suggestions.match(key)
	}
	if ok {
		return h, key, durable
	}
	return r.fallback, unrouted, false
}

// routeKey returns the value of req a route is matched on.
func routeKey(req Request) string {
	switch {
	case req.Command != nil:
		return req.Command.Command
	case req.Event != nil:
		return req.Event.InnerEvent.Type
	case req.Interaction != nil:
		ic := req.Interaction
		switch req.Kind {
		case KindBlockAction:
			if len(ic.ActionCallback.BlockActions) > 0 {
				return ic.ActionCallback.BlockActions[0].ActionID
			}
		case KindViewSubmission, KindViewClosed:
			return ic.View.CallbackID
		case KindBlockSuggestion:
			return ic.ActionID
		case KindShortcut:
			return ic.CallbackID
		}
	}
	return ""
}

// interactionKind maps an interaction payload type to a Kind.
func interactionKind(t slack.InteractionType) Kind {
	switch t {
	case slack.InteractionTypeBlockActions:
		return KindBlockAction
	case slack.InteractionTypeViewSubmission:
		return KindViewSubmission
	case slack.InteractionTypeViewClosed:
		return KindViewClosed
	case slack.InteractionTypeBlockSuggestion:
		return KindBlockSuggestion
	case slack.InteractionTypeShortcut, slack.InteractionTypeMessageAction:
		return KindShortcut
	default:
		return KindUnknown
	}
}

type prefixRoute struct {
	prefix  string
	h       Handler
	durable bool
}

// prefixTable holds routes sorted by decreasing prefix length, so the first
// match is the longest.
type prefixTable []prefixRoute

func (t *prefixTable) add(prefix string, h Handler, durable bool) {
	for i := range *t {
		if (*t)[i].prefix == prefix {
			(*t)[i].h, (*t)[i].durable = h, durable
			return
		}
	}
	*t = append(*t, prefixRoute{prefix: prefix, h: h, durable: durable})
	sort.SliceStable(*t, func(i, j int) bool { return len((*t)[i].prefix) > len((*t)[j].prefix) })
}

func (t prefixTable) match(s string) (Handler, string, bool, bool) {
	for _, r := range t {
		if strings.HasPrefix(s, r.prefix) {
			return r.h, r.prefix, r.durable, true
		}
	}
	return nil, "", false, false
}
