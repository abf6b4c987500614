package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
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

// List returns the connections actor may see, newest first: a customer's
// account's, a provider's own, all for staff; connections that ended
// (models.EndedStatuses) more than models.EndedListedFor ago are left out.
// limit <= 0 means 100.
func (s *Store) List(ctx context.Context, actor models.Actor, limit int) ([]models.Connection, error) {
	return s.list(ctx, actor, limit, false)
}

// ListAll is List with the connections that ended long ago.
func (s *Store) ListAll(ctx context.Context, actor models.Actor, limit int) ([]models.Connection, error) {
	return s.list(ctx, actor, limit, true)
}

func (s *Store) list(ctx context.Context, actor models.Actor, limit int, all bool) ([]models.Connection, error) {
	if limit <= 0 {
		limit = 100
	}
	q, err := s.listScope(ctx, actor, all)
	if err != nil {
		return nil, err
	}
	var out []models.Connection
	if err := q.Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	if err := s.fill(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// listScope is the connections actor may see, as List selects them.
func (s *Store) listScope(ctx context.Context, actor models.Actor, all bool) (*gorm.DB, error) {
	q := s.db.WithContext(ctx).Model(&models.Connection{})
	if !all {
		q = q.Where("NOT (status IN ? AND updated_at < ?)", models.EndedStatuses(), s.now().Add(-models.EndedListedFor))
	}
	switch actor.Role {
	case models.RoleCustomer:
		if actor.AccountID == 0 {
			return nil, models.ErrNoAccount
		}
		if ids := actor.Accounts(); len(ids) == 1 {
			q = q.Where("account_id = ?", ids[0])
		} else {
			q = q.Where("account_id IN ?", ids)
		}
	case models.RoleProvider:
		q = q.Where("provider_id = ? AND status IN ?", actor.ProviderID, []models.Status{models.StatusConnecting, models.StatusPendingConfirmation, models.StatusEnabled})
	case models.RoleStaff, models.RoleSystem:
	default:
		return nil, models.ErrForbidden
	}
	return q, nil
}

// ListPage is one page of List (page.All: of ListAll), newest first, read
// from the page's cursor by ID; more reports whether rows lie beyond it
// (older ones, or with page.Back newer ones). Its catalog names and how
// the ended ones ended are read in one statement each.
func (s *Store) ListPage(ctx context.Context, actor models.Actor, page models.Page) (rows []models.Connection, more bool, err error) {
	q, err := s.listScope(ctx, actor, page.All)
	if err != nil {
		return nil, false, err
	}
	n := page.PageSize()
	switch {
	case page.Cursor != nil && page.Back:
		q = q.Where("id > ?", page.Cursor.ID).Order("id")
	case page.Cursor != nil:
		q = q.Where("id < ?", page.Cursor.ID).Order("id DESC")
	default:
		q = q.Order("id DESC").Offset(max(page.Offset, 0))
	}
	if err := q.Limit(n + 1).Find(&rows).Error; err != nil {
		return nil, false, fmt.Errorf("list connections: %w", err)
	}
	rows, more = pageRows(rows, n, page.Cursor != nil && page.Back)
	if err := s.fill(ctx, rows); err != nil {
		return nil, false, err
	}
	return rows, more, nil
}

// pageRows keeps the n rows of a page read with one more (which tells
// whether more lie beyond), in the list's order: a page read backwards is
// turned around.
func pageRows(rows []models.Connection, n int, back bool) ([]models.Connection, bool) {
	more := len(rows) > n
	rows = rows[:min(len(rows), n)]
	if back {
		slices.Reverse(rows)
	}
	return rows, more
}

// fill sets what a list shows beside the connections' own columns: how
// the ended ones ended and the catalog names.
func (s *Store) fill(ctx context.Context, rows []models.Connection) error {
	if err := fillEndedFrom(s.db.WithContext(ctx), rows); err != nil {
		return err
	}
	return fillNames(s.db.WithContext(ctx), rows)
}

// StaffQueue returns the connections waiting on staff (review, and
// construction tickets not yet booked), oldest first.
func (s *Store) StaffQueue(ctx context.Context, limit int) ([]models.Connection, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []models.Connection
	err := s.queueScope(ctx).Order("updated_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load staff queue: %w", err)
	}
	if err := fillNames(s.db.WithContext(ctx), out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) queueScope(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Model(&models.Connection{}).
		Where("status = ? OR (status = ? AND step = ?)", models.StatusApplying, models.StatusConnecting, models.StepTicketSubmitted)
}

// StaffQueuePage is one page of StaffQueue, oldest change first, read
// from the page's cursor (last change, ID); more reports whether rows lie
// beyond it (later ones, or with page.Back earlier ones). The queue's two
// kinds are read by an index each, a page of each, and merged: a page
// costs the same however long the queue.
func (s *Store) StaffQueuePage(ctx context.Context, page models.Page) (rows []models.Connection, more bool, err error) {
	n := page.PageSize()
	c, back := page.Cursor, page.Cursor != nil && page.Back
	skip := 0 // a page asked for by number: the rows before it
	if c == nil {
		skip = max(page.Offset, 0)
	}
	read := func(where string, args ...any) ([]models.Connection, error) {
		q := s.db.WithContext(ctx).Where(where, args...)
		switch {
		case back:
			q = q.Where("(updated_at < ? OR (updated_at = ? AND id < ?))", c.At, c.At, c.ID).Order("updated_at DESC, id DESC")
		case c != nil:
			q = q.Where("(updated_at > ? OR (updated_at = ? AND id > ?))", c.At, c.At, c.ID).Order("updated_at, id")
		default:
			q = q.Order("updated_at, id")
		}
		var out []models.Connection
		if err := q.Limit(skip + n + 1).Find(&out).Error; err != nil {
			return nil, fmt.Errorf("load staff queue: %w", err)
		}
		return out, nil
	}
	reviews, err := read("status = ?", models.StatusApplying)
	if err != nil {
		return nil, false, err
	}
	tickets, err := read("status = ? AND step = ?", models.StatusConnecting, models.StepTicketSubmitted)
	if err != nil {
		return nil, false, err
	}
	rows = append(reviews, tickets...)
	slices.SortFunc(rows, func(x, y models.Connection) int {
		if o := x.UpdatedAt.Compare(y.UpdatedAt); o != 0 {
			return o
		}
		return cmp.Compare(x.ID, y.ID)
	})
	if back {
		slices.Reverse(rows)
	}
	rows = rows[min(len(rows), skip):]
	rows, more = pageRows(rows, n, back)
	if err := fillNames(s.db.WithContext(ctx), rows); err != nil {
		return nil, false, err
	}
	return rows, more, nil
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

// InProgress returns the connections of account accountID that wait on
// somebody (not models.Status.Settled), with their status and step only:
// what the account's channel panel counts. One indexed read, however many
// connections the account ever had.
func (s *Store) InProgress(ctx context.Context, accountID int64) ([]models.Connection, error) {
	var unsettled []models.Status
	for _, st := range models.Statuses {
		if !st.Settled() {
			unsettled = append(unsettled, st)
		}
	}
	var out []models.Connection
	err := s.db.WithContext(ctx).Select("id", "account_id", "status", "step").
		Where("account_id = ? AND status IN ?", accountID, unsettled).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("connections in progress of account %d: %w", accountID, err)
	}
	return out, nil
}
