package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// DefaultMaxBodyBytes bounds the body of an HTTP request from Slack.
const DefaultMaxBodyBytes = 1 << 20

// HTTP paths served by HTTPReceiver.
const (
	PathCommands     = "/slack/commands"
	PathInteractions = "/slack/interactions"
	PathEvents       = "/slack/events"
)

// HTTPReceiver is the http.Handler for Slack's HTTP mode. It serves
// POST /slack/commands, /slack/interactions and /slack/events: bounds the body,
// verifies the v0 signature with the signing secret, then dispatches. Mount it
// on those three paths (or at "/slack/").
type HTTPReceiver struct {
	d            *Dispatcher
	secret       string
	maxBodyBytes int64
	log          *slog.Logger
}

// HTTPOption configures an HTTPReceiver.
type HTTPOption func(*HTTPReceiver)

// WithMaxBodyBytes sets the largest accepted body (default DefaultMaxBodyBytes);
// larger ones get 413.
func WithMaxBodyBytes(n int64) HTTPOption {
	return func(r *HTTPReceiver) {
		if n > 0 {
			r.maxBodyBytes = n
		}
	}
}

// NewHTTPReceiver returns an HTTPReceiver verifying requests with
// signingSecret and feeding d.
func NewHTTPReceiver(d *Dispatcher, signingSecret string, opts ...HTTPOption) (*HTTPReceiver, error) {
	if d == nil {
		return nil, errors.New("bot: NewHTTPReceiver: nil dispatcher")
	}
	if signingSecret == "" {
		return nil, errors.New("bot: NewHTTPReceiver: empty signing secret")
	}
	r := &HTTPReceiver{d: d, secret: signingSecret, maxBodyBytes: DefaultMaxBodyBytes, log: d.log}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// ServeHTTP implements http.Handler.
func (rc *HTTPReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	received := rc.d.now()
	switch r.URL.Path {
	case PathCommands, PathInteractions, PathEvents:
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rc.maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if err := verify(r.Header, rc.secret, body); err != nil {
		rc.d.metrics.signatureFailure()
		// The reason only, never the signature or the body.
		rc.log.WarnContext(r.Context(), "slack signature refused", "path", r.URL.Path, "reason", err.Error())
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}

	req := Request{RetryNum: retryNum(r.Header.Get("X-Slack-Retry-Num"))}
	switch r.URL.Path {
	case PathCommands:
		cmd, err := parseCommand(body)
		if err != nil {
			rc.badRequest(w, r, err)
			return
		}
		req.Kind, req.Command = KindCommand, cmd
	case PathInteractions:
		ic, err := parseInteraction(body)
		if err != nil {
			rc.badRequest(w, r, err)
			return
		}
		req.Kind, req.Interaction = interactionKind(ic.Type), ic
	case PathEvents:
		ev, challenge, err := parseEvent(body)
		switch {
		case err != nil:
			// Unknown inner event types land here too: ack them so Slack
			// does not retry what we will never understand.
			rc.log.InfoContext(r.Context(), "unparsed event acked", "err", err)
			w.WriteHeader(http.StatusOK)
			return
		case challenge != "":
			writeJSON(w, rc.log, slackevents.ChallengeResponse{Challenge: challenge})
			return
		case ev == nil:
			w.WriteHeader(http.StatusOK) // app_rate_limited and other non-callbacks
			return
		}
		req.Kind, req.Event = KindEvent, ev
	}

	ack, doneKey, err := rc.d.dispatch(r.Context(), req, body, received)
	switch {
	case errors.Is(err, ErrShuttingDown):
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	case errors.Is(err, errInFlight):
		http.Error(w, "already being handled", http.StatusServiceUnavailable)
	case err != nil:
		http.Error(w, "internal error", http.StatusInternalServerError)
	case ack == nil:
		w.WriteHeader(http.StatusOK)
	default:
		writeJSON(w, rc.log, ack)
	}
	if doneKey != "" {
		// The request is handled once Slack has its ack: send it before
		// marking it so (a database write) rather than after.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		rc.d.seenDone(r.Context(), doneKey)
	}
}

func (rc *HTTPReceiver) badRequest(w http.ResponseWriter, r *http.Request, err error) {
	rc.log.WarnContext(r.Context(), "malformed slack request", "path", r.URL.Path, "err", err)
	http.Error(w, "malformed request", http.StatusBadRequest)
}

// verify checks Slack's v0 signature of body; the timestamp must be within
// five minutes of now.
func verify(h http.Header, secret string, body []byte) error {
	sv, err := slack.NewSecretsVerifier(h, secret)
	if err != nil {
		return fmt.Errorf("verify slack signature: %w", err)
	}
	if _, err := sv.Write(body); err != nil {
		return fmt.Errorf("verify slack signature: %w", err)
	}
	if err := sv.Ensure(); err != nil {
		return fmt.Errorf("verify slack signature: %w", err)
	}
	return nil
}

// writeJSON writes v as the JSON body of a 200. A json.RawMessage is
// written as is: a handler may encode a constant ack once (e.g. the help).
func writeJSON(w http.ResponseWriter, log *slog.Logger, v any) {
	b, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			log.Error("cannot encode ack", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func retryNum(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// parseCommand reads a slash command form as slack.SlashCommandParse does,
// without building an http.Request around the body.
func parseCommand(body []byte) (*slack.SlashCommand, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("parse slash command: %w", err)
	}
	cmd := &slack.SlashCommand{
		Token:               form.Get("token"),
		TeamID:              form.Get("team_id"),
		TeamDomain:          form.Get("team_domain"),
		EnterpriseID:        form.Get("enterprise_id"),
		EnterpriseName:      form.Get("enterprise_name"),
		IsEnterpriseInstall: form.Get("is_enterprise_install") == "true",
		ChannelID:           form.Get("channel_id"),
		ChannelName:         form.Get("channel_name"),
		UserID:              form.Get("user_id"),
		UserName:            form.Get("user_name"),
		Command:             form.Get("command"),
		Text:                form.Get("text"),
		ResponseURL:         form.Get("response_url"),
		TriggerID:           form.Get("trigger_id"),
		APIAppID:            form.Get("api_app_id"),
	}
	if cmd.Command == "" {
		return nil, errors.New("parse slash command: no command field")
	}
	return cmd, nil
}

func parseInteraction(body []byte) (*slack.InteractionCallback, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("parse interaction form: %w", err)
	}
	payload := form.Get("payload")
	if payload == "" {
		return nil, errors.New("parse interaction: no payload field")
	}
	return decodeInteraction([]byte(payload))
}

func decodeInteraction(payload []byte) (*slack.InteractionCallback, error) {
	var ic slack.InteractionCallback
	if err := json.Unmarshal(payload, &ic); err != nil {
		return nil, fmt.Errorf("parse interaction payload: %w", err)
	}
	return &ic, nil
}

// parseEvent parses an Events API body. It returns the challenge of a
// url_verification, or the event for an event_callback, or neither.
func parseEvent(body []byte) (*slackevents.EventsAPIEvent, string, error) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		return nil, "", fmt.Errorf("parse event: %w", err)
	}
	switch ev.Type {
	case slackevents.URLVerification:
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok || uv.Challenge == "" {
			return nil, "", errors.New("parse event: url_verification without challenge")
		}
		return nil, uv.Challenge, nil
	case slackevents.CallbackEvent:
		return &ev, "", nil
	default:
		return nil, "", nil
	}
}

// eventID returns the event_id of an event_callback, or "".
func eventID(ev *slackevents.EventsAPIEvent) string {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		return cb.EventID
	}
	return ""
}
