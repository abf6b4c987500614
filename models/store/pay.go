package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// Pay pays for an Approved connection from the account's prepaid balance
// and, in the same transaction, allocates a free port of the requested type
// at the access point (for a redundant pair at the same access point, on a
// device other than the partner's) and a physical connection ID; the status
// becomes Connecting.
//
// Nothing is half done: when the balance is short (models.ErrInsufficientBalance)
// or no port is free (models.ErrNoFreePort) nothing is debited and the
// connection stays Approved. For want of a port, staff are alerted in the
// staff channel so that they can add ports; the customer pays again later.
func (s *Store) Pay(ctx context.Context, actor models.Actor, id int64) (*models.Connection, error) {
	c, err := s.apply(ctx, actor, id, models.ActionPay, func(tx *gorm.DB, c models.Connection, t models.Transition) (models.Effects, error) {
		var acct models.Account
		if err := s.forUpdate(tx).First(&acct, c.AccountID).Error; err != nil {
			return models.Effects{}, fmt.Errorf("lock account: %w", translate(err))
		}
		// The ledger keeps one currency per account (Credit writes the
		// account's): a price in another cannot be paid from it.
		if c.Currency != acct.Currency {
			return models.Effects{}, fmt.Errorf("%w: the connection costs %s and the account's prepaid balance is in %s, which cannot pay it; ask the operator to settle it in %s",
				models.ErrInsufficientBalance, models.FormatMoney(c.AmountCents, c.Currency), acct.Currency, c.Currency)
		}
		balance, err := balanceOf(tx, c.AccountID)
		if err != nil {
			return models.Effects{}, err
		}
		if balance < c.AmountCents {
			return models.Effects{}, fmt.Errorf("%w: the connection costs %s and the balance is %s; top up %s and pay again",
				models.ErrInsufficientBalance, models.FormatMoney(c.AmountCents, c.Currency),
				models.FormatMoney(balance, c.Currency), models.FormatMoney(c.AmountCents-balance, c.Currency))
		}
		port, err := s.allocatePort(tx, &c)
		if err != nil {
			return models.Effects{}, err
		}
		pcID := s.cfg.NewPhysicalConnectionID()
		c.PhysicalConnectionID = &pcID
		c.DeviceID, c.PortID, c.PortName = port.DeviceID, &port.ID, port.Name
		entry := models.LedgerEntry{
			AccountID: c.AccountID, AmountCents: -c.AmountCents, Currency: c.Currency,
			Reason: "payment for " + pcID, ConnectionID: &c.ID, Actor: actor.UserID, CreatedAt: s.now(),
		}
		if err := tx.Create(&entry).Error; err != nil {
			return models.Effects{}, fmt.Errorf("debit balance: %w", err)
		}
		return models.Effects{
			Conn:    models.Moved(c, t),
			Detail:  fmt.Sprintf("paid %s; port %s %s; %s", models.FormatMoney(c.AmountCents, c.Currency), port.DeviceID, port.Name, pcID),
			Notices: models.Tells(models.ActionPay),
		}, nil
	})
	if errors.Is(err, models.ErrNoFreePort) {
		if aerr := s.alertNoPort(ctx, id); aerr != nil {
			s.log.ErrorContext(ctx, "alert staff of missing port", "connection", id, "err", aerr)
		}
	}
	return c, err
}

// allocatePort takes a free port for c and marks it allocated. On
// PostgreSQL the candidate row is locked with SKIP LOCKED so that concurrent
// payments take different ports without waiting on each other; the unique
// ports.connection_id and the state check in the UPDATE make a port never
// given twice on either database.
func (s *Store) allocatePort(tx *gorm.DB, c *models.Connection) (*models.Port, error) {
	q := tx.Where("access_point_id = ? AND port_type = ? AND state = ?", c.AccessPointID, c.PortType, models.PortFree)
	if c.RedundantID != nil {
		var partner models.Connection
		if err := tx.First(&partner, *c.RedundantID).Error; err != nil {
			return nil, fmt.Errorf("load redundant partner: %w", translate(err))
		}
		if partner.AccessPointID == c.AccessPointID && partner.DeviceID != "" {
			q = q.Where("device_id <> ?", partner.DeviceID)
		}
	}
	// Also keep c off the devices of connections that name c as their partner.
	// The first free port in catalog order (ports are numbered as the
	// catalog lists them): the same port on both databases, whatever their
	// collation, and on SQLite straight from the ports_free index (which
	// ends with the rowid) instead of sorting every free port by name.
	// Found and taken in one statement; the state check in the UPDATE and
	// the unique ports.connection_id make a port never given twice.
	q = q.Model(&models.Port{}).Select("id").Order("id").Limit(1)
	if s.dialect == "postgres" {
		q = q.Clauses(skipLocked())
	}
	var port models.Port
	if err := tx.Raw("UPDATE ports SET state = ?, connection_id = ? WHERE id = (?) AND state = ? RETURNING *",
		models.PortAllocated, c.ID, q, models.PortFree).Scan(&port).Error; err != nil {
		return nil, fmt.Errorf("allocate a free port: %w", translate(err))
	}
	if port.ID == 0 {
		return nil, fmt.Errorf("%w of type %s at %s: staff have been alerted; try paying again later (nothing was charged)",
			models.ErrNoFreePort, c.PortType, c.AccessPointID)
	}
	return &port, nil
}

// alertNoPort records, in its own transaction, the staff alert that a
// payment found no free port. Its key is per connection and day so that a
// customer retrying all day alerts staff once a day.
func (s *Store) alertNoPort(ctx context.Context, id int64) error {
	if s.cfg.StaffChannel == "" {
		return nil
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var c models.Connection
		if err := tx.First(&c, id).Error; err != nil {
			return translate(err)
		}
		now := s.now()
		n := models.Notice{
			Key:  fmt.Sprintf("conn/%d/no_free_port/%s", c.ID, now.Format("2006-01-02")),
			Kind: models.NoticeNoFreePort, Channel: s.cfg.StaffChannel, ConnectionID: &c.ID, Data: "{}",
			State: models.NoticePending, NextAttemptAt: now, CreatedAt: now,
		}
		err := tx.Create(&n).Error
		if isUniqueViolation(err) {
			return nil
		}
		return err
	})
}

func balanceOf(tx *gorm.DB, accountID int64) (int64, error) {
	var sum struct{ Total int64 }
	if err := tx.Model(&models.LedgerEntry{}).Select("COALESCE(SUM(amount_cents), 0) AS total").
		Where("account_id = ?", accountID).Scan(&sum).Error; err != nil {
		return 0, fmt.Errorf("sum balance: %w", err)
	}
	return sum.Total, nil
}

// Balance returns the prepaid balance of an account, in cents.
func (s *Store) Balance(ctx context.Context, accountID int64) (int64, error) {
	return balanceOf(s.db.WithContext(ctx), accountID)
}

// Credit adds money to an account's prepaid balance (a top-up by staff).
func (s *Store) Credit(ctx context.Context, actor models.Actor, accountID, cents int64, reason string) error {
	if actor.Role != models.RoleStaff && actor.Role != models.RoleSystem {
		return models.ErrForbidden
	}
	if cents <= 0 {
		return &models.RuleError{Field: "Amount", Rule: "amount-positive", Message: "Enter a positive amount to credit.", Args: map[string]any{}}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var acct models.Account
		if err := tx.First(&acct, accountID).Error; err != nil {
			return translate(err)
		}
		e := models.LedgerEntry{AccountID: accountID, AmountCents: cents, Currency: acct.Currency, Reason: reason, Actor: actor.UserID, CreatedAt: s.now()}
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("credit account %d: %w", accountID, err)
		}
		return nil
	})
}
