package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leaseline/leaseline/models"
)

// Booking IDC visits, set-based: a batch of construction tickets is booked
// in one transaction. What the picks need (the access points, calendars,
// bookings, rotas, providers and surveys of the batch) is read once, the
// days are chosen in memory with models.VisitDays, and the visits, the
// tickets' and connections' changes, the audit entries and the notices are
// written with multi-row statements: a few statements per batch, not per
// ticket.

// TicketsToBook lists the construction tickets waiting for a visit at now
// (submitted at or before now, connection at the step "construction ticket
// submitted"), oldest first, with ids above afterID (for paging), at most
// limit (<= 0 means 100).
func (s *Store) TicketsToBook(ctx context.Context, now time.Time, afterID int64, limit int) ([]models.Ticket, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []models.Ticket
	err := s.db.WithContext(ctx).Model(&models.Ticket{}).Select("tickets.*").
		Joins("JOIN connections ON connections.id = tickets.connection_id").
		Where("tickets.kind IN ? AND tickets.state = ? AND tickets.created_at <= ? AND tickets.id > ?", bookedKinds, models.TicketOpen, now.UTC(), afterID).
		Where(bookable(s.db)).
		Order("tickets.id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list tickets to book: %w", err)
	}
	return out, nil
}

// WaitingAccessPoints lists the access points with construction tickets
// waiting for a visit at now (as TicketsToBook), by id.
func (s *Store) WaitingAccessPoints(ctx context.Context, now time.Time) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Model(&models.Ticket{}).Distinct("access_point_id").
		Where("kind IN ? AND state = ? AND created_at <= ?", bookedKinds, models.TicketOpen, now.UTC()).
		Order("access_point_id").Pluck("access_point_id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("list access points with tickets to book: %w", err)
	}
	return out, nil
}

// BookVisits books the IDC visits of the construction tickets waiting at
// now (as TicketsToBook) that q chooses, in one transaction, by the rules
// of BookVisit. Within an IDC the tickets are booked in id order: first
// come, first served.
//
// The access points are locked first (all, or q's), in id order, so that
// concurrent bookings respect their capacity and book in ticket order; the
// batch's connections are then claimed with FOR UPDATE SKIP LOCKED (one a
// staff member is changing is left for the next run). SQLite's immediate
// transaction holds the database's write lock instead. Two replicas never
// book the same ticket. A crash books the whole batch or none of it. A
// ticket that cannot be booked (no rota, no day with room) is reported in
// Failed and stays open; the others are booked.
func (s *Store) BookVisits(ctx context.Context, now time.Time, q models.BookingQuery) (models.BookingBatch, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 500
	}
	var out models.BookingBatch
	var booked []*booking
	err := s.tx(ctx, func(tx *gorm.DB) error {
		out, booked = models.BookingBatch{}, nil
		// The access points first, in id order: a second booker of the
		// same IDCs waits here, then claims the tickets after ours and sees
		// our bookings (first come, first served across replicas too).
		lock := s.forUpdate(tx).Model(&models.AccessPoint{}).Order("id")
		if len(q.AccessPoints) > 0 {
			lock = lock.Where("id IN ?", q.AccessPoints)
		}
		var locked []string
		if err := lock.Pluck("id", &locked).Error; err != nil {
			return fmt.Errorf("lock access points: %w", err)
		}
		var tickets []models.Ticket
		claim := tx.Model(&models.Ticket{}).Select("tickets.*").
			Joins("JOIN connections ON connections.id = tickets.connection_id").
			Where("tickets.kind IN ? AND tickets.state = ? AND tickets.created_at <= ? AND tickets.id > ?", bookedKinds, models.TicketOpen, now.UTC(), q.AfterID).
			Where(bookable(tx)).
			Order("tickets.id").Limit(limit)
		if len(q.AccessPoints) > 0 {
			claim = claim.Where("tickets.access_point_id IN ?", q.AccessPoints)
		}
		if s.dialect == "postgres" {
			claim = claim.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Table: clause.Table{Name: "connections"}, Options: clause.LockingOptionsSkipLocked})
		}
		if err := claim.Find(&tickets).Error; err != nil {
			return fmt.Errorf("claim tickets to book: %w", err)
		}
		if len(tickets) == 0 {
			return nil
		}
		out.Claimed, out.LastTicketID = len(tickets), tickets[len(tickets)-1].ID
		var conns []models.Connection
		if err := tx.Where("id IN ?", ids(tickets, func(t models.Ticket) int64 { return *t.ConnectionID })).Find(&conns).Error; err != nil {
			return fmt.Errorf("load connections to book: %w", err)
		}
		var err error
		booked, out.Failed, err = s.book(tx, now, tickets, conns)
		return err
	})
	if err != nil {
		return models.BookingBatch{}, fmt.Errorf("book visits after ticket %d: %w", q.AfterID, err)
	}
	for _, b := range booked {
		out.Booked = append(out.Booked, b.visit)
		s.counted(models.ActionScheduleVisit, models.StatusConnecting)
	}
	return out, nil
}

// BookVisit books the IDC visit of construction ticket ticketID, in one
// transaction (action schedule visit, by the system): the first workday of
// the region's calendar after the ticket was submitted, not before the
// local date of the survey's planned arrival, and not in the past (the
// local day of now only while its visit window has not begun), skipping the
// IDC's lock-down days and days already at its daily visit capacity or
// without anyone of its reception rota on duty; the reception person on
// duty with the fewest visits (then the lowest id); the access point's
// visit window (models.VisitDays). The ticket becomes booked, and the
// customer, the provider's channel and the staff (in the ticket's thread)
// get a visit_scheduled notice with VisitNoticeData.
//
// It is idempotent: a ticket booked already returns its visit and false.
// The connection's row lock, the unique visits.ticket_id and the checks of
// the ticket's state and the connection's step make a ticket never booked
// twice, even by two processes at once; the access point's row is locked
// so that concurrent bookings respect its capacity.
func (s *Store) BookVisit(ctx context.Context, ticketID int64, now time.Time) (*models.Visit, bool, error) {
	var t models.Ticket
	if err := s.db.WithContext(ctx).First(&t, ticketID).Error; err != nil {
		return nil, false, fmt.Errorf("book visit for ticket %d: %w", ticketID, translate(err))
	}
	if (t.Kind != models.TicketConstruction && t.Kind != models.TicketRemoval) || t.ConnectionID == nil {
		return nil, false, fmt.Errorf("book visit for ticket %d: not a construction or removal ticket: %w", ticketID, models.ErrNotFound)
	}
	var v models.Visit
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var c models.Connection
		if err := s.forUpdate(tx).First(&c, *t.ConnectionID).Error; err != nil {
			return fmt.Errorf("lock connection %d: %w", *t.ConnectionID, translate(err))
		}
		if err := tx.First(&t, ticketID).Error; err != nil {
			return translate(err)
		}
		if t.State != models.TicketOpen {
			return errTicketBooked
		}
		if _, err := models.Lookup(models.ActionScheduleVisit, c.Status, c.Step, models.RoleSystem); err != nil {
			if done := s.alreadyDone(tx, &c, models.ActionScheduleVisit); done != nil {
				return done
			}
			return err
		}
		booked, failed, err := s.book(tx, now, []models.Ticket{t}, []models.Connection{c})
		switch {
		case err != nil:
			return err
		case len(failed) > 0:
			return failed[0].Err
		}
		v = booked[0].visit
		return nil
	})
	if err != nil {
		var done *models.AlreadyDoneError
		if errors.Is(err, errTicketBooked) || errors.As(err, &done) {
			v, err := s.visitOfTicket(ctx, ticketID)
			return v, false, err
		}
		return nil, false, fmt.Errorf("book visit for ticket %d: %w", ticketID, err)
	}
	s.counted(models.ActionScheduleVisit, models.StatusConnecting)
	return &v, true, nil
}

// booking is one ticket being booked.
type booking struct {
	ticket *models.Ticket
	conn   *models.Connection
	ap     *models.AccessPoint
	days   *models.VisitDays
	pick   models.VisitDay
	why    string // why not on the planned date ("" when it is)
	whyIs  string // the same as a code (models.Planned…)
	perDay int    // the IDC's visits a day, for whyIs == PlannedFull
	visit  models.Visit
}

// noticeTo is a notice to record: its kind, its key ("" for the
// connection's version key), where it goes.
type noticeTo struct {
	kind            models.NoticeKind
	key             string
	channel, thread string
}

// sameDay reports whether the visit is booked for the local day of now.
func (b *booking) sameDay(now time.Time) bool {
	return b.pick.Date == models.DateOf(now, b.days.Calendar.Location)
}

// book books tickets (open, in id order, their connections conns locked
// and at the step "construction ticket submitted") inside tx.
func (s *Store) book(tx *gorm.DB, now time.Time, tickets []models.Ticket, conns []models.Connection) ([]*booking, []models.TicketFailure, error) {
	trs := map[models.TicketKind]models.Transition{}
	for kind, from := range map[models.TicketKind]models.Status{models.TicketConstruction: models.StatusConnecting, models.TicketRemoval: models.StatusTerminating} {
		tr, err := models.Lookup(models.ActionScheduleVisit, from, models.StepTicketSubmitted, models.RoleSystem)
		if err != nil {
			return nil, nil, err
		}
		trs[kind] = tr
	}
	in, err := s.loadBookingInput(tx, now, tickets, conns)
	if err != nil {
		return nil, nil, err
	}
	// Choose the days in memory, in ticket order: first come, first served.
	var (
		todo   []*booking
		failed []models.TicketFailure
	)
	for i := range tickets {
		t := &tickets[i]
		b := &booking{ticket: t, conn: in.conns[*t.ConnectionID], ap: in.aps[t.AccessPointID], days: in.days[t.AccessPointID]}
		if b.conn == nil || b.ap == nil {
			return nil, nil, fmt.Errorf("ticket %d: connection or access point %s missing", t.ID, t.AccessPointID)
		}
		req := models.RequestOf(t, in.surveys[b.conn.ID], b.days.Calendar, now)
		if b.pick, err = b.days.Pick(req); err != nil {
			failed = append(failed, models.TicketFailure{TicketID: t.ID, Err: err})
			continue
		}
		b.why = b.days.PlannedReason(req, b.pick.Date)
		b.whyIs, _, b.perDay = b.days.PlannedWhy(req, b.pick.Date)
		b.days.Take(b.pick)
		todo = append(todo, b)
	}
	if len(todo) == 0 {
		return nil, failed, nil
	}
	at := s.now()
	visits := make([]models.Visit, len(todo))
	for i, b := range todo {
		visits[i] = models.Visit{TicketID: b.ticket.ID, ConnectionID: b.conn.ID, AccessPointID: b.ap.ID, Date: b.pick.Date.String(),
			Window: b.ap.VisitWindow, ReceptionPersonID: b.pick.Reception.ID, State: models.VisitScheduled, CheckinCode: s.cfg.NewCheckinCode(), CreatedAt: at, UpdatedAt: at}
		if b.sameDay(now) {
			visits[i].RemindedAt = &at // reminded below, at once
		}
	}
	if err := s.insertVisits(tx, visits); err != nil {
		if isUniqueViolation(err) {
			return nil, nil, fmt.Errorf("record visits: %w", errTicketBooked)
		}
		return nil, nil, fmt.Errorf("record visits: %w", err)
	}
	ticketIDs, connIDs := make([]int64, len(todo)), map[models.TicketKind][]int64{}
	for i, b := range todo {
		b.visit = visits[i]
		ticketIDs[i] = b.ticket.ID
		connIDs[b.ticket.Kind] = append(connIDs[b.ticket.Kind], b.conn.ID)
	}
	res := tx.Model(&models.Ticket{}).Where("id IN ? AND state = ?", ticketIDs, models.TicketOpen).
		Updates(map[string]any{"state": models.TicketBooked, "updated_at": at})
	if res.Error != nil {
		return nil, nil, fmt.Errorf("mark tickets booked: %w", res.Error)
	}
	if res.RowsAffected != int64(len(todo)) {
		return nil, nil, fmt.Errorf("mark tickets booked: %d of %d still open: %w", res.RowsAffected, len(todo), errTicketBooked)
	}
	for kind, ids := range connIDs {
		tr := trs[kind]
		q, set := tx.Model(&models.Connection{}).Where("id IN ? AND status = ?", ids, tr.From), map[string]any{"status": tr.To, "version": gorm.Expr("version + 1"), "updated_at": at}
		if tr.From == models.StatusConnecting {
			q, set["step"] = q.Where("step = ?", tr.AtStep), tr.ToStep
		}
		res = q.Updates(set)
		if res.Error != nil {
			return nil, nil, fmt.Errorf("%s: %w", models.ActionScheduleVisit, res.Error)
		}
		if res.RowsAffected != int64(len(ids)) {
			return nil, nil, fmt.Errorf("%s: %d of %d connections at their step: %w", models.ActionScheduleVisit, res.RowsAffected, len(ids), models.ErrConflict)
		}
	}
	events := make([]models.AuditEvent, len(todo))
	var notices []models.Notice
	seen := map[string]bool{}
	sys := models.SystemActor()
	for i, b := range todo {
		c, tr := b.conn, trs[b.ticket.Kind]
		events[i] = models.AuditEvent{ConnectionID: &c.ID, AccountID: &c.AccountID, Actor: sys.UserID, Role: sys.Role,
			Action: models.ActionScheduleVisit, FromStatus: c.Status, ToStatus: tr.To, Step: cmp.Or(tr.ToStep, c.Step), At: at,
			Detail: fmt.Sprintf("IDC visit %s %s at %s, reception %s (%s ticket %d)", b.visit.Date, b.visit.Window, b.ap.IDCName, b.pick.Reception.Name, b.ticket.Kind, b.ticket.ID)}
		p := in.providers[c.ProviderID]
		if p == nil {
			return nil, nil, fmt.Errorf("load provider %s: %w", c.ProviderID, models.ErrNotFound)
		}
		info := s.visitInfo(&b.visit, c, b.ap, &b.pick.Reception, b.days.Calendar, p, in.surveys[c.ID])
		info.PlannedReason = b.why
		info.PlannedWhy, info.PlannedCapacity = b.whyIs, b.perDay
		info.Removal = b.ticket.Kind == models.TicketRemoval
		raw, err := json.Marshal(info.VisitNoticeData)
		if err != nil {
			return nil, nil, fmt.Errorf("encode notice %s: %w", models.NoticeVisitScheduled, err)
		}
		staff, thread := s.cfg.StaffChannel, ""
		if b.ticket.StaffChannel != "" {
			staff, thread = b.ticket.StaffChannel, b.ticket.StaffTS
		}
		recipients := []noticeTo{{kind: models.NoticeVisitScheduled, channel: c.AppliedChannel}, {kind: models.NoticeVisitScheduled, channel: info.providerChannel},
			{kind: models.NoticeVisitScheduled, channel: staff, thread: thread}}
		if b.sameDay(now) {
			// A visit of today: the provider and the reception person are
			// reminded now, as reception-reminders would have in the morning
			// (same keys: never twice).
			for _, ch := range []string{info.providerChannel, b.pick.Reception.SlackUserID} {
				recipients = append(recipients, noticeTo{kind: models.NoticeVisitReminder, channel: ch,
					key: fmt.Sprintf("visit/%d/%s/%s/%s", b.visit.ID, models.NoticeVisitReminder, b.visit.Date, ch)})
			}
		}
		for _, to := range recipients {
			if to.channel == "" {
				s.log.WarnContext(tx.Statement.Context, "notice has no channel; skipped", "kind", to.kind, "connection", c.ID)
				continue
			}
			key := to.key
			if key == "" {
				key = fmt.Sprintf("conn/%d/v%d/%s/%s", c.ID, c.Version, to.kind, to.channel)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			notices = append(notices, models.Notice{Key: key, Kind: to.kind, Channel: to.channel, ThreadTS: to.thread,
				ConnectionID: &c.ID, Data: string(raw), State: models.NoticePending, NextAttemptAt: at, CreatedAt: at})
		}
		// The entry letter, after the provider's visit message: the PDF to
		// show at the door.
		if info.providerChannel != "" {
			n, err := letterNotice(fmt.Sprintf("visit/%d/%s/%s", b.visit.ID, models.NoticeVisitLetter, info.providerChannel), info, &b.visit, c, b.days.Calendar, at)
			if err != nil {
				return nil, nil, err
			}
			notices = append(notices, n)
		}
	}
	if err := s.insertAuditEvents(tx, events); err != nil {
		return nil, nil, fmt.Errorf("write audit events: %w", err)
	}
	if err := s.insertNotices(tx, notices); err != nil {
		return nil, nil, fmt.Errorf("record visit notices: %w", translate(err))
	}
	return todo, failed, nil
}

// insertVisits inserts visits (a batch's) and sets their IDs.
func (s *Store) insertVisits(tx *gorm.DB, visits []models.Visit) error {
	n := len(visits)
	var (
		ticket, conn, person          = make([]int64, n), make([]int64, n), make([]int64, n)
		ap, date, window, state, code = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		reminded                      = make([]*time.Time, n)
		created, updated              = make([]time.Time, n), make([]time.Time, n)
		byTicket                      = make(map[int64]*models.Visit, n)
	)
	for i := range visits {
		v := &visits[i]
		ticket[i], conn[i], person[i] = v.TicketID, v.ConnectionID, v.ReceptionPersonID
		ap[i], date[i], window[i], state[i], code[i] = v.AccessPointID, v.Date, v.Window, string(v.State), v.CheckinCode
		reminded[i], created[i], updated[i] = v.RemindedAt, v.CreatedAt, v.UpdatedAt
		byTicket[v.TicketID] = v
	}
	cols := []column{{"ticket_id", "bigint", ticket}, {"connection_id", "bigint", conn}, {"access_point_id", "text", ap},
		{"date", "text", date}, {"time_window", "text", window}, {"reception_person_id", "bigint", person}, {"state", "text", state},
		{"checkin_code", "text", code}, {"reminded_at", "timestamptz", reminded}, {"created_at", "timestamptz", created},
		{"updated_at", "timestamptz", updated}}
	got, err := s.insertRows(tx, "visits", n, cols, "RETURNING id, ticket_id", func(rows *sql.Rows) error {
		var id, ticketID int64
		if err := rows.Scan(&id, &ticketID); err != nil {
			return err
		}
		if v := byTicket[ticketID]; v != nil {
			v.ID = id
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case got != int64(n):
		return fmt.Errorf("%d of %d visits recorded", got, n)
	}
	return nil
}

// insertAuditEvents appends events (a batch's) to the audit trail.
func (s *Store) insertAuditEvents(tx *gorm.DB, events []models.AuditEvent) error {
	n := len(events)
	var (
		conn, account                               = make([]int64, n), make([]int64, n)
		actor, role, action, from, to, step, detail = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		at                                          = make([]time.Time, n)
	)
	for i, e := range events {
		if e.ConnectionID == nil || e.AccountID == nil {
			return fmt.Errorf("audit event %d of the batch names no connection or account", i)
		}
		conn[i], account[i] = *e.ConnectionID, *e.AccountID
		actor[i], role[i], action[i], from[i], to[i], step[i], detail[i] = e.Actor, string(e.Role), string(e.Action), string(e.FromStatus), string(e.ToStatus), string(e.Step), e.Detail
		at[i] = e.At
	}
	cols := []column{{"connection_id", "bigint", conn}, {"account_id", "bigint", account}, {"actor", "text", actor}, {"role", "text", role},
		{"action", "text", action}, {"from_status", "text", from}, {"to_status", "text", to}, {"step", "text", step},
		{"detail", "text", detail}, {"at", "timestamptz", at}}
	_, err := s.insertRows(tx, "audit_events", n, cols, "", nil)
	return err
}

// insertNotices records notices (a batch's; a key recorded already is left
// alone) and tells the notices hook.
func (s *Store) insertNotices(tx *gorm.DB, notices []models.Notice) error {
	n := len(notices)
	if n == 0 {
		return nil
	}
	var (
		key, kind, channel, thread, data, state = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		conn                                    = make([]int64, n)
		next, created                           = make([]time.Time, n), make([]time.Time, n)
	)
	for i, x := range notices {
		if x.ConnectionID == nil {
			return fmt.Errorf("notice %s names no connection", x.Key)
		}
		key[i], kind[i], channel[i], thread[i], data[i], state[i] = x.Key, string(x.Kind), x.Channel, x.ThreadTS, x.Data, string(x.State)
		conn[i], next[i], created[i] = *x.ConnectionID, x.NextAttemptAt, x.CreatedAt
	}
	cols := []column{{"key", "text", key}, {"kind", "text", kind}, {"channel", "text", channel}, {"thread_ts", "text", thread},
		{"connection_id", "bigint", conn}, {"data", "text", data}, {"state", "text", state}, {"next_attempt_at", "timestamptz", next},
		{"created_at", "timestamptz", created}}
	got, err := s.insertRows(tx, "notices", n, cols, "ON CONFLICT DO NOTHING", nil)
	if err != nil {
		return err
	}
	if got > 0 {
		s.noticesWritten(tx, notices)
	}
	return nil
}

// bookedKinds are the kinds of tickets schedule-visits books: construction
// and, on day two, removal.
var bookedKinds = []models.TicketKind{models.TicketConstruction, models.TicketRemoval}

// bookable is the condition on a ticket's connection (joined as
// connections) for its visit to be booked: a construction ticket's at the
// step "construction ticket submitted", a removal ticket's Terminating.
func bookable(db *gorm.DB) *gorm.DB {
	return db.Where("tickets.kind = ? AND connections.status = ? AND connections.step = ?", models.TicketConstruction, models.StatusConnecting, models.StepTicketSubmitted).
		Or("tickets.kind = ? AND connections.status = ?", models.TicketRemoval, models.StatusTerminating)
}
