package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// logSocketEvent logs a Socket Mode connection event with its cause: the
// operator's first run is in Socket Mode, and "connection_error" alone
// says nothing. "connected" is logged on Slack's hello, when events can
// flow, not when the WebSocket opens.
func logSocketEvent(ctx context.Context, log *slog.Logger, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		if d, ok := evt.Data.(*slack.ConnectingEvent); ok && d.Attempt > 1 {
			log.InfoContext(ctx, "socket mode: reconnecting", "attempt", d.Attempt)
			return
		}
		log.InfoContext(ctx, "socket mode: connecting to Slack")
	case socketmode.EventTypeConnected:
		log.DebugContext(ctx, "socket mode: WebSocket open, waiting for Slack's hello")
	case socketmode.EventTypeHello:
		log.InfoContext(ctx, "socket mode: connected (Slack said hello); events flow")
	case socketmode.EventTypeDisconnect:
		log.InfoContext(ctx, "socket mode: Slack asked to reconnect (routine); reconnecting")
	case socketmode.EventTypeConnectionError:
		d, ok := evt.Data.(*slack.ConnectionErrorEvent)
		if !ok {
			log.WarnContext(ctx, "socket mode: connection failed; retrying", "cause", fmt.Sprint(evt.Data))
			return
		}
		log.WarnContext(ctx, "socket mode: connection failed; retrying after a back-off",
			"cause", errText(d.ErrorObj), "attempt", d.Attempt, "retry_in", d.Backoff.String())
	case socketmode.EventTypeIncomingError:
		cause := fmt.Sprint(evt.Data)
		if d, ok := evt.Data.(*slack.IncomingEventError); ok {
			cause = errText(d.ErrorObj)
		}
		log.WarnContext(ctx, "socket mode: the connection broke; reconnecting", "cause", cause)
	case socketmode.EventTypeErrorWriteFailed:
		cause := fmt.Sprint(evt.Data)
		if d, ok := evt.Data.(*socketmode.ErrorWriteFailed); ok {
			cause = errText(d.Cause)
		}
		log.WarnContext(ctx, "socket mode: an ack could not be written", "cause", cause)
	case socketmode.EventTypeErrorBadMessage:
		cause := fmt.Sprint(evt.Data)
		if d, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			cause = errText(d.Cause)
		}
		log.WarnContext(ctx, "socket mode: Slack sent a message that could not be read", "cause", cause)
	case socketmode.EventTypeInvalidAuth:
		log.ErrorContext(ctx, explainSocketError(errors.New("invalid_auth")).Error())
	}
}

func errText(err error) string {
	if err == nil {
		return "unknown"
	}
	return err.Error()
}

// explainSocketError turns the error that ended Socket Mode into what to
// do: a rejected app-level token is the usual first-run mistake.
func explainSocketError(err error) error {
	reason := err.Error()
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &sc) && sc.Code == http.StatusNotFound:
		reason = "invalid_auth"
	case reason == "invalid_auth", reason == "not_authed", reason == "token_revoked", reason == "account_inactive":
	default:
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "not_allowed_token_type" {
			return fmt.Errorf("bot: socket mode: SLACK_APP_TOKEN is not an app-level token (not_allowed_token_type): use the xapp-… token from Basic Information → App-Level Tokens: %w", err)
		}
		return fmt.Errorf("bot: socket mode: %w", err)
	}
	return fmt.Errorf("SLACK_APP_TOKEN was rejected by Slack (%s): create an app-level token with connections:write (Basic Information → App-Level Tokens) and set SLACK_APP_TOKEN to it; check that Socket Mode is on (Settings → Socket Mode): %w", reason, err)
}
