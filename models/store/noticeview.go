package store

import (
	"context"
	"fmt"

	"github.com/leaseline/leaseline/models"
)

// Notices lists the notices of a connection (0: every notice), oldest
// first: what each party was, or will be, told (settle notices, which tell
// nobody, are left out).
func (s *Store) Notices(ctx context.Context, connectionID int64) ([]models.Notice, error) {
	q := s.db.WithContext(ctx).Where("kind <> ?", models.NoticeSettle).Order("id")
	if connectionID != 0 {
		q = q.Where("connection_id = ?", connectionID)
	}
	var out []models.Notice
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	return out, nil
}
