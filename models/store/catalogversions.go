package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leaseline/leaseline/models"
)

// CatalogVersions returns the catalog's recorded versions, newest first (at
// most limit).
func (s *Store) CatalogVersions(ctx context.Context, limit int) ([]models.CatalogVersion, error) {
	var vs []models.CatalogVersion
	if err := s.db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&vs).Error; err != nil {
		return nil, fmt.Errorf("catalog versions: %w", err)
	}
	return vs, nil
}

// CurrentCatalog reads the catalog the database holds, in the shape the
// catalog file parses into (ports of connections included).
func (s *Store) CurrentCatalog(ctx context.Context) (*models.Catalog, error) {
	db := s.db.WithContext(ctx)
	var c models.Catalog
	for _, q := range []struct {
		what string
		dst  any
	}{
		{"regions", &c.Regions}, {"calendar days", &c.CalendarDays}, {"providers", &c.Providers},
		{"devices", &c.Devices}, {"ports", &c.Ports}, {"reception", &c.Reception},
	} {
		if err := db.Find(q.dst).Error; err != nil {
			return nil, fmt.Errorf("read catalog %s: %w", q.what, err)
		}
	}
	if err := db.Preload("Providers").Preload("PortTypes").Order("id").Find(&c.AccessPoints).Error; err != nil {
		return nil, fmt.Errorf("read catalog access points: %w", err)
	}
	return &c, nil
}

// operatorAlert is an alert to staff already sent, by its key.
type operatorAlert struct {
	Key    string `gorm:"primaryKey"`
	SentAt time.Time
}

func (operatorAlert) TableName() string { return "operator_alerts" }

// ClaimOperatorAlert records that the alert named key is being sent and
// reports whether it is the first claim: an alert goes out once, across
// restarts and replicas. Release it if sending fails.
func (s *Store) ClaimOperatorAlert(ctx context.Context, key string, at time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&operatorAlert{Key: key, SentAt: at})
	if res.Error != nil {
		return false, fmt.Errorf("claim operator alert %s: %w", key, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseOperatorAlert forgets a claimed alert that could not be sent, so
// that it is tried again.
func (s *Store) ReleaseOperatorAlert(ctx context.Context, key string) error {
	err := s.db.WithContext(ctx).Where("key = ?", key).Delete(&operatorAlert{}).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("release operator alert %s: %w", key, err)
	}
	return nil
}
