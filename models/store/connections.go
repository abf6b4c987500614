package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// Apply creates a connection in status Applying from the apply form, after
// every rule has passed, and asks staff to review it. channel is where the
// customer applied: they hear back there. A broken rule returns
// models.RuleErrors.
func (s *Store) Apply(ctx context.Context, actor models.Actor, app models.Application, channel string) (*models.Connection, error) {
	if actor.Role != models.RoleCustomer || actor.AccountID == 0 {
		return nil, models.ErrNoAccount
	}
	app.Name = strings.TrimSpace(app.Name)
	app.Location = strings.TrimSpace(app.Location)
	var conn models.Connection
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// Lock the account so that two applications at once cannot both pass
		// the open-connections limit.
		var acct models.Account
		if err := s.forUpdate(tx).First(&acct, actor.AccountID).Error; err != nil {
			return translate(err)
		}
		ac, err := s.applyContext(tx, actor.AccountID, app)
		if err != nil {
			return err
		}
		if errs := app.Validate(ac); len(errs) > 0 {
			return errs
		}
		now := s.now()
		conn = models.Connection{
			AccountID: actor.AccountID, Name: app.Name, AccessPointID: app.AccessPointID,
			ProviderID: app.ProviderID, PortType: app.PortType, BandwidthMbps: app.BandwidthMbps,
			Location: app.Location, RedundantID: app.RedundantID, Status: models.StatusApplying,
			AppliedBy: actor.UserID, AppliedChannel: channel, ReviewChannel: s.cfg.StaffChannel,
			Version: 1, CreatedAt: now, UpdatedAt: now,
		}
		if offer, ok := ac.AccessPoint.Offer(app.PortType); ok {
			conn.AmountCents, conn.Currency = offer.PriceCents, offer.Currency
		}
		if err := tx.Create(&conn).Error; err != nil {
			return fmt.Errorf("create connection: %w", translate(err))
		}
		// A connection created now has no cards to settle.
		knownCards(tx, conn.ID, false)
		if s.dialect == "postgres" {
			ev := s.auditEvent(&conn, actor, models.ActionApply, "", models.StatusApplying, "")
			notices, err := s.noticesOf(tx, &conn, models.Tells(models.ActionApply), nil)
			if err != nil {
				return err
			}
			return s.writeChange(tx, models.ActionApply, &conn, nil, &ev, notices)
		}
		if err := s.audit(tx, &conn, actor, models.ActionApply, "", models.StatusApplying, ""); err != nil {
			return err
		}
		return s.tell(tx, &conn, models.Tells(models.ActionApply), nil)
	})
	if err != nil {
		return nil, err
	}
	s.counted(models.ActionApply, conn.Status)
	return &conn, nil
}

// applyContext gathers what the apply rules need, inside the transaction.
func (s *Store) applyContext(tx *gorm.DB, accountID int64, app models.Application) (models.ApplyContext, error) {
	ac := models.ApplyContext{AccountID: accountID, MaxOpen: s.cfg.MaxOpen, Providers: map[string]models.Provider{}}
	var ap models.AccessPoint
	err := tx.Preload("Providers").Preload("PortTypes").First(&ap, "id = ?", app.AccessPointID).Error
	switch {
	case err == nil:
		ac.AccessPoint = &ap
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return ac, fmt.Errorf("load access point: %w", err)
	}
	// The providers' names only word the refusal of a provider the access
	// point does not allow: read only then.
	if ac.AccessPoint != nil && !slices.ContainsFunc(ap.Providers, func(p models.AccessPointProvider) bool { return p.ProviderID == app.ProviderID }) {
		var provs []models.Provider
		if err := tx.Find(&provs).Error; err != nil {
			return ac, fmt.Errorf("load providers: %w", err)
		}
		for _, p := range provs {
			ac.Providers[p.ID] = p
		}
	}
	// The account's open connections and, for an access point taking
	// applications, whether any port type it offers has a free port (else
	// it shows as full, as markFull does): one statement.
	var got struct {
		Open    int
		HasFree bool
	}
	checkFree := ac.AccessPoint != nil && ap.Status.Open()
	err = tx.Raw(`SELECT (SELECT COUNT(*) FROM connections WHERE account_id = ? AND status IN ?) AS open,
		(? AND EXISTS (SELECT 1 FROM port_offers o WHERE o.access_point_id = ?
			AND EXISTS (SELECT 1 FROM ports p WHERE p.access_point_id = o.access_point_id AND p.port_type = o.port_type AND p.state = ?))) AS has_free`,
		accountID, notEnabledOpen(), checkFree, app.AccessPointID, models.PortFree).Scan(&got).Error
	if err != nil {
		return ac, fmt.Errorf("count open connections: %w", err)
	}
	ac.Open = got.Open
	if checkFree && !got.HasFree {
		ap.Status, ap.NoFreePort = models.APFull, true
	}
	if app.RedundantID != nil {
		var r models.Connection
		err := tx.First(&r, *app.RedundantID).Error
		switch {
		case err == nil:
			ac.Redundant = &r
			var rap models.AccessPoint
			if err := tx.First(&rap, "id = ?", r.AccessPointID).Error; err != nil {
				return ac, fmt.Errorf("load redundant access point: %w", err)
			}
			ac.RedundantRegion = rap.RegionID
			var partners int64
			if err := tx.Model(&models.Connection{}).Where("redundant_id = ? AND status NOT IN ?", r.ID, []models.Status{models.StatusRejected, models.StatusCanceled}).
				Count(&partners).Error; err != nil {
				return ac, fmt.Errorf("count redundant partners: %w", err)
			}
			ac.RedundantPaired = partners > 0 || r.RedundantID != nil
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return ac, fmt.Errorf("load redundant connection: %w", err)
		}
	}
	return ac, nil
}

// notEnabledOpen lists the statuses of connections that count against the
// open-connections limit: short of Enabled and not ended.
func notEnabledOpen() []models.Status {
	return []models.Status{models.StatusApplying, models.StatusApproved, models.StatusConnecting, models.StatusPendingConfirmation}
}

// Act runs a plain action (approve, reject, cancel, view port, notify
// provider, complete construction, confirm, expire) on connection id:
// models.Decide decides, the engine applies. Payment, survey, ticket and
// visit have their own methods.
func (s *Store) Act(ctx context.Context, actor models.Actor, id int64, in models.ActInput) (*models.Connection, error) {
	d, err := s.act(ctx, actor, id, in, false)
	if err != nil {
		return nil, err
	}
	return &d.Connection, nil
}

// ActDetail is Act returning the connection's detail as it is after the
// action: the connection is loaded once, locked in the action's
// transaction, and what the detail shows besides is read after the commit.
func (s *Store) ActDetail(ctx context.Context, actor models.Actor, id int64, in models.ActInput) (*models.Detail, error) {
	return s.act(ctx, actor, id, in, true)
}

func (s *Store) act(ctx context.Context, actor models.Actor, id int64, in models.ActInput, detail bool) (*models.Detail, error) {
	switch in.Action {
	case models.ActionPay, models.ActionSubmitSurvey, models.ActionSubmitTicket, models.ActionScheduleVisit, models.ActionApply, models.ActionResubmit,
		models.ActionChangeBandwidth:
		return nil, fmt.Errorf("act: %s has its own method", in.Action)
	}
	c, err := s.apply(ctx, actor, id, in.Action, func(_ *gorm.DB, c models.Connection, t models.Transition) (models.Effects, error) {
		return models.Decide(c, t, in)
	})
	if err != nil {
		return nil, err
	}
	d := &models.Detail{Connection: *c}
	if detail {
		if err := fillDetail(s.db.WithContext(ctx), d); err != nil {
			return nil, fmt.Errorf("%s connection %d: done, but %w", in.Action, id, err)
		}
	}
	return d, nil
}

// decision is the part of a transition particular to its action: it may
// write rows of its own (a survey, a ticket, a ledger entry, a port) and
// returns the effects models decided.
type decision func(tx *gorm.DB, c models.Connection, t models.Transition) (models.Effects, error)

// change is a transition that changes c itself and records its own
// notices, returning the audit detail (the visit booking's).
type change func(tx *gorm.DB, c *models.Connection, t models.Transition) (detail string, err error)

// transition runs a change through the engine.
func (s *Store) transition(ctx context.Context, actor models.Actor, id int64, a models.Action, fn change) (*models.Connection, error) {
	return s.apply(ctx, actor, id, a, func(tx *gorm.DB, c models.Connection, t models.Transition) (models.Effects, error) {
		detail, err := fn(tx, &c, t)
		return models.Effects{Conn: models.Moved(c, t), Detail: detail}, err
	})
}

// apply is the lifecycle engine: in one transaction it loads and locks the
// connection, checks tenancy, looks the action up in models.Transitions,
// asks decide for the effects and applies them: the connection as it
// becomes (only if its version is still the one read, which it bumps), the
// audit event, the scheduled visit closed, the notices to their
// recipients' channels.
func (s *Store) apply(ctx context.Context, actor models.Actor, id int64, a models.Action, decide decision) (*models.Connection, error) {
	var out models.Connection
	err := s.tx(ctx, func(tx *gorm.DB) error {
		lc, err := s.lockConnection(tx, id)
		if err != nil {
			return err
		}
		c := lc.Connection
		if !visibleTo(actor, &c) {
			return models.ErrNotFound
		}
		t, err := models.Lookup(a, c.Status, c.Step, actor.Role)
		if err != nil {
			// A role that may not do a here is told so, even when a was
			// done before (terminate, schedule visit happen more than once).
			if done := s.alreadyDone(tx, &c, a); done != nil && errors.Is(err, models.ErrWrongStatus) {
				return done
			}
			return err
		}
		e, err := decide(tx, c, t)
		if err != nil {
			return err
		}
		next := e.Conn
		next.ID, next.Version, next.UpdatedAt = c.ID, c.Version+1, s.now()
		ev := s.auditEvent(&next, actor, a, c.Status, next.Status, e.Detail)
		// PostgreSQL writes the connection, its audit event and its notices
		// in one statement, last (writeChange); SQLite, in process, one
		// after the other.
		if s.dialect != "postgres" {
			res := tx.Model(&models.Connection{}).Where("id = ? AND version = ?", c.ID, c.Version).Select("*").Omit("id", "created_at").Updates(&next)
			if res.Error != nil {
				return fmt.Errorf("%s connection %d: %w", a, c.ID, translate(res.Error))
			}
			if res.RowsAffected != 1 {
				return fmt.Errorf("%s connection %d: %w", a, c.ID, models.ErrConflict)
			}
			if err := tx.Create(&ev).Error; err != nil {
				return fmt.Errorf("write audit event: %w", err)
			}
		}
		if e.CloseVisit {
			if err := tx.Model(&models.Visit{}).Where("connection_id = ? AND state = ?", c.ID, models.VisitScheduled).
				Update("state", models.VisitDone).Error; err != nil {
				return fmt.Errorf("close visit: %w", err)
			}
		}
		if err := s.applyTermination(tx, actor, &c, &next, e); err != nil {
			return err
		}
		// Notices are keyed by the version the action started from.
		notices, err := s.noticesOf(tx, &c, e.Notices, lc.ProviderChannel)
		if err != nil {
			return err
		}
		if s.dialect == "postgres" {
			err = s.writeChange(tx, a, &c, &next, &ev, notices)
		} else {
			err = s.addNotices(tx, notices)
		}
		if err != nil {
			return err
		}
		if holdsPort(&c) != holdsPort(&next) {
			// A port was taken or given back: the low-water alert. It
			// locks the row of the (access point, port type) pair, which
			// every payment there takes: last, so that it is held for as
			// short a time as possible before the commit.
			if err := s.checkLowWater(tx, next.AccessPointID, next.PortType); err != nil {
				return err
			}
		}
		out = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.counted(a, out.Status)
	return &out, nil
}

// holdsPort reports whether c holds its port: allocated, and in a status
// that keeps it. An action that changes this took or gave back a port.
func holdsPort(c *models.Connection) bool { return c.PortID != nil && c.Status.HasPort() }

// lockConnection reads and locks connection id, with its provider's
// channel and whether it has cards to settle, in one statement.
func (s *Store) lockConnection(tx *gorm.DB, id int64) (*lockedConnection, error) {
	q := `SELECT connections.*, providers.slack_channel AS provider_channel,
		EXISTS (SELECT 1 FROM cards WHERE cards.connection_id = connections.id AND cards.buttons <> '') AS open_cards
		FROM connections LEFT JOIN providers ON providers.id = connections.provider_id WHERE connections.id = ?`
	if s.dialect == "postgres" {
		q += " FOR UPDATE OF connections"
	}
	var lc lockedConnection
	if err := tx.Raw(q, id).Scan(&lc).Error; err != nil {
		return nil, fmt.Errorf("load connection %d: %w", id, err)
	}
	if lc.ID == 0 {
		return nil, models.ErrNotFound
	}
	knownCards(tx, lc.ID, lc.OpenCards)
	return &lc, nil
}

// alreadyDone finds whether action a was done to c already, to tell the
// loser of a race "already approved by X at T".
func (s *Store) alreadyDone(tx *gorm.DB, c *models.Connection, a models.Action) error {
	if a == models.ActionViewPort {
		return nil
	}
	var ev models.AuditEvent
	err := tx.Where("connection_id = ? AND action = ?", c.ID, a).Order("id DESC").Limit(1).Find(&ev).Error
	if err != nil || ev.ID == 0 {
		return nil
	}
	return &models.AlreadyDoneError{Action: a, Status: c.Status, By: ev.Actor, At: ev.At}
}

// visibleTo reports whether actor may see connection c: customers their
// account's, providers theirs, staff and the system all.
func visibleTo(actor models.Actor, c *models.Connection) bool {
	switch actor.Role {
	case models.RoleStaff, models.RoleSystem:
		return true
	case models.RoleCustomer:
		return actor.SeesAccount(c.AccountID)
	case models.RoleProvider:
		return actor.ProviderID != "" && c.ProviderID == actor.ProviderID
	}
	return false
}
