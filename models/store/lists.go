package store

// The lists of connections people page through (`/leaseline list`, App
// Home, the staff queue) and the panel's count, each one indexed read of
// one page.

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

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
