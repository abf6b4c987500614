package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// socketAckTimeout bounds the hand-over of an ack to the socket writer.
const socketAckTimeout = 3 * time.Second

// SocketModeReceiver feeds a Dispatcher from a Socket Mode connection. Each
// request is dispatched in its own tracked goroutine and acked with
// client.Ack's payload.
type SocketModeReceiver struct {
	client *socketmode.Client
	d      *Dispatcher
	log    *slog.Logger
	wg     sync.WaitGroup // dispatch goroutines
}

// NewSocketModeReceiver returns a receiver reading client's events into d.
// client must be built with an app-level token (slack.OptionAppLevelToken).
func NewSocketModeReceiver(client *socketmode.Client, d *Dispatcher) (*SocketModeReceiver, error) {
	if client == nil || d == nil {
		return nil, errors.New("bot: NewSocketModeReceiver: nil client or dispatcher")
	}
	return &SocketModeReceiver{client: client, d: d, log: d.log}, nil
}

// Run connects and serves until ctx is cancelled, then waits for the requests
// being dispatched (their acks included) and returns nil. It returns an error
// if the connection fails for good (e.g. invalid_auth). Post-ack work is
// tracked by the Dispatcher: call Dispatcher.Shutdown after Run returns.
func (s *SocketModeReceiver) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	runErr := make(chan error, 1)
	go func() { runErr <- s.client.RunContext(ctx) }()

	var err error
loop:
	for {
		select {
		case <-ctx.Done():
			err = <-runErr
			break loop
		case err = <-runErr:
			cancel()
			break loop
		case evt := <-s.client.Events:
			s.handle(ctx, evt)
		}
	}
	s.wg.Wait()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		return nil
	}
	if err == nil {
		return nil
	}
	return explainSocketError(err)
}

func (s *SocketModeReceiver) handle(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello,
		socketmode.EventTypeDisconnect, socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError,
		socketmode.EventTypeErrorWriteFailed, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeInvalidAuth:
		logSocketEvent(ctx, s.log, evt)
		return
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
	default:
		return
	}
	if evt.Request == nil {
		return
	}
	sreq := *evt.Request
	req := Request{RetryNum: sreq.RetryAttempt}
	switch data := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		if data.Type != slackevents.CallbackEvent {
			s.ack(ctx, sreq, nil)
			return
		}
		req.Kind, req.Event = KindEvent, &data
	case slack.InteractionCallback:
		req.Kind, req.Interaction = interactionKind(data.Type), &data
	case slack.SlashCommand:
		req.Kind, req.Command = KindCommand, &data
	default:
		s.ack(ctx, sreq, nil)
		return
	}

	received := s.d.now()
	s.wg.Go(func() {
		// The handler's own deadline bounds it; do not cut it short because
		// the connection is being closed.
		ack, doneKey, err := s.d.dispatch(context.WithoutCancel(ctx), req, sreq.Payload, received)
		if errors.Is(err, ErrShuttingDown) || errors.Is(err, errInFlight) {
			return // no ack: Slack redelivers it
		}
		if err != nil {
			ack = nil
		}
		s.ack(ctx, sreq, ack)
		s.d.seenDone(ctx, doneKey)
	})
}

func (s *SocketModeReceiver) ack(ctx context.Context, req socketmode.Request, payload any) {
	actx, cancel := context.WithTimeout(ctx, socketAckTimeout)
	defer cancel()
	if err := s.client.AckCtx(actx, req.EnvelopeID, payload); err != nil {
		s.log.WarnContext(ctx, "socket mode ack failed", "envelope_id", req.EnvelopeID, "err", err)
	}
}
