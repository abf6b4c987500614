package store

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// The entry letter (LOA-CFA): a visit_letter notice to the provider's
// channel whenever a visit is booked or moved, recorded in the same
// transaction as the visit. The delivery worker uploads it as a PDF
// (handlers/notices_letter.go renders it).

// letterData is what the entry letter of visit v shows: the visit notice's
// data, the facility assignment, the verification code and the local date
// of issue at.
func letterData(info visitInfo, v *models.Visit, c *models.Connection, cal *models.Calendar, at time.Time) models.VisitLetterData {
	d := models.VisitLetterData{VisitNoticeData: info.VisitNoticeData, Device: c.DeviceID, Port: c.PortName,
		PortType: string(c.PortType), CheckinCode: v.CheckinCode, Issued: models.DateOf(at, cal.Location).String()}
	// The letter is the document of the visit: not why it moved (Change
	// stays, so that its message says the earlier letter is void).
	d.PreviousDate, d.Reason, d.By = "", "", ""
	return d
}

// letterNotice is the entry letter of v for the provider under key, to
// record.
func letterNotice(key string, info visitInfo, v *models.Visit, c *models.Connection, cal *models.Calendar, at time.Time) (models.Notice, error) {
	raw, err := json.Marshal(letterData(info, v, c, cal, at))
	if err != nil {
		return models.Notice{}, fmt.Errorf("encode entry letter of visit %d: %w", v.ID, err)
	}
	return models.Notice{Key: key, Kind: models.NoticeVisitLetter, Channel: info.providerChannel, ConnectionID: &c.ID,
		Data: string(raw), State: models.NoticePending, NextAttemptAt: at, CreatedAt: at}, nil
}

// recordLetter records the entry letter of v for the provider under key
// (skipped when the provider has no channel; a key recorded already is
// left alone).
func (s *Store) recordLetter(tx *gorm.DB, key string, info visitInfo, v *models.Visit, c *models.Connection, cal *models.Calendar, at time.Time) error {
	if err := s.visitNotice(tx, key, models.NoticeVisitLetter, info.providerChannel, "", c.ID, letterData(info, v, c, cal, at)); err != nil {
		return fmt.Errorf("entry letter of visit %d: %w", v.ID, err)
	}
	return nil
}
