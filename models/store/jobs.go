package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// The use cases of the scheduler's timed jobs besides visits: the review
// SLA and the customer reminders. Each is idempotent: a notice's key names
// the connection, the fact and its level, so running a job twice for the
// same moment (two replicas, a rerun after a crash, a catch-up) tells
// nobody twice.

// regionCalendars keeps, for one run, the workday calendar of each access
// point's region.
type regionCalendars map[string]*models.Calendar

func (s *Store) newRegionCalendars(ctx context.Context) (regionCalendars, error) {
	var aps []models.AccessPoint
	if err := s.db.WithContext(ctx).Select("id, region_id").Find(&aps).Error; err != nil {
		return nil, fmt.Errorf("list access points: %w", err)
	}
	rc := regionCalendars{}
	byRegion := map[string]*models.Calendar{}
	for _, ap := range aps {
		cal, ok := byRegion[ap.RegionID]
		if !ok {
			var err error
			if cal, err = s.Calendar(ctx, ap.RegionID); err != nil {
				return nil, err
			}
			byRegion[ap.RegionID] = cal
		}
		rc[ap.ID] = cal
	}
	return rc, nil
}

func (rc regionCalendars) of(apID string) (*models.Calendar, error) {
	cal, ok := rc[apID]
	if !ok {
		return nil, fmt.Errorf("access point %s: %w", apID, models.ErrNotFound)
	}
	return cal, nil
}

// ReviewSLA raises applications waiting for review too long in the staff
// channel (in the thread of their review message): level 1 once the
// promised review day (the next workday after the application) has passed
// in Applying, level 2 — escalated, mentioning escalate — from two workdays.
// Each level is raised once per application. It returns how many notices it
// recorded.
func (s *Store) ReviewSLA(ctx context.Context, now time.Time, escalate string) (int, error) {
	rc, err := s.newRegionCalendars(ctx)
	if err != nil {
		return 0, err
	}
	n, afterID := 0, int64(0)
	for {
		var page []models.Connection
		err := s.db.WithContext(ctx).Where("status = ? AND id > ? AND created_at <= ?", models.StatusApplying, afterID, now.UTC()).
			Order("id").Limit(500).Find(&page).Error
		if err != nil {
			return n, fmt.Errorf("list applications under review: %w", err)
		}
		for _, c := range page {
			afterID = c.ID
			cal, err := rc.of(c.AccessPointID)
			if err != nil {
				return n, err
			}
			data, overdue := models.ReviewOverdue(c, cal, now, escalate)
			if !overdue {
				continue
			}
			channel, thread := c.ReviewChannel, c.ReviewTS
			if channel == "" {
				channel, thread = s.cfg.StaffChannel, ""
			}
			key := fmt.Sprintf("conn/%d/%s/l%d", c.ID, models.NoticeReviewOverdue, data.Level)
			added, err := s.addNoticeOnce(ctx, key, models.NoticeReviewOverdue, channel, thread, c.ID, data)
			if err != nil {
				return n, err
			}
			if added {
				n++
			}
		}
		if len(page) < 500 {
			return n, nil
		}
	}
}

// addNoticeOnce records a notice unless its key exists, in its own
// transaction, and says whether it did.
func (s *Store) addNoticeOnce(ctx context.Context, key string, kind models.NoticeKind, channel, thread string, connID int64, data any) (bool, error) {
	if channel == "" {
		return false, nil
	}
	var added bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var exists int64
		if err := tx.Model(&models.Notice{}).Where("key = ?", key).Count(&exists).Error; err != nil {
			return fmt.Errorf("look up notice %s: %w", key, err)
		}
		if exists > 0 {
			return nil
		}
		added = true
		return s.visitNotice(tx, key, kind, channel, thread, connID, data)
	})
	return added, err
}

// CustomerReminders reminds customers of the steps waiting on them: an
// Approved connection not paid, a Pending Confirmation connection not
// confirmed. A reminder goes to the channel where they applied every
// p.RemindAfter workdays (counted from when the connection entered the
// status); an Approved connection unpaid for p.ExpireUnpaidAfter workdays is
// canceled through the lifecycle engine (action expire, by the system),
// which tells the customer and staff.
func (s *Store) CustomerReminders(ctx context.Context, now time.Time, p models.ReminderPolicy) (models.ReminderReport, error) {
	var rep models.ReminderReport
	rc, err := s.newRegionCalendars(ctx)
	if err != nil {
		return rep, err
	}
	afterID := int64(0)
	for {
		var page []models.Connection
		err := s.db.WithContext(ctx).Where("status IN ? AND id > ?", []models.Status{models.StatusApproved, models.StatusPendingConfirmation}, afterID).
			Order("id").Limit(500).Find(&page).Error
		if err != nil {
			return rep, fmt.Errorf("list connections waiting on customers: %w", err)
		}
		if len(page) == 0 {
			return rep, nil
		}
		since, err := s.enteredStatus(ctx, page)
		if err != nil {
			return rep, err
		}
		for _, c := range page {
			afterID = c.ID
			at, ok := since[c.ID]
			if !ok || at.After(now) {
				continue
			}
			cal, err := rc.of(c.AccessPointID)
			if err != nil {
				return rep, err
			}
			do := p.Decide(c, at, cal, now)
			if do.Expire {
				_, err := s.Act(ctx, models.SystemActor(), c.ID, models.ActInput{Action: models.ActionExpire, Reason: do.ExpireReason})
				var done *models.AlreadyDoneError
				switch {
				case err == nil:
					rep.Expired++
				case errors.As(err, &done), errors.Is(err, models.ErrWrongStatus):
					// Paid or canceled meanwhile.
				default:
					return rep, fmt.Errorf("expire connection %d: %w", c.ID, err)
				}
				continue
			}
			if !do.Remind {
				continue
			}
			data, round := do.Data, do.Round
			key := fmt.Sprintf("conn/%d/v%d/%s/%s/%d", c.ID, c.Version, models.NoticeReminder, data.Reason, round)
			added, err := s.addNoticeOnce(ctx, key, models.NoticeReminder, c.AppliedChannel, "", c.ID, data)
			if err != nil {
				return rep, err
			}
			if added {
				rep.Reminded++
			}
		}
		if len(page) < 500 {
			return rep, nil
		}
	}
}

// enteredStatus finds when each connection entered its current status: the
// time of the latest audit event that moved it there.
func (s *Store) enteredStatus(ctx context.Context, conns []models.Connection) (map[int64]time.Time, error) {
	ids := make([]int64, len(conns))
	status := make(map[int64]models.Status, len(conns))
	for i, c := range conns {
		ids[i] = c.ID
		status[c.ID] = c.Status
	}
	var evs []models.AuditEvent
	err := s.db.WithContext(ctx).Select("connection_id, to_status, from_status, at").
		Where("connection_id IN ? AND to_status <> from_status", ids).Find(&evs).Error
	if err != nil {
		return nil, fmt.Errorf("load status changes: %w", err)
	}
	out := make(map[int64]time.Time, len(conns))
	for _, ev := range evs {
		if ev.ConnectionID == nil || status[*ev.ConnectionID] != ev.ToStatus {
			continue
		}
		if at, ok := out[*ev.ConnectionID]; !ok || ev.At.After(at) {
			out[*ev.ConnectionID] = ev.At
		}
	}
	return out, nil
}
