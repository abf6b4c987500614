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
			ReceptionPersonID: rp.ID, State: models.VisitScheduled, CreatedAt: now, UpdatedAt: now}
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
