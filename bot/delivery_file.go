package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// Notices that carry a file (the entry letter's PDF): the worker uploads
// the file into the notice's channel with Slack's external upload flow
// (files.getUploadURLExternal, a POST of the bytes to the URL it gives,
// files.completeUploadExternal sharing it with a short comment) instead of
// posting a message. Idempotent like the messages: the file's name carries
// the notice's ID, and an attempt that may have reached Slack first looks
// for a message sharing a file of that name in the channel's history.

// NoticeFile is the file a notice carries.
type NoticeFile struct {
	// Filename, e.g. "loa-cfa-pc-xyz-2026-12-03.pdf"; the worker adds the
	// notice's ID before the extension.
	Filename string
	Title    string
	// Comment is the message the file is shared with (mrkdwn).
	Comment string
	Content []byte
}

// FileRenderer is implemented by a NoticeRenderer whose notices may carry
// a file: a nil file means a plain message (RenderNotice).
type FileRenderer interface {
	RenderNoticeFile(ctx context.Context, n models.Notice) (*NoticeFile, error)
}

// FileUploader uploads a file and shares it in a channel; *slack.Client
// has it (the three calls of Slack's external upload flow).
type FileUploader interface {
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
}

// noticeFilename is f's name for notice id: "name-nID.ext".
func noticeFilename(f *NoticeFile, id int64) string {
	ext := path.Ext(f.Filename)
	return strings.TrimSuffix(f.Filename, ext) + "-n" + strconv.FormatInt(id, 10) + ext
}

// renderFile asks the renderer for notice n's file (nil: none).
func (w *DeliveryWorker) renderFile(ctx context.Context, n models.Notice) (*NoticeFile, error) {
	r, ok := w.render.(FileRenderer)
	if !ok {
		return nil, nil
	}
	return r.RenderNoticeFile(ctx, n)
}

// deliverFile uploads notice n's file f (claimed at now) and records the
// outcome: the file's ID stands for the message's ts.
func (w *DeliveryWorker) deliverFile(ctx context.Context, d models.Delivery, f *NoticeFile, now time.Time) error {
	n := d.Notice
	log := w.log.With("notice", n.ID, "kind", n.Kind, "channel", n.Channel, "attempt", n.Attempts)
	name := noticeFilename(f, n.ID)
	if d.MaybePosted {
		id, found, err := w.findFile(ctx, n, name)
		switch {
		case err != nil:
			if retry, ok := retryable(err); ok || retry.rateLimited {
				return w.retry(ctx, d, now, err, true, retry)
			}
			log.WarnContext(ctx, "cannot check channel history before uploading again", "err", err)
		case found:
			log.InfoContext(ctx, "notice file found already shared", "file", id)
			return w.markSent(ctx, n, id, now)
		}
	}
	up, ok := w.poster.(FileUploader)
	if !ok {
		return w.fail(ctx, d, now, errors.New("the Slack client cannot upload files"))
	}
	if !w.postFits(now) {
		return w.retry(ctx, d, now, errors.New("lease too short to upload after the history check"), false, retryInfo{})
	}
	sum, err := up.UploadFileContext(ctx, slack.UploadFileParameters{
		Channel: n.Channel, ThreadTimestamp: n.ThreadTS, Filename: name, Title: f.Title,
		InitialComment: f.Comment, Reader: bytes.NewReader(f.Content), FileSize: len(f.Content),
	})
	if err == nil {
		log.DebugContext(ctx, "notice file shared", "file", sum.ID)
		return w.markSent(ctx, n, sum.ID, now)
	}
	retry, ok := retryable(err)
	if !ok && !retry.rateLimited {
		log.ErrorContext(ctx, "notice file refused by Slack; failed for good", "err", err)
		return w.fail(ctx, d, now, err)
	}
	// Only the last call shares the file: any failure may come after it.
	return w.retry(ctx, d, now, err, true, retry)
}

// findFile looks in n's channel (or thread) for a message sharing a file
// named name, since shortly before n was recorded; it returns the file's ID.
func (w *DeliveryWorker) findFile(ctx context.Context, n models.Notice, name string) (string, bool, error) {
	oldest := strconv.FormatInt(n.CreatedAt.Add(-w.cfg.HistoryLookback).Unix(), 10) + ".000000"
	if n.ThreadTS != "" {
		params := &slack.GetConversationRepliesParameters{ChannelID: n.Channel, Timestamp: n.ThreadTS, Oldest: oldest, Limit: 200}
		for range maxHistoryPages {
			msgs, more, cursor, err := w.poster.GetConversationRepliesContext(ctx, params)
			if err != nil {
				return "", false, fmt.Errorf("thread %s of %s: %w", n.ThreadTS, n.Channel, err)
			}
			if id, ok := fileNamed(msgs, name); ok {
				return id, true, nil
			}
			if !more || cursor == "" {
				break
			}
			params.Cursor = cursor
		}
		return "", false, nil
	}
	params := &slack.GetConversationHistoryParameters{ChannelID: n.Channel, Oldest: oldest, Limit: 200}
	for range maxHistoryPages {
		resp, err := w.poster.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", false, fmt.Errorf("history of %s: %w", n.Channel, err)
		}
		if id, ok := fileNamed(resp.Messages, name); ok {
			return id, true, nil
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

// fileNamed finds a file named name shared by one of msgs.
func fileNamed(msgs []slack.Message, name string) (string, bool) {
	for _, m := range msgs {
		for _, f := range m.Files {
			if f.Name == name {
				return f.ID, true
			}
		}
	}
	return "", false
}
