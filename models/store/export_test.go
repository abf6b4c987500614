package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// ScheduleVisitForTest runs the lifecycle's schedule-visit action on
// connection id as actor, through the engine (transition): it books the
// IDC visit of the connection's open construction (or removal) ticket on date
// (YYYY-MM-DD) with the access point's first reception person, marks the
// ticket booked and tells the customer. It exists for the store's tests:
// BookVisit (the scheduler's use case) always acts as the system, and the
// lifecycle tests need to try the action as every role.
func (s *Store) ScheduleVisitForTest(ctx context.Context, actor models.Actor, id int64, date string) (*models.Connection, error) {
	return s.transition(ctx, actor, id, models.ActionScheduleVisit, func(tx *gorm.DB, c *models.Connection, _ models.Transition) (string, error) {
		var t models.Ticket
		if err := tx.Where("connection_id = ? AND kind IN ? AND state = ?", c.ID, bookedKinds, models.TicketOpen).
			First(&t).Error; err != nil {
			return "", fmt.Errorf("open construction or removal ticket of %d: %w", c.ID, translate(err))
		}
		var ap models.AccessPoint
		if err := tx.First(&ap, "id = ?", c.AccessPointID).Error; err != nil {
			return "", fmt.Errorf("access point %s: %w", c.AccessPointID, translate(err))
		}
		var rp models.ReceptionPerson
		if err := tx.Where("access_point_id = ?", c.AccessPointID).Order("id").First(&rp).Error; err != nil {
			return "", fmt.Errorf("reception of %s: %w", c.AccessPointID, translate(err))
		}
		now := s.now()
		v := models.Visit{TicketID: t.ID, ConnectionID: c.ID, AccessPointID: c.AccessPointID, Date: date, Window: ap.VisitWindow,
			ReceptionPersonID: rp.ID, State: models.VisitScheduled, CheckinCode: s.cfg.NewCheckinCode(), CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&v).Error; err != nil {
			return "", fmt.Errorf("record visit: %w", translate(err))
		}
		if err := tx.Model(&models.Ticket{}).Where("id = ?", t.ID).
			Updates(map[string]any{"state": models.TicketBooked, "updated_at": now}).Error; err != nil {
			return "", fmt.Errorf("book ticket %d: %w", t.ID, err)
		}
		return fmt.Sprintf("IDC visit %s %s, reception %s (ticket %d)", date, v.Window, rp.Name, t.ID),
			s.notify(tx, c, models.NoticeVisitScheduled, c.AppliedChannel, nil)
	})
}

// CheckInForTest checks in the visitors of connection id's latest visit as
// actor, as Visitors Arrived does, on a visit moved to today first (the
// lifecycle tables walk connections at a fixed clock). When the lifecycle
// allows the actor to check in and the connection has no visit to check in
// (a Terminating line whose removal visit is not booked yet), one is booked
// for today, without notices, as schedule-visits would have. Refusals
// change nothing.
func (s *Store) CheckInForTest(ctx context.Context, actor models.Actor, id int64) (*models.Connection, error) {
	var c models.Connection
	if err := s.db.WithContext(ctx).First(&c, id).Error; err != nil {
		return nil, translate(err)
	}
	var v models.Visit
	if err := first(s.db.WithContext(ctx).Order("id DESC"), &v, "connection_id = ?", id); err != nil {
		return nil, err
	}
	_, lookupErr := models.Lookup(models.ActionCheckIn, c.Status, c.Step, actor.Role)
	if lookupErr == nil && visibleTo(actor, &c) {
		var ap models.AccessPoint
		if err := s.db.WithContext(ctx).First(&ap, "id = ?", c.AccessPointID).Error; err != nil {
			return nil, err
		}
		cal, err := calendarTx(s.db.WithContext(ctx), ap.RegionID)
		if err != nil {
			return nil, err
		}
		today := models.DateOf(s.now(), cal.Location).String()
		switch {
		case v.ID != 0 && (v.State == models.VisitScheduled || v.State == models.VisitNoShow):
			if err := s.db.WithContext(ctx).Model(&models.Visit{}).Where("id = ?", v.ID).Update("date", today).Error; err != nil {
				return nil, err
			}
		default:
			var t models.Ticket
			if err := s.db.WithContext(ctx).Where("connection_id = ? AND kind IN ? AND state = ?", c.ID, bookedKinds, models.TicketOpen).First(&t).Error; err != nil {
				return nil, fmt.Errorf("open ticket of %d: %w", c.ID, translate(err))
			}
			var rp models.ReceptionPerson
			if err := s.db.WithContext(ctx).Where("access_point_id = ?", c.AccessPointID).Order("id").First(&rp).Error; err != nil {
				return nil, err
			}
			now := s.now()
			v = models.Visit{TicketID: t.ID, ConnectionID: c.ID, AccessPointID: c.AccessPointID, Date: today, Window: ap.VisitWindow,
				ReceptionPersonID: rp.ID, State: models.VisitScheduled, CheckinCode: s.cfg.NewCheckinCode(), CreatedAt: now, UpdatedAt: now}
			if err := s.db.WithContext(ctx).Create(&v).Error; err != nil {
				return nil, err
			}
		}
	}
	if _, err := s.checkIn(ctx, actor, id, v.ID, false); err != nil {
		return nil, err
	}
	var out models.Connection
	if err := s.db.WithContext(ctx).First(&out, id).Error; err != nil {
		return nil, translate(err)
	}
	return &out, nil
}
