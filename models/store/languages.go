package store

// Languages (issue 12): what a person or a channel chose, and a provider's
// default from the catalog. The handlers resolve who reads which language;
// the store only keeps the settings.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The kinds of subject a language is set for.
const (
	LanguageUser    = "user"
	LanguageChannel = "channel"
)

// languageSetting is a row of language_settings.
type languageSetting struct {
	SubjectKind string `gorm:"primaryKey"`
	SubjectID   string `gorm:"primaryKey"`
	Lang        string
	SetBy       string
	SetAt       time.Time
}

func (languageSetting) TableName() string { return "language_settings" }

func checkLanguageSubject(kind, id string) error {
	if kind != LanguageUser && kind != LanguageChannel {
		return fmt.Errorf("language setting: subject kind %q is neither %q nor %q", kind, LanguageUser, LanguageChannel)
	}
	if id == "" {
		return fmt.Errorf("language setting of a %s: no ID", kind)
	}
	return nil
}

// LanguageOf is the language set for a user or a channel ("" when none)
// and who set it.
func (s *Store) LanguageOf(ctx context.Context, kind, id string) (lang, setBy string, err error) {
	if err := checkLanguageSubject(kind, id); err != nil {
		return "", "", err
	}
	var row languageSetting
	err = s.db.WithContext(ctx).Where("subject_kind = ? AND subject_id = ?", kind, id).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return "", "", nil
	case err != nil:
		return "", "", fmt.Errorf("language of %s %s: %w", kind, id, err)
	}
	return row.Lang, row.SetBy, nil
}

// ChannelLanguage is the language of a channel's messages in one query:
// the channel's own setting, else the default language of the provider
// whose channel it is; from says which ("channel", "provider"; "" and lang
// "" when neither).
func (s *Store) ChannelLanguage(ctx context.Context, channelID string) (lang, from string, err error) {
	if channelID == "" {
		return "", "", nil
	}
	var row struct{ Own, Provider string }
	err = s.db.WithContext(ctx).Raw(`SELECT
  COALESCE((SELECT lang FROM language_settings WHERE subject_kind = ? AND subject_id = ?), '') AS own,
  COALESCE((SELECT language FROM providers WHERE slack_channel = ? AND language <> '' ORDER BY id LIMIT 1), '') AS provider`,
		LanguageChannel, channelID, channelID).Scan(&row).Error
	if err != nil {
		return "", "", fmt.Errorf("language of channel %s: %w", channelID, err)
	}
	switch {
	case row.Own != "":
		return row.Own, LanguageChannel, nil
	case row.Provider != "":
		return row.Provider, "provider", nil
	}
	return "", "", nil
}

// SetLanguage sets the language of a user or a channel, recording who set
// it and when.
func (s *Store) SetLanguage(ctx context.Context, kind, id, lang, setBy string) error {
	if err := checkLanguageSubject(kind, id); err != nil {
		return err
	}
	if lang == "" {
		return fmt.Errorf("language of %s %s: empty (reset it instead)", kind, id)
	}
	row := languageSetting{SubjectKind: kind, SubjectID: id, Lang: lang, SetBy: setBy, SetAt: s.now().UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "subject_kind"}, {Name: "subject_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"lang", "set_by", "set_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("set language of %s %s: %w", kind, id, err)
	}
	return nil
}

// ResetLanguage removes the language set for a user or a channel; it
// reports whether one was set.
func (s *Store) ResetLanguage(ctx context.Context, kind, id string) (bool, error) {
	if err := checkLanguageSubject(kind, id); err != nil {
		return false, err
	}
	res := s.db.WithContext(ctx).Where("subject_kind = ? AND subject_id = ?", kind, id).Delete(&languageSetting{})
	if res.Error != nil {
		return false, fmt.Errorf("reset language of %s %s: %w", kind, id, res.Error)
	}
	return res.RowsAffected > 0, nil
}
