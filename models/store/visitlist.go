package store

import (
	"context"
	"fmt"

	"github.com/leaseline/leaseline/models"
)

// BookedVisits lists the visits booked (scheduled: neither canceled nor
// done) that q chooses, by date, IDC and booking.
func (s *Store) BookedVisits(ctx context.Context, q models.VisitQuery) ([]models.VisitListing, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	db := s.db.WithContext(ctx).Table("visits v").
		Select(`v.id AS visit_id, v.date, v.time_window AS "window", v.access_point_id, ap.name AS access_point_name,
			ap.idc_name, v.connection_id, c.physical_connection_id, p.name AS provider_name, rp.name AS reception_name,
			ap.name_zh AS access_point_name_zh, ap.idc_name_zh, p.name_zh AS provider_name_zh,
			(SELECT COUNT(*) FROM engineers e JOIN surveys sv ON sv.id = e.survey_id WHERE sv.connection_id = v.connection_id) AS visitors`).
		Joins("JOIN connections c ON c.id = v.connection_id").
		Joins("JOIN access_points ap ON ap.id = v.access_point_id").
		Joins("JOIN providers p ON p.id = c.provider_id").
		Joins("LEFT JOIN reception_people rp ON rp.id = v.reception_person_id").
		Where("v.state = ?", models.VisitScheduled)
	switch {
	case q.Date != "":
		db = db.Where("v.date = ?", q.Date)
	case q.From != "":
		db = db.Where("v.date >= ?", q.From)
	}
	if q.AccessPointID != "" {
		db = db.Where("v.access_point_id = ?", q.AccessPointID)
	}
	var out []models.VisitListing
	if err := db.Order("v.date, ap.idc_name, v.id").Limit(q.Limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list booked visits: %w", err)
	}
	return out, nil
}
