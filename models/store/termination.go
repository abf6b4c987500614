package store

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// The end of a line's life, as the engine applies it (Act with terminate,
// complete removal or cancel termination; models.Decide decides): the
// removal ticket that schedule-visits books like a construction ticket,
// the port given back at once, the redundant partner's owner told.

// applyTermination applies the day-two effects of e to connection c (as it
// was read; next is as it becomes) inside the action's transaction.
func (s *Store) applyTermination(tx *gorm.DB, actor models.Actor, c, next *models.Connection, e models.Effects) error {
	now := s.now()
	if e.OpenRemoval {
		t := models.Ticket{Kind: models.TicketRemoval, AccountID: c.AccountID, ConnectionID: &c.ID, AccessPointID: c.AccessPointID,
			Text: e.Detail, State: models.TicketOpen, SubmittedBy: actor.UserID, ReplyChannel: c.AppliedChannel, CreatedAt: now, UpdatedAt: now}
		if e.Planned != nil {
			t.PlannedDate = e.Planned.String()
		}
		if err := tx.Create(&t).Error; err != nil {
			return fmt.Errorf("open removal ticket: %w", translate(err))
		}
	}
	if e.DropRemoval {
		if err := tx.Model(&models.Ticket{}).Where("connection_id = ? AND kind = ? AND state IN ?", c.ID, models.TicketRemoval,
			[]models.TicketState{models.TicketOpen, models.TicketBooked}).
			Updates(map[string]any{"state": models.TicketClosed, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("close removal ticket: %w", err)
		}
		if err := tx.Model(&models.Visit{}).Where("connection_id = ? AND state = ?", c.ID, models.VisitScheduled).
			Updates(map[string]any{"state": models.VisitCanceled, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("cancel removal visit: %w", err)
		}
	}
	if !e.FreePort {
		return nil
	}
	res := tx.Model(&models.Port{}).Where("connection_id = ?", c.ID).
		Updates(map[string]any{"state": models.PortFree, "connection_id": gorm.Expr("NULL")})
	if res.Error != nil {
		return fmt.Errorf("free port of connection %d: %w", c.ID, translate(res.Error))
	}
	return s.tellPartners(tx, next)
}

// tellPartners tells the owner of each redundant partner of c still alive
// (the connection c names, and those naming c) that c is gone.
func (s *Store) tellPartners(tx *gorm.DB, c *models.Connection) error {
	q := tx.Where("redundant_id = ?", c.ID)
	if c.RedundantID != nil {
		q = q.Or("id = ?", *c.RedundantID)
	}
	var partners []models.Connection
	if err := tx.Where(q).Where("status NOT IN ?", []models.Status{models.StatusRejected, models.StatusCanceled, models.StatusTerminated}).
		Order("id").Find(&partners).Error; err != nil {
		return fmt.Errorf("load redundant partners: %w", err)
	}
	for i := range partners {
		p := &partners[i]
		data := models.PartnerNoticeData{Partner: c.DisplayID(), PartnerID: c.ID}
		if err := s.notify(tx, p, models.NoticePartnerTerminated, p.AppliedChannel, data); err != nil {
			return err
		}
	}
	return nil
}
