package store

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// ended are the statuses that end a connection before Enabled.
var ended = []models.Status{models.StatusRejected, models.StatusCanceled}

// endedFrom is the status a Rejected or Canceled connection had when it
// ended, from its audit trail (oldest first); "" for any other.
func endedFrom(status models.Status, audit []models.AuditEvent) models.Status {
	if status != models.StatusRejected && status != models.StatusCanceled {
		return ""
	}
	for i := len(audit) - 1; i >= 0; i-- {
		if audit[i].ToStatus == status && audit[i].FromStatus != status {
			return audit[i].FromStatus
		}
	}
	return ""
}

// fillEndedFrom sets EndedFrom on the Rejected and Canceled connections of
// rows, in one query.
func fillEndedFrom(db *gorm.DB, rows []models.Connection) error {
	var ids []int64
	for i := range rows {
		if rows[i].Status == models.StatusRejected || rows[i].Status == models.StatusCanceled {
			ids = append(ids, rows[i].ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var evs []models.AuditEvent
	err := db.Select("connection_id", "from_status", "to_status", "id").
		Where("connection_id IN ? AND to_status IN ? AND from_status NOT IN ?", ids, ended, ended).
		Order("id").Find(&evs).Error
	if err != nil {
		return fmt.Errorf("load how connections ended: %w", err)
	}
	from := make(map[int64]models.Status, len(evs))
	for _, ev := range evs {
		if ev.ConnectionID != nil {
			from[*ev.ConnectionID] = ev.FromStatus // the last one wins
		}
	}
	for i := range rows {
		if f, ok := from[rows[i].ID]; ok {
			rows[i].EndedFrom = f
		}
	}
	return nil
}
