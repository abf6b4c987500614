package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// The history check: before posting again a notice whose earlier attempt
// may have reached Slack, the worker looks for the notice's metadata in the
// channel's history (a thread's replies for a threaded notice).

// findPosted looks for notice n in its channel's history since shortly
// before it was recorded, by its metadata.
func (w *DeliveryWorker) findPosted(ctx context.Context, n models.Notice) (string, bool, error) {
	channel := n.Channel
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		ch, _, _, err := w.poster.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}, ReturnIM: true})
		if err != nil {
			return "", false, fmt.Errorf("open DM with %s: %w", channel, err)
		}
		channel = ch.ID
	}
	oldest := strconv.FormatInt(n.CreatedAt.Add(-w.cfg.HistoryLookback).Unix(), 10) + ".000000"
	if n.ThreadTS != "" {
		// Replies are not in the channel's history: read the thread's.
		return w.findInThread(ctx, channel, n, oldest)
	}
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Oldest: oldest, Limit: 200, IncludeAllMetadata: true}
	for range maxHistoryPages {
		resp, err := w.poster.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", false, fmt.Errorf("history of %s: %w", channel, err)
		}
		if ts, ok := findNotice(resp.Messages, n.ID); ok {
			return ts, true, nil
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

// maxHistoryPages bounds the history search (200 messages a page): a notice
// further back than that in a busy channel is posted again.
const maxHistoryPages = 10

func (w *DeliveryWorker) findInThread(ctx context.Context, channel string, n models.Notice, oldest string) (string, bool, error) {
	params := &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: n.ThreadTS, Oldest: oldest, Limit: 200, IncludeAllMetadata: true}
	for range maxHistoryPages {
		msgs, more, cursor, err := w.poster.GetConversationRepliesContext(ctx, params)
		if err != nil {
			return "", false, fmt.Errorf("thread %s of %s: %w", n.ThreadTS, channel, err)
		}
		if ts, ok := findNotice(msgs, n.ID); ok {
			return ts, true, nil
		}
		if !more || cursor == "" {
			break
		}
		params.Cursor = cursor
	}
	return "", false, nil
}

// findNotice finds the message carrying notice id in its metadata.
func findNotice(msgs []slack.Message, id int64) (string, bool) {
	for _, m := range msgs {
		if got, ok := NoticeIDOf(m.Metadata); ok && got == id {
			return m.Timestamp, true
		}
	}
	return "", false
}

// NoticeIDOf reads the ID of the notice a message carries in its metadata
// ({"event_type": NoticeEventType, "event_payload": {"notice_id": N}}); ok
// is false for a message that carries none.
func NoticeIDOf(md slack.SlackMetadata) (int64, bool) {
	if md.EventType != NoticeEventType {
		return 0, false
	}
	id := payloadID(md.EventPayload["notice_id"])
	return id, id != 0
}

// payloadID reads a notice ID from metadata, a JSON number or string.
func payloadID(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case json.Number:
		n, _ := x.Int64()
		return n
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	case int64:
		return x
	case int:
		return int64(x)
	}
	return 0
}
