package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// Find resolves a user's reference ("#42", "42", "pc-…") to a connection the
// actor may see; another tenant's connection is models.ErrNotFound.
func (s *Store) Find(ctx context.Context, actor models.Actor, ref string) (*models.Connection, error) {
	id, pcID, err := models.ParseRef(ref)
	if err != nil {
		return nil, &models.RuleError{Field: "ID", Rule: "connection-ref", Message: err.Error(), Args: map[string]any{"Input": strconv.Quote(strings.TrimSpace(ref))}}
	}
	var c models.Connection
	q := s.db.WithContext(ctx)
	if pcID != "" {
		err = q.First(&c, "physical_connection_id = ?", pcID).Error
	} else {
		err = q.First(&c, id).Error
	}
	if err != nil {
		return nil, translate(err)
	}
	if !visibleTo(actor, &c) {
		return nil, models.ErrNotFound
	}
	return &c, nil
}

// Detail loads everything about connection id that actor may see.
func (s *Store) Detail(ctx context.Context, actor models.Actor, id int64) (*models.Detail, error) {
	db := s.db.WithContext(ctx)
	var d models.Detail
	if err := db.First(&d.Connection, id).Error; err != nil {
		return nil, translate(err)
	}
	if !visibleTo(actor, &d.Connection) {
		return nil, models.ErrNotFound
	}
	if err := fillDetail(db, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// fillDetail loads everything d shows about d.Connection, which is loaded
// already.
func fillDetail(db *gorm.DB, d *models.Detail) error {
	c := &d.Connection
	if err := first(db, &d.Account, "id = ?", c.AccountID); err != nil {
		return err
	}
	if err := db.Preload("Providers").Preload("PortTypes").First(&d.AccessPoint, "id = ?", c.AccessPointID).Error; err != nil {
		return fmt.Errorf("load access point: %w", translate(err))
	}
	if err := db.First(&d.Region, "id = ?", d.AccessPoint.RegionID).Error; err != nil {
		return fmt.Errorf("load region: %w", translate(err))
	}
	if err := db.First(&d.Provider, "id = ?", c.ProviderID).Error; err != nil {
		return fmt.Errorf("load provider: %w", translate(err))
	}
	var sv models.Survey
	if err := first(db.Preload("Engineers"), &sv, "connection_id = ?", c.ID); err != nil {
		return err
	} else if sv.ID != 0 {
		d.Survey = &sv
	}
	var t models.Ticket
	if err := first(db, &t, "connection_id = ? AND kind = ?", c.ID, models.TicketConstruction); err != nil {
		return err
	} else if t.ID != 0 {
		d.Ticket = &t
	}
	var v models.Visit
	// The latest visit, a canceled one too (staff book it again by
	// rescheduling it).
	if err := first(db.Order("id DESC"), &v, "connection_id = ?", c.ID); err != nil {
		return err
	} else if v.ID != 0 {
		d.Visit = &v
		var rp models.ReceptionPerson
		if err := first(db, &rp, "id = ?", v.ReceptionPersonID); err != nil {
			return err
		} else if rp.ID != 0 {
			d.Reception = &rp
		}
	}
	if err := db.Where("connection_id = ?", c.ID).Order("id").Find(&d.Audit).Error; err != nil {
		return fmt.Errorf("load audit trail: %w", err)
	}
	c.EndedFrom = endedFrom(c.Status, d.Audit)
	c.AccessPointName, c.ProviderName, c.RegionName, c.TimeZone = d.AccessPoint.Name, d.Provider.Name, d.Region.Name, d.Region.TimeZone
	c.AccessPointNameZh, c.ProviderNameZh, c.RegionNameZh = d.AccessPoint.NameZh, d.Provider.NameZh, d.Region.NameZh
	return nil
}

// first loads the first match into dst, leaving it zero when none matches.
func first(db *gorm.DB, dst any, query string, args ...any) error {
	if err := db.Where(query, args...).Limit(1).Find(dst).Error; err != nil {
		return fmt.Errorf("load %T: %w", dst, err)
	}
	return nil
}

// Regions lists the regions.
func (s *Store) Regions(ctx context.Context) ([]models.Region, error) {
	var out []models.Region
	if err := s.db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list regions: %w", err)
	}
	return out, nil
}

// AccessPoints lists the access points with their allowed providers and port
// offers, in one region or ("" ) all. An access point open in the catalog
// where no port it offers is free is shown full (models.AccessPoint.NoFreePort).
func (s *Store) AccessPoints(ctx context.Context, regionID string) ([]models.AccessPoint, error) {
	q := s.db.WithContext(ctx).Preload("Providers").Preload("PortTypes").Order("region_id, id")
	if regionID != "" {
		q = q.Where("region_id = ?", regionID)
	}
	var out []models.AccessPoint
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list access points: %w", err)
	}
	if err := markFull(s.db.WithContext(ctx), out); err != nil {
		return nil, err
	}
	return out, nil
}

// AccessPoint loads one access point with its providers and offers.
func (s *Store) AccessPoint(ctx context.Context, id string) (*models.AccessPoint, error) {
	aps := make([]models.AccessPoint, 1)
	if err := s.db.WithContext(ctx).Preload("Providers").Preload("PortTypes").First(&aps[0], "id = ?", id).Error; err != nil {
		return nil, translate(err)
	}
	if err := markFull(s.db.WithContext(ctx), aps); err != nil {
		return nil, err
	}
	return &aps[0], nil
}

// Providers lists the service providers.
func (s *Store) Providers(ctx context.Context) ([]models.Provider, error) {
	var out []models.Provider
	if err := s.db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list providers: %w", err)
	}
	return out, nil
}

// Calendar builds the workday calendar of a region.
func (s *Store) Calendar(ctx context.Context, regionID string) (*models.Calendar, error) {
	db := s.db.WithContext(ctx)
	var r models.Region
	if err := db.First(&r, "id = ?", regionID).Error; err != nil {
		return nil, fmt.Errorf("region %s: %w", regionID, translate(err))
	}
	days, err := s.CalendarDays(ctx, regionID)
	if err != nil {
		return nil, err
	}
	return models.NewCalendar(r, days)
}

// CalendarDays lists the holidays and make-up workdays of a region (for
// models.NewCalendar with the region in hand).
func (s *Store) CalendarDays(ctx context.Context, regionID string) ([]models.CalendarDay, error) {
	var days []models.CalendarDay
	if err := s.db.WithContext(ctx).Where("region_id = ? AND access_point_id = ''", regionID).Find(&days).Error; err != nil {
		return nil, fmt.Errorf("load calendar of %s: %w", regionID, err)
	}
	return days, nil
}

// RedundancyCandidates lists the actor's connections in a region that can be
// named as a redundant link: holding a port and not yet paired.
func (s *Store) RedundancyCandidates(ctx context.Context, actor models.Actor, regionID string) ([]models.Connection, error) {
	if actor.AccountID == 0 {
		return nil, models.ErrNoAccount
	}
	var out []models.Connection
	err := s.db.WithContext(ctx).
		Where("account_id = ? AND status IN ? AND redundant_id IS NULL", actor.AccountID, []models.Status{models.StatusConnecting, models.StatusPendingConfirmation, models.StatusEnabled}).
		Where("access_point_id IN (?)", s.db.Model(&models.AccessPoint{}).Select("id").Where("region_id = ?", regionID)).
		Where("id NOT IN (?)", s.db.Model(&models.Connection{}).Select("redundant_id").Where("redundant_id IS NOT NULL AND status NOT IN ?", []models.Status{models.StatusRejected, models.StatusCanceled})).
		Order("id DESC").Limit(100).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list redundancy candidates: %w", err)
	}
	return out, nil
}

// ResolveCustomer finds the account a Slack user acts for: the channel's
// (in a linked channel, everyone acts for its account), then the user's own
// link, then the user's Slack team's. It returns models.ErrNoAccount when
// none matches.
func (s *Store) ResolveCustomer(ctx context.Context, teamID, channelID, userID string) (int64, error) {
	db := s.db.WithContext(ctx)
	if channelID != "" {
		var ch models.AccountChannel
		if err := first(db, &ch, "channel_id = ?", channelID); err != nil {
			return 0, err
		} else if ch.AccountID != 0 {
			return ch.AccountID, nil
		}
	}
	if userID != "" {
		var u models.AccountUser
		if err := first(db, &u, "slack_user_id = ?", userID); err != nil {
			return 0, err
		} else if u.AccountID != 0 {
			return u.AccountID, nil
		}
	}
	if teamID != "" {
		var a models.Account
		if err := first(db, &a, "slack_team_id = ?", teamID); err != nil {
			return 0, err
		} else if a.ID != 0 {
			return a.ID, nil
		}
	}
	return 0, models.ErrNoAccount
}

// ProviderByChannel finds the provider whose Slack channel this is.
func (s *Store) ProviderByChannel(ctx context.Context, channelID string) (*models.Provider, error) {
	var p models.Provider
	if err := s.db.WithContext(ctx).First(&p, "slack_channel = ?", channelID).Error; err != nil {
		return nil, translate(err)
	}
	return &p, nil
}

// Account loads an account.
func (s *Store) Account(ctx context.Context, id int64) (*models.Account, error) {
	var a models.Account
	if err := s.db.WithContext(ctx).First(&a, id).Error; err != nil {
		return nil, translate(err)
	}
	return &a, nil
}

// CreateAccount creates a customer account (staff only). A name already
// taken is a models.RuleError.
func (s *Store) CreateAccount(ctx context.Context, actor models.Actor, name, slackTeamID, currency string) (*models.Account, error) {
	if actor.Role != models.RoleStaff && actor.Role != models.RoleSystem {
		return nil, models.ErrForbidden
	}
	name = strings.TrimSpace(name)
	if len(name) < 2 || len(name) > 64 {
		return nil, &models.RuleError{Field: "Account", Rule: "account-name", Message: "Name the account with 2 to 64 characters.", Args: map[string]any{"Min": 2, "Max": 64}}
	}
	if currency == "" {
		currency = "CNY"
	}
	a := models.Account{Name: name, SlackTeamID: slackTeamID, Currency: currency, CreatedAt: s.now()}
	if err := s.db.WithContext(ctx).Create(&a).Error; err != nil {
		if isUniqueViolation(err) {
			return nil, &models.RuleError{Field: "Account", Rule: "account-unique", Message: fmt.Sprintf("An account named %q exists already.", name), Args: map[string]any{"Name": strconv.Quote(name)}}
		}
		return nil, fmt.Errorf("create account: %w", err)
	}
	return &a, nil
}

// AccountByName finds an account by its name (case-insensitive).
func (s *Store) AccountByName(ctx context.Context, name string) (*models.Account, error) {
	var a models.Account
	if err := s.db.WithContext(ctx).First(&a, "LOWER(name) = LOWER(?)", strings.TrimSpace(name)).Error; err != nil {
		return nil, translate(err)
	}
	return &a, nil
}

// LinkChannel links a Slack channel to a customer account (staff only); a
// channel linked before moves to the new account.
func (s *Store) LinkChannel(ctx context.Context, actor models.Actor, channelID string, accountID int64) error {
	if actor.Role != models.RoleStaff && actor.Role != models.RoleSystem {
		return models.ErrForbidden
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var ch models.AccountChannel
		err := tx.First(&ch, "channel_id = ?", channelID).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("load channel link: %w", err)
		}
		ch.ChannelID, ch.AccountID, ch.LinkedBy, ch.LinkedAt = channelID, accountID, actor.UserID, s.now()
		if err := tx.Save(&ch).Error; err != nil {
			return fmt.Errorf("link channel %s: %w", channelID, translate(err))
		}
		return nil
	})
}

// AddAccountUser makes a Slack user a user of an account (staff only).
func (s *Store) AddAccountUser(ctx context.Context, actor models.Actor, userID string, accountID int64) error {
	if actor.Role != models.RoleStaff && actor.Role != models.RoleSystem {
		return models.ErrForbidden
	}
	u := models.AccountUser{SlackUserID: userID, AccountID: accountID}
	if err := s.db.WithContext(ctx).Save(&u).Error; err != nil {
		return fmt.Errorf("add user %s to account %d: %w", userID, accountID, translate(err))
	}
	return nil
}

// AccountChannels lists the channels linked to an account.
func (s *Store) AccountChannels(ctx context.Context, accountID int64) ([]models.AccountChannel, error) {
	var out []models.AccountChannel
	if err := s.db.WithContext(ctx).Where("account_id = ?", accountID).Order("channel_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list account channels: %w", err)
	}
	return out, nil
}

// SetPanel records the panel message kept in a linked channel.
func (s *Store) SetPanel(ctx context.Context, channelID, ts string) error {
	err := s.db.WithContext(ctx).Model(&models.AccountChannel{}).Where("channel_id = ?", channelID).Update("panel_ts", ts).Error
	if err != nil {
		return fmt.Errorf("record panel of %s: %w", channelID, err)
	}
	return nil
}

// SetReviewMessage records where the review message of a connection was
// posted, so that it can be updated in place.
func (s *Store) SetReviewMessage(ctx context.Context, id int64, channel, ts string) error {
	err := s.db.WithContext(ctx).Model(&models.Connection{}).Where("id = ?", id).
		Updates(map[string]any{"review_channel": channel, "review_ts": ts}).Error
	if err != nil {
		return fmt.Errorf("record review message of %d: %w", id, err)
	}
	return nil
}

// Ticket loads a ticket.
func (s *Store) Ticket(ctx context.Context, id int64) (*models.Ticket, error) {
	var t models.Ticket
	if err := s.db.WithContext(ctx).First(&t, id).Error; err != nil {
		return nil, translate(err)
	}
	return &t, nil
}
