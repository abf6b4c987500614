package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// RemindReception sends the morning reminders of the day's visits: for each
// scheduled visit on the local date of now in its region, not yet reminded,
// a visit_reminder notice to the provider's channel and to the reception
// person (a DM, by Slack user ID): who arrives, when, with which ID
// (masked). Each visit is reminded once (RemindedAt), in one transaction
// with its notices. It returns how many visits were reminded.
func (s *Store) RemindReception(ctx context.Context, now time.Time) (int, error) {
	regions, err := s.Regions(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range regions {
		cal, err := s.Calendar(ctx, r.ID)
		if err != nil {
			return n, err
		}
		today := models.DateOf(now, cal.Location).String()
		var due []models.Visit
		err = s.db.WithContext(ctx).
			Where("state = ? AND date = ? AND reminded_at IS NULL", models.VisitScheduled, today).
			Where("access_point_id IN (?)", s.db.Model(&models.AccessPoint{}).Select("id").Where("region_id = ?", r.ID)).
			Order("id").Find(&due).Error
		if err != nil {
			return n, fmt.Errorf("list visits of %s on %s: %w", r.ID, today, err)
		}
		for _, v := range due {
			sent, err := s.remindVisit(ctx, v.ID, today, cal)
			if err != nil {
				return n, err
			}
			if sent {
				n++
			}
		}
	}
	return n, nil
}

func (s *Store) remindVisit(ctx context.Context, visitID int64, today string, cal *models.Calendar) (bool, error) {
	sent := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		at := s.now()
		res := tx.Model(&models.Visit{}).Where("id = ? AND state = ? AND date = ? AND reminded_at IS NULL", visitID, models.VisitScheduled, today).
			Update("reminded_at", at)
		if res.Error != nil {
			return fmt.Errorf("mark visit %d reminded: %w", visitID, res.Error)
		}
		if res.RowsAffected != 1 {
			return nil // reminded meanwhile, or changed
		}
		var v models.Visit
		if err := tx.First(&v, visitID).Error; err != nil {
			return translate(err)
		}
		var c models.Connection
		if err := tx.First(&c, v.ConnectionID).Error; err != nil {
			return fmt.Errorf("load connection %d: %w", v.ConnectionID, translate(err))
		}
		var ap models.AccessPoint
		if err := tx.First(&ap, "id = ?", v.AccessPointID).Error; err != nil {
			return fmt.Errorf("load access point %s: %w", v.AccessPointID, translate(err))
		}
		var rp models.ReceptionPerson
		if err := tx.First(&rp, v.ReceptionPersonID).Error; err != nil {
			return fmt.Errorf("load reception person %d: %w", v.ReceptionPersonID, translate(err))
		}
		sv, err := surveyOf(tx, c.ID)
		if err != nil {
			return err
		}
		info, err := s.visitData(tx, &v, &c, &ap, &rp, cal, sv)
		if err != nil {
			return err
		}
		for _, ch := range []string{info.providerChannel, rp.SlackUserID} {
			key := fmt.Sprintf("visit/%d/%s/%s/%s", v.ID, models.NoticeVisitReminder, today, ch)
			if err := s.visitNotice(tx, key, models.NoticeVisitReminder, ch, "", c.ID, info.VisitNoticeData); err != nil {
				return err
			}
		}
		sent = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("remind visit %d: %w", visitID, err)
	}
	return sent, nil
}
