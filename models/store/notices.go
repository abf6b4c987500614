package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leaseline/leaseline/models"
)

// Notice delivery. The notices table is the outbox: the core's transactions
// write pending notices, and delivery workers (package bot) claim the
// due ones, post them to Slack and record the outcome here. A claim is a
// lease: a worker that dies lets go of its notices when the lease ends, and
// the notice is marked maybe_posted so that the next attempt first looks for
// it in the channel's history instead of posting it twice.

// noticeRow is a notices row with the delivery columns models.Notice does
// not carry.
type noticeRow struct {
	models.Notice `gorm:"embedded"`
	LeaseUntil    *time.Time
	LeaseToken    string
	MaybePosted   bool
}

func (noticeRow) TableName() string { return "notices" }

// ClaimNotices claims up to limit pending notices due at now (oldest
// first) for lease, and counts the attempt. Several workers, in one process
// or many, never claim the same notice at once: on PostgreSQL the rows are
// locked with SKIP LOCKED, on SQLite the immediate transaction holds the
// database's write lock.
func (s *Store) ClaimNotices(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]models.Delivery, error) {
	if limit <= 0 {
		limit = 20
	}
	now = now.UTC()
	token := rand.Text()
	var out []models.Delivery
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("state = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)", models.NoticePending, now, now).
			Order("next_attempt_at, id").Limit(limit)
		if s.dialect == "postgres" {
			q = q.Clauses(skipLocked())
		}
		var rows []noticeRow
		if err := q.Find(&rows).Error; err != nil {
			return fmt.Errorf("find due notices: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		until := now.Add(lease)
		err := tx.Model(&noticeRow{}).Where("id IN ?", ids).Updates(map[string]any{
			"attempts": gorm.Expr("attempts + 1"), "lease_until": until, "lease_token": token, "maybe_posted": true,
		}).Error
		if err != nil {
			return fmt.Errorf("claim notices: %w", err)
		}
		out = make([]models.Delivery, len(rows))
		for i, r := range rows {
			r.Attempts++
			out[i] = models.Delivery{Notice: r.Notice, MaybePosted: r.MaybePosted, Token: token}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MarkNoticeSent records that notice id reached Slack as message ts. It
// holds whoever's lease it is: a message that is in Slack is sent. A notice
// already sent is left as it is.
//
// A notice about a connection is recorded as a card (see models.Card) with
// the buttons it was posted with (action IDs).
func (s *Store) MarkNoticeSent(ctx context.Context, id int64, ts string, at time.Time, buttons ...string) error {
	at = at.UTC()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&noticeRow{}).Where("id = ? AND state <> ?", id, models.NoticeSent).Updates(map[string]any{
			"state": models.NoticeSent, "sent_ts": ts, "sent_at": at, "lease_until": nil, "lease_token": "",
			"maybe_posted": false, "last_error": "",
		})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		var n models.Notice
		if err := tx.Model(&noticeRow{}).Where("id = ?", id).Take(&n).Error; err != nil {
			return err
		}
		if err := s.recordCard(tx, &n, ts, buttons, at); err != nil {
			return err
		}
		return rememberStaffMessage(tx, &n, ts)
	})
	if err != nil {
		return fmt.Errorf("mark notice %d sent: %w", id, err)
	}
	return nil
}

// rememberStaffMessage keeps where the staff-channel message of a review
// request or a ticket went, so that it can be updated in place and later
// notices (overdue reviews, visits) thread under it.
func rememberStaffMessage(tx *gorm.DB, n *models.Notice, ts string) error {
	switch n.Kind {
	case models.NoticeReviewRequest:
		if n.ConnectionID == nil {
			return nil
		}
		return tx.Model(&models.Connection{}).Where("id = ? AND review_ts = ''", *n.ConnectionID).
			Updates(map[string]any{"review_channel": n.Channel, "review_ts": ts}).Error
	case models.NoticeTicketSubmitted, models.NoticeEnquiry:
		var d struct {
			TicketID int64 `json:"ticket_id"`
		}
		if json.Unmarshal([]byte(n.Data), &d) != nil || d.TicketID == 0 {
			return nil
		}
		return tx.Model(&models.Ticket{}).Where("id = ? AND staff_ts = ''", d.TicketID).
			Updates(map[string]any{"staff_channel": n.Channel, "staff_ts": ts}).Error
	}
	return nil
}

// RetryNotice records a failed attempt of a claimed notice and when to try
// again, and releases the claim. It does nothing when the claim is no longer
// d's (the lease ended and another worker took the notice).
func (s *Store) RetryNotice(ctx context.Context, d models.Delivery, r models.NoticeRetry) error {
	set := map[string]any{
		"next_attempt_at": r.Next.UTC(), "last_error": truncate(r.Error, 1000), "lease_until": nil, "lease_token": "",
		"maybe_posted": r.MaybePosted,
	}
	if r.Uncounted {
		set["attempts"] = gorm.Expr("CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END")
	}
	err := s.db.WithContext(ctx).Model(&noticeRow{}).
		Where("id = ? AND state = ? AND lease_token = ?", d.Notice.ID, models.NoticePending, d.Token).Updates(set).Error
	if err != nil {
		return fmt.Errorf("reschedule notice %d: %w", d.Notice.ID, err)
	}
	return nil
}

// FailNotice gives up on a claimed notice: it becomes failed, with the
// error, and staff are alerted in the staff channel by a delivery_failed
// notice, in the same transaction. A failed alert raises no further alert.
func (s *Store) FailNotice(ctx context.Context, d models.Delivery, at time.Time, cause string) error {
	at = at.UTC()
	cause = truncate(cause, 1000)
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&noticeRow{}).Where("id = ? AND state = ? AND lease_token = ?", d.Notice.ID, models.NoticePending, d.Token).
			Updates(map[string]any{"state": models.NoticeFailed, "last_error": cause, "lease_until": nil, "lease_token": ""})
		if res.Error != nil {
			return fmt.Errorf("fail notice %d: %w", d.Notice.ID, res.Error)
		}
		if res.RowsAffected == 0 || d.Notice.Kind == models.NoticeDeliveryFailed || s.cfg.StaffChannel == "" {
			return nil
		}
		raw, err := json.Marshal(models.DeliveryFailedData{NoticeID: d.Notice.ID, Kind: d.Notice.Kind, Channel: d.Notice.Channel,
			Attempts: d.Notice.Attempts, Error: cause})
		if err != nil {
			return fmt.Errorf("encode delivery alert: %w", err)
		}
		alert := models.Notice{
			Key:  fmt.Sprintf("notice/%d/%s", d.Notice.ID, models.NoticeDeliveryFailed),
			Kind: models.NoticeDeliveryFailed, Channel: s.cfg.StaffChannel, ConnectionID: d.Notice.ConnectionID,
			Data: string(raw), State: models.NoticePending, NextAttemptAt: at, CreatedAt: at,
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&alert).Error; err != nil {
			return fmt.Errorf("record delivery alert for notice %d: %w", d.Notice.ID, err)
		}
		return nil
	})
}

// FailedNotices lists the notices that failed for good, newest first;
// limit <= 0 means 100.
func (s *Store) FailedNotices(ctx context.Context, limit int) ([]models.Notice, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []models.Notice
	if err := s.db.WithContext(ctx).Where("state = ?", models.NoticeFailed).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list failed notices: %w", err)
	}
	return out, nil
}

// RequeueNotice puts a failed notice back in the queue (staff, after fixing
// the cause: a bot not in the channel, an archived channel), with its
// attempts reset.
func (s *Store) RequeueNotice(ctx context.Context, id int64, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&noticeRow{}).Where("id = ? AND state = ?", id, models.NoticeFailed).
		Updates(map[string]any{"state": models.NoticePending, "attempts": 0, "next_attempt_at": at.UTC()})
	if res.Error != nil {
		return fmt.Errorf("requeue notice %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("requeue notice %d: %w", id, models.ErrNotFound)
	}
	s.noticesCommitted()
	return nil
}

// PendingNotices counts the notices not yet delivered (for metrics and
// tests).
func (s *Store) PendingNotices(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.Notice{}).Where("state = ?", models.NoticePending).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count pending notices: %w", err)
	}
	return n, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
