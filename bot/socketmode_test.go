package bot_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
)

func TestSocketModeReceiver(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)

	var eventRuns, laterRuns atomic.Int32
	r := bot.NewRouter()
	r.Command("/leaseline", func(_ context.Context, req bot.Request) (any, func(context.Context)) {
		return map[string]string{"text": "help " + req.Command.Text}, func(context.Context) { laterRuns.Add(1) }
	})
	r.View("apply", func(context.Context, bot.Request) (any, func(context.Context)) {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"bw": "too big"}), nil
	})
	r.Event("app_home_opened", func(context.Context, bot.Request) (any, func(context.Context)) {
		eventRuns.Add(1)
		return nil, nil
	})
	d, err := bot.NewDispatcher(r, bot.Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken("xapp-test"))
	recv, err := bot.NewSocketModeReceiver(socketmode.New(api), d)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- recv.Run(ctx) }()

	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := fake.WaitSocketConnected(wctx); err != nil {
		t.Fatal(err)
	}

	ack, err := fake.SendSocket(wctx, slackfake.SocketSlashCommands, map[string]any{
		"command": "/leaseline", "text": "list", "user_id": "U1", "channel_id": "C1", "trigger_id": "t1",
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(ack, &got); err != nil || got["text"] != "help list" {
		t.Fatalf("command ack = %s (%v)", ack, err)
	}

	ack, err = fake.SendSocket(wctx, slackfake.SocketInteractive, map[string]any{
		"type": "view_submission", "view": map[string]any{"callback_id": "apply_v1", "type": "modal"},
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var vs struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack, &vs); err != nil || vs.ResponseAction != "errors" || vs.Errors["bw"] != "too big" {
		t.Fatalf("view ack = %s (%v)", ack, err)
	}

	ev := eventCallback("EvS1", "app_home_opened")
	for retry := range 2 { // the second is a retry of the same event_id
		ack, err = fake.SendSocket(wctx, slackfake.SocketEventsAPI, ev, retry)
		if err != nil {
			t.Fatal(err)
		}
		if len(ack) != 0 && string(ack) != "null" {
			t.Errorf("event ack payload = %s, want empty", ack)
		}
	}

	cancel()
	select {
	case err := <-runErr:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop on cancel")
	}
	if err := d.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if eventRuns.Load() != 1 {
		t.Errorf("event ran %d times, want 1", eventRuns.Load())
	}
	if laterRuns.Load() != 1 {
		t.Errorf("later ran %d times, want 1", laterRuns.Load())
	}
}
