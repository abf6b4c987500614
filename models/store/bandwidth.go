package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// Change Bandwidth: the customer's request (a row of the lifecycle table,
// Enabled to Enabled) and staff's decision on it, which charges or refunds
// the price difference from the prepaid balance in the same transaction.

// RequestBandwidth asks, as the customer of Enabled line id, for mbps
// (checked against the port type's range at its access point); staff are
// asked to review it. One request is pending at a time.
func (s *Store) RequestBandwidth(ctx context.Context, actor models.Actor, id int64, mbps int) (*models.Connection, error) {
	return s.apply(ctx, actor, id, models.ActionChangeBandwidth, func(tx *gorm.DB, c models.Connection, t models.Transition) (models.Effects, error) {
		if c.RequestedMbps > 0 {
			return models.Effects{}, &models.RuleError{Field: models.FieldBandwidth, Rule: "bandwidth-pending",
				Message: fmt.Sprintf("A change to %d Mbps already awaits staff's review.", c.RequestedMbps), Args: map[string]any{"Mbps": c.RequestedMbps}}
		}
		offer, err := offerOf(tx, &c)
		if err != nil {
			return models.Effects{}, err
		}
		if err := models.CheckBandwidth(c, offer, mbps); err != nil {
			return models.Effects{}, err
		}
		data := bandwidthData(c, offer, mbps)
		c.RequestedMbps = mbps
		detail := fmt.Sprintf("asked for %d Mbps (now %d Mbps)", mbps, c.BandwidthMbps)
		if data.Amount != "" {
			detail += fmt.Sprintf("; %s %s", map[bool]string{false: "costs", true: "refunds"}[data.Refund], data.Amount)
		}
		return models.Effects{Conn: models.Moved(c, t), Detail: detail,
			Notices: []models.Tell{{Kind: models.NoticeBandwidthRequested, To: models.PartyStaff, Data: data}}}, nil
	})
}

// DecideBandwidth approves or rejects (with a reason), as staff, the
// bandwidth change pending on line id. Approval charges the price
// difference from the account's balance (or refunds it) and sets the new
// bandwidth; with too little credit nothing changes, the customer is told
// how much to top up (models.ErrInsufficientBalance), and the request
// stays pending for staff to approve once they have. The line stays
// Enabled; the decision is in the audit trail.
func (s *Store) DecideBandwidth(ctx context.Context, actor models.Actor, id int64, approve bool, reason string) (*models.Connection, error) {
	a := models.ActionRejectBandwidth
	if approve {
		a = models.ActionApproveBandwidth
	}
	var out models.Connection
	var short *models.BandwidthNoticeData
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var c models.Connection
		if err := s.forUpdate(tx).First(&c, id).Error; err != nil {
			return translate(err)
		}
		// As for the lifecycle's actions: another tenant learns nothing of
		// the line; the owning tenant's other roles are refused.
		if !visibleTo(actor, &c) {
			return models.ErrNotFound
		}
		if actor.Role != models.RoleStaff {
			return fmt.Errorf("%s may not %s: only staff review bandwidth changes: %w", actor.Role.Noun(), a, models.ErrForbidden)
		}
		if c.Status != models.StatusEnabled || c.RequestedMbps == 0 {
			if done := s.alreadyDone(tx, &c, a); done != nil {
				return done
			}
			return fmt.Errorf("no bandwidth change of %s awaits review: %w", c.DisplayID(), models.ErrWrongStatus)
		}
		offer, err := offerOf(tx, &c)
		if err != nil {
			return err
		}
		data := bandwidthData(c, offer, c.RequestedMbps)
		next := c
		next.RequestedMbps = 0
		var detail string
		tells := []models.Tell{{Kind: models.NoticeBandwidthRejected, To: models.PartyCustomer}}
		if approve {
			price := models.BandwidthPrice(c, offer, c.RequestedMbps)
			if err := s.chargeBandwidth(tx, actor, &c, price, &data); err != nil {
				if errors.Is(err, models.ErrInsufficientBalance) {
					short = &data
				}
				return err
			}
			next.BandwidthMbps = c.RequestedMbps
			detail = fmt.Sprintf("bandwidth %d → %d Mbps", c.BandwidthMbps, c.RequestedMbps)
			if data.Amount != "" {
				detail += fmt.Sprintf("; %s %s", map[bool]string{false: "charged", true: "refunded"}[data.Refund], data.Amount)
			}
			tells = []models.Tell{{Kind: models.NoticeBandwidthChanged, To: models.PartyCustomer}, {Kind: models.NoticeBandwidthChanged, To: models.PartyProvider}}
		} else {
			if detail = trimmed(reason); detail == "" {
				return &models.RuleError{Field: "Reason", Rule: "reason-required", Message: "Give a reason to reject the bandwidth change; the customer sees it.",
					Args: map[string]any{"For": models.ReasonForRejectBandwidth}}
			}
			data.Reason = detail
		}
		for i := range tells {
			tells[i].Data = data
		}
		next.Version, next.UpdatedAt = c.Version+1, s.now()
		res := tx.Model(&models.Connection{}).Where("id = ? AND version = ?", c.ID, c.Version).Select("*").Omit("id", "created_at").Updates(&next)
		if res.Error != nil {
			return fmt.Errorf("%s connection %d: %w", a, c.ID, translate(res.Error))
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("%s connection %d: %w", a, c.ID, models.ErrConflict)
		}
		if err := s.audit(tx, &next, actor, a, c.Status, next.Status, detail); err != nil {
			return err
		}
		out = next
		return s.tell(tx, &c, tells, nil)
	})
	if short != nil {
		if nerr := s.tellShort(ctx, id, *short); nerr != nil {
			s.log.ErrorContext(ctx, "tell the customer to top up", "connection", id, "err", nerr)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a, err)
	}
	s.counted(a, out.Status)
	return &out, nil
}

// chargeBandwidth debits price (refunds -price) from c's account, with a
// ledger entry; a balance too short is models.ErrInsufficientBalance, data
// then saying how much to top up.
func (s *Store) chargeBandwidth(tx *gorm.DB, actor models.Actor, c *models.Connection, price int64, data *models.BandwidthNoticeData) error {
	if price == 0 {
		return nil
	}
	var acct models.Account
	if err := s.forUpdate(tx).First(&acct, c.AccountID).Error; err != nil {
		return fmt.Errorf("lock account: %w", translate(err))
	}
	if price > 0 {
		balance, err := balanceOf(tx, c.AccountID)
		if err != nil {
			return err
		}
		if balance < price {
			data.TopUp = models.FormatMoney(price-balance, c.Currency)
			return fmt.Errorf("%w: the change costs %s and the balance is %s; the customer has been told to top up %s",
				models.ErrInsufficientBalance, data.Amount, models.FormatMoney(balance, c.Currency), data.TopUp)
		}
	}
	entry := models.LedgerEntry{AccountID: c.AccountID, AmountCents: -price, Currency: c.Currency,
		Reason: fmt.Sprintf("bandwidth %d → %d Mbps for %s", c.BandwidthMbps, c.RequestedMbps, c.DisplayID()), ConnectionID: &c.ID,
		Actor: actor.UserID, CreatedAt: s.now()}
	if err := tx.Create(&entry).Error; err != nil {
		return fmt.Errorf("record the bandwidth change's price: %w", err)
	}
	return nil
}

// tellShort records, in its own transaction, the notice telling the
// customer how much to top up for the bandwidth change (once per request
// and day).
func (s *Store) tellShort(ctx context.Context, id int64, data models.BandwidthNoticeData) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var c models.Connection
		if err := tx.First(&c, id).Error; err != nil {
			return translate(err)
		}
		now := s.now()
		raw, err := jsonOf(data)
		if err != nil {
			return err
		}
		n := models.Notice{Key: fmt.Sprintf("conn/%d/v%d/%s/%s", c.ID, c.Version, models.NoticeBandwidthShort, now.Format("2006-01-02")),
			Kind: models.NoticeBandwidthShort, Channel: c.AppliedChannel, ConnectionID: &c.ID, Data: raw,
			State: models.NoticePending, NextAttemptAt: now, CreatedAt: now}
		return s.addNotice(tx, &n)
	})
}

// offerOf is the port offer of c's port type at its access point.
func offerOf(tx *gorm.DB, c *models.Connection) (models.PortOffer, error) {
	var o models.PortOffer
	if err := tx.Where("access_point_id = ? AND port_type = ?", c.AccessPointID, c.PortType).First(&o).Error; err != nil {
		return o, fmt.Errorf("port type %s at %s: %w", c.PortType, c.AccessPointID, translate(err))
	}
	return o, nil
}

// bandwidthData is the notice data of changing c to mbps by offer.
func bandwidthData(c models.Connection, offer models.PortOffer, mbps int) models.BandwidthNoticeData {
	d := models.BandwidthNoticeData{FromMbps: c.BandwidthMbps, ToMbps: mbps}
	switch price := models.BandwidthPrice(c, offer, mbps); {
	case price > 0:
		d.Amount = models.FormatMoney(price, c.Currency)
	case price < 0:
		d.Amount, d.Refund = models.FormatMoney(-price, c.Currency), true
	}
	return d
}

func trimmed(s string) string { return strings.TrimSpace(s) }

func jsonOf(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode notice data: %w", err)
	}
	return string(b), nil
}
