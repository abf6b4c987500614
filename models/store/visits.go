package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leaseline/leaseline/models"
)

// IDC visits: after-sales books the visit of the provider's engineers for
// each construction ticket (the scheduler's schedule-visits job), staff
// reschedule or cancel it, and the reception person and the provider are
// reminded on the morning of the visit.

// Audit actions of visit changes that are not lifecycle transitions.
const (
	ActionRescheduleVisit models.Action = "reschedule visit"
	ActionCancelVisit     models.Action = "cancel visit"
)

// Changes told by a visit_changed notice (VisitNoticeData.Change).
const (
	VisitRescheduled = "rescheduled"
	VisitCanceled    = "canceled"
)

// errTicketBooked stops a booking whose ticket was booked meanwhile.
var errTicketBooked = errors.New("ticket already booked")

// maxBookingScan bounds the search for a day with room: two years of days
// without one means a broken catalog (no rota, capacity 0), not a busy IDC.
const maxBookingScan = 2 * 366

// TicketsToBook lists the construction tickets waiting for a visit at now
// (submitted at or before now, connection at the step "construction ticket
// submitted"), oldest first, with ids above afterID (for paging), at most
// limit (<= 0 means 100).
func (s *Store) TicketsToBook(ctx context.Context, now time.Time, afterID int64, limit int) ([]models.Ticket, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []models.Ticket
	err := s.db.WithContext(ctx).
		Where("kind = ? AND state = ? AND created_at <= ? AND id > ?", models.TicketConstruction, models.TicketOpen, now.UTC(), afterID).
		Where("connection_id IN (?)", s.db.Model(&models.Connection{}).Select("id").
			Where("status = ? AND step = ?", models.StatusConnecting, models.StepTicketSubmitted)).
		Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list tickets to book: %w", err)
	}
	return out, nil
}

// BookVisit books the IDC visit of construction ticket ticketID, in one
// transaction through the lifecycle engine (action schedule visit, by the
// system): the first workday of the region's calendar after the ticket was
// submitted (and after the local day of now, so never today or in the
// past), skipping the IDC's lock-down days and days already at its daily
// visit capacity or without anyone of its reception rota on duty; the
// reception person on duty with the fewest visits (then the lowest id); the
// access point's visit window. The ticket becomes booked, and the customer,
// the provider's channel and the staff (in the ticket's thread) get a
// visit_scheduled notice with VisitNoticeData.
//
// It is idempotent: a ticket booked already returns its visit and false.
// The unique visits.ticket_id and the engine's version check make a ticket
// never booked twice, even by two processes at once; the access point's row
// is locked so that concurrent bookings respect its capacity.
func (s *Store) BookVisit(ctx context.Context, ticketID int64, now time.Time) (*models.Visit, bool, error) {
	var t models.Ticket
	if err := s.db.WithContext(ctx).First(&t, ticketID).Error; err != nil {
		return nil, false, fmt.Errorf("book visit for ticket %d: %w", ticketID, translate(err))
	}
	if t.Kind != models.TicketConstruction || t.ConnectionID == nil {
		return nil, false, fmt.Errorf("book visit for ticket %d: not a construction ticket: %w", ticketID, models.ErrNotFound)
	}
	if t.State != models.TicketOpen {
		v, err := s.visitOfTicket(ctx, ticketID)
		return v, false, err
	}
	var v models.Visit
	_, err := s.transition(ctx, models.SystemActor(), *t.ConnectionID, models.ActionScheduleVisit,
		func(tx *gorm.DB, c *models.Connection, _ models.Transition) (string, error) {
			var ap models.AccessPoint
			if err := s.forUpdate(tx).First(&ap, "id = ?", c.AccessPointID).Error; err != nil {
				return "", fmt.Errorf("lock access point %s: %w", c.AccessPointID, translate(err))
			}
			if err := s.forUpdate(tx).First(&t, ticketID).Error; err != nil {
				return "", fmt.Errorf("lock ticket %d: %w", ticketID, translate(err))
			}
			if t.State != models.TicketOpen {
				return "", errTicketBooked
			}
			cal, err := calendarTx(tx, ap.RegionID)
			if err != nil {
				return "", err
			}
			start := cal.WorkdayAfter(models.DateOf(t.CreatedAt, cal.Location))
			if earliest := cal.WorkdayAfter(models.DateOf(now, cal.Location)); start.Before(earliest) {
				start = earliest
			}
			date, rp, err := s.pickDay(tx, &ap, cal, start, 0)
			if err != nil {
				return "", err
			}
			at := s.now()
			v = models.Visit{TicketID: t.ID, ConnectionID: c.ID, AccessPointID: ap.ID, Date: date.String(), Window: ap.VisitWindow,
				ReceptionPersonID: rp.ID, State: models.VisitScheduled, CreatedAt: at, UpdatedAt: at}
			if err := tx.Create(&v).Error; err != nil {
				if isUniqueViolation(err) {
					return "", errTicketBooked
				}
				return "", fmt.Errorf("record visit: %w", err)
			}
			res := tx.Model(&models.Ticket{}).Where("id = ? AND state = ?", t.ID, models.TicketOpen).
				Updates(map[string]any{"state": models.TicketBooked, "updated_at": at})
			if res.Error != nil {
				return "", fmt.Errorf("mark ticket %d booked: %w", t.ID, res.Error)
			}
			if res.RowsAffected != 1 {
				return "", errTicketBooked
			}
			data, err := s.visitData(tx, &v, c, &ap, rp, cal)
			if err != nil {
				return "", err
			}
			staff, thread := s.cfg.StaffChannel, ""
			if t.StaffChannel != "" {
				staff, thread = t.StaffChannel, t.StaffTS
			}
			for _, to := range []struct{ channel, thread string }{{c.AppliedChannel, ""}, {data.providerChannel, ""}, {staff, thread}} {
				key := fmt.Sprintf("conn/%d/v%d/%s/%s", c.ID, c.Version, models.NoticeVisitScheduled, to.channel)
				if err := s.visitNotice(tx, key, models.NoticeVisitScheduled, to.channel, to.thread, c.ID, data.VisitNoticeData); err != nil {
					return "", err
				}
			}
			return fmt.Sprintf("IDC visit %s %s at %s, reception %s (ticket %d)", v.Date, v.Window, ap.IDCName, rp.Name, t.ID), nil
		})
	if err != nil {
		var done *models.AlreadyDoneError
		if errors.Is(err, errTicketBooked) || errors.As(err, &done) {
			v, err := s.visitOfTicket(ctx, ticketID)
			return v, false, err
		}
		return nil, false, fmt.Errorf("book visit for ticket %d: %w", ticketID, err)
	}
	return &v, true, nil
}

func (s *Store) visitOfTicket(ctx context.Context, ticketID int64) (*models.Visit, error) {
	var v models.Visit
	if err := s.db.WithContext(ctx).First(&v, "ticket_id = ?", ticketID).Error; err != nil {
		return nil, fmt.Errorf("visit of ticket %d: %w", ticketID, translate(err))
	}
	return &v, nil
}

// Visit loads a visit.
func (s *Store) Visit(ctx context.Context, id int64) (*models.Visit, error) {
	var v models.Visit
	if err := s.db.WithContext(ctx).First(&v, id).Error; err != nil {
		return nil, translate(err)
	}
	return &v, nil
}

// VisitsOn lists the visits of an access point on a date (YYYY-MM-DD),
// canceled ones included, in booking order.
func (s *Store) VisitsOn(ctx context.Context, accessPointID, date string) ([]models.Visit, error) {
	var out []models.Visit
	if err := s.db.WithContext(ctx).Where("access_point_id = ? AND date = ?", accessPointID, date).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list visits of %s on %s: %w", accessPointID, date, err)
	}
	return out, nil
}

// calendarTx builds a region's workday calendar inside tx.
func calendarTx(tx *gorm.DB, regionID string) (*models.Calendar, error) {
	var r models.Region
	if err := tx.First(&r, "id = ?", regionID).Error; err != nil {
		return nil, fmt.Errorf("region %s: %w", regionID, translate(err))
	}
	var days []models.CalendarDay
	if err := tx.Where("region_id = ? AND access_point_id = ''", regionID).Find(&days).Error; err != nil {
		return nil, fmt.Errorf("load calendar of %s: %w", regionID, err)
	}
	return models.NewCalendar(r, days)
}

// pickDay finds the first day from start on which the access point takes a
// visit: a workday, not locked down, below the daily capacity (not counting
// visit except, when rescheduling), with someone of the rota on duty; and
// the reception person for it.
func (s *Store) pickDay(tx *gorm.DB, ap *models.AccessPoint, cal *models.Calendar, start models.Date, except int64) (models.Date, *models.ReceptionPerson, error) {
	blocked, err := lockDowns(tx, ap, start)
	if err != nil {
		return models.Date{}, nil, err
	}
	booked, err := visitsPerDay(tx, ap.ID, start, except)
	if err != nil {
		return models.Date{}, nil, err
	}
	rota, load, err := receptionRota(tx, ap.ID, except)
	if err != nil {
		return models.Date{}, nil, err
	}
	if len(rota) == 0 {
		return models.Date{}, nil, fmt.Errorf("access point %s has no reception rota: add reception people to the catalog", ap.ID)
	}
	capacity := max(ap.DailyVisitCapacity, 1)
	d := start
	for range maxBookingScan {
		if cal.IsWorkday(d) && !blocked[d] && booked[d.String()] < capacity {
			if rp := onDuty(rota, load, d); rp != nil {
				return d, rp, nil
			}
		}
		d = d.AddDays(1)
	}
	return models.Date{}, nil, fmt.Errorf("access point %s has no day with room for a visit from %s to %s (capacity %d, lock-downs, rota)", ap.ID, start, d, capacity)
}

// lockDowns returns the IDC's lock-down days (its own and its region's)
// from start on.
func lockDowns(tx *gorm.DB, ap *models.AccessPoint, start models.Date) (map[models.Date]bool, error) {
	var days []models.CalendarDay
	err := tx.Where("region_id = ? AND (access_point_id = ? OR access_point_id = '') AND kind = ? AND date >= ?",
		ap.RegionID, ap.ID, models.DayLockDown, start.String()).Find(&days).Error
	if err != nil {
		return nil, fmt.Errorf("load lock-down days of %s: %w", ap.ID, err)
	}
	out := make(map[models.Date]bool, len(days))
	for _, d := range days {
		date, err := models.ParseDate(d.Date)
		if err != nil {
			return nil, fmt.Errorf("lock-down day of %s: %w", ap.ID, err)
		}
		out[date] = true
	}
	return out, nil
}

// visitsPerDay counts the visits (not canceled) booked at an access point
// per date from start on.
func visitsPerDay(tx *gorm.DB, apID string, start models.Date, except int64) (map[string]int, error) {
	var rows []struct {
		Date string
		N    int
	}
	err := tx.Model(&models.Visit{}).Select("date, COUNT(*) AS n").
		Where("access_point_id = ? AND state <> ? AND date >= ? AND id <> ?", apID, models.VisitCanceled, start.String(), except).
		Group("date").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count visits of %s: %w", apID, err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Date] = r.N
	}
	return out, nil
}

// receptionRota loads an access point's reception people (by id) and how
// many visits (not canceled) each has been given.
func receptionRota(tx *gorm.DB, apID string, except int64) ([]models.ReceptionPerson, map[int64]int, error) {
	var rota []models.ReceptionPerson
	if err := tx.Where("access_point_id = ?", apID).Order("id").Find(&rota).Error; err != nil {
		return nil, nil, fmt.Errorf("load reception rota of %s: %w", apID, err)
	}
	var rows []struct {
		ReceptionPersonID int64
		N                 int
	}
	err := tx.Model(&models.Visit{}).Select("reception_person_id, COUNT(*) AS n").
		Where("access_point_id = ? AND state <> ? AND id <> ?", apID, models.VisitCanceled, except).
		Group("reception_person_id").Scan(&rows).Error
	if err != nil {
		return nil, nil, fmt.Errorf("count visits per reception person of %s: %w", apID, err)
	}
	load := make(map[int64]int, len(rows))
	for _, r := range rows {
		load[r.ReceptionPersonID] = r.N
	}
	return rota, load, nil
}

// onDuty picks the reception person on duty on d with the fewest visits,
// the lowest id on a tie: the rota rotates fairly.
func onDuty(rota []models.ReceptionPerson, load map[int64]int, d models.Date) *models.ReceptionPerson {
	var best *models.ReceptionPerson
	for i := range rota {
		p := &rota[i]
		if !worksOn(p, d) {
			continue
		}
		if best == nil || load[p.ID] < load[best.ID] {
			best = p
		}
	}
	return best
}

func worksOn(p *models.ReceptionPerson, d models.Date) bool {
	if strings.TrimSpace(p.Weekdays) == "" {
		return true
	}
	days, err := models.ParseWeekdays(p.Weekdays)
	if err != nil {
		return false
	}
	return days[d.Weekday()]
}

// visitInfo is VisitNoticeData plus where the provider is told.
type visitInfo struct {
	VisitNoticeData
	providerChannel string
}

// visitData gathers what the visit notices show.
func (s *Store) visitData(tx *gorm.DB, v *models.Visit, c *models.Connection, ap *models.AccessPoint, rp *models.ReceptionPerson, cal *models.Calendar) (visitInfo, error) {
	date, err := models.ParseDate(v.Date)
	if err != nil {
		return visitInfo{}, fmt.Errorf("visit %d: %w", v.ID, err)
	}
	d := VisitNoticeData{
		VisitID: v.ID, TicketID: v.TicketID, Connection: c.DisplayID(), Date: v.Date, Weekday: date.Weekday().String(),
		Window: v.Window, TimeZone: cal.Location.String(), AccessPoint: ap.Name, IDCName: ap.IDCName, IDCAddress: ap.IDCAddress,
		ReceptionName: rp.Name, ReceptionPhone: rp.Phone, ReceptionUser: rp.SlackUserID, Visitors: []Visitor{},
	}
	var p models.Provider
	if err := tx.First(&p, "id = ?", c.ProviderID).Error; err != nil {
		return visitInfo{}, fmt.Errorf("load provider %s: %w", c.ProviderID, translate(err))
	}
	d.Provider = p.Name
	var sv models.Survey
	if err := tx.Preload("Engineers", func(q *gorm.DB) *gorm.DB { return q.Order("id") }).
		Where("connection_id = ?", c.ID).Limit(1).Find(&sv).Error; err != nil {
		return visitInfo{}, fmt.Errorf("load survey of %d: %w", c.ID, err)
	}
	d.ConstructionCompany = sv.ConstructionCompany
	for _, e := range sv.Engineers {
		d.Visitors = append(d.Visitors, Visitor{Name: e.Name, Phone: e.Phone, IDType: string(e.IDType), IDNumber: models.MaskID(e.IDNumber)})
	}
	return visitInfo{VisitNoticeData: d, providerChannel: p.SlackChannel}, nil
}

// visitNotice records a visit notice; a key recorded already is left alone
// (the same change never notifies twice). A notice to no channel is skipped.
func (s *Store) visitNotice(tx *gorm.DB, key string, kind models.NoticeKind, channel, thread string, connID int64, data any) error {
	if channel == "" {
		s.log.WarnContext(tx.Statement.Context, "notice has no channel; skipped", "kind", kind, "connection", connID)
		return nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode notice %s: %w", kind, err)
	}
	now := s.now()
	n := models.Notice{Key: key, Kind: kind, Channel: channel, ThreadTS: thread, ConnectionID: &connID, Data: string(raw),
		State: models.NoticePending, NextAttemptAt: now, CreatedAt: now}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&n).Error; err != nil {
		return fmt.Errorf("record notice %s: %w", kind, err)
	}
	return nil
}

// RescheduleVisit moves a visit to date (staff only), or reinstates a
// canceled one there. The date must be today or later, a workday, not a
// lock-down day of the IDC, below its daily capacity and with someone of
// the rota on duty; a broken rule is a models.RuleError naming it. The
// reception person stays if on duty that day, else the rota picks one. The
// customer, the provider, the staff and the reception people concerned are
// told (visit_changed), and the morning reminder is due again.
func (s *Store) RescheduleVisit(ctx context.Context, actor models.Actor, visitID int64, date string, reason string) (*models.Visit, error) {
	d, err := models.ParseDate(strings.TrimSpace(date))
	if err != nil {
		return nil, &models.RuleError{Field: "Date", Rule: "visit-date", Message: "Give the new visit date as YYYY-MM-DD."}
	}
	return s.changeVisit(ctx, actor, visitID, strings.TrimSpace(reason), &d)
}

// CancelVisit cancels a visit (staff only; reason required): the IDC's day
// is freed, everyone concerned is told (visit_changed), and no reminder is
// sent. RescheduleVisit books it again.
func (s *Store) CancelVisit(ctx context.Context, actor models.Actor, visitID int64, reason string) (*models.Visit, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, &models.RuleError{Field: "Reason", Rule: "reason-required", Message: "Give a reason to cancel the visit; the customer and the provider see it."}
	}
	return s.changeVisit(ctx, actor, visitID, reason, nil)
}

// changeVisit reschedules (to != nil) or cancels a visit in one transaction.
func (s *Store) changeVisit(ctx context.Context, actor models.Actor, visitID int64, reason string, to *models.Date) (*models.Visit, error) {
	if actor.Role != models.RoleStaff && actor.Role != models.RoleSystem {
		return nil, models.ErrForbidden
	}
	var v models.Visit
	if err := s.db.WithContext(ctx).First(&v, visitID).Error; err != nil {
		return nil, translate(err)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// Lock in the order of BookVisit: connection, access point, then visit.
		var c models.Connection
		if err := s.forUpdate(tx).First(&c, v.ConnectionID).Error; err != nil {
			return fmt.Errorf("lock connection %d: %w", v.ConnectionID, translate(err))
		}
		var ap models.AccessPoint
		if err := s.forUpdate(tx).First(&ap, "id = ?", v.AccessPointID).Error; err != nil {
			return fmt.Errorf("lock access point %s: %w", v.AccessPointID, translate(err))
		}
		if err := s.forUpdate(tx).First(&v, visitID).Error; err != nil {
			return translate(err)
		}
		if v.State == models.VisitDone || c.Status != models.StatusConnecting {
			return &models.RuleError{Field: "Visit", Rule: "visit-done", Message: fmt.Sprintf("The visit of %s took place already (the connection is %s): it cannot change.", c.DisplayID(), c.Status)}
		}
		if to == nil && v.State == models.VisitCanceled {
			return &models.AlreadyDoneError{Action: ActionCancelVisit, Status: c.Status, At: v.UpdatedAt}
		}
		cal, err := calendarTx(tx, ap.RegionID)
		if err != nil {
			return err
		}
		oldRP, prev := v.ReceptionPersonID, v.Date
		rp := &models.ReceptionPerson{}
		if err := tx.First(rp, v.ReceptionPersonID).Error; err != nil {
			return fmt.Errorf("load reception person %d: %w", v.ReceptionPersonID, translate(err))
		}
		at := s.now()
		change, action := VisitCanceled, ActionCancelVisit
		set := map[string]any{"updated_at": at}
		if to != nil {
			change, action = VisitRescheduled, ActionRescheduleVisit
			if rp, err = s.checkVisitDay(tx, &ap, cal, *to, &v, rp); err != nil {
				return err
			}
			set["date"], set["time_window"], set["reception_person_id"], set["state"], set["reminded_at"] =
				to.String(), ap.VisitWindow, rp.ID, models.VisitScheduled, nil
			v.Date, v.Window, v.ReceptionPersonID, v.State, v.RemindedAt = to.String(), ap.VisitWindow, rp.ID, models.VisitScheduled, nil
		} else {
			set["state"] = models.VisitCanceled
			v.State = models.VisitCanceled
		}
		v.UpdatedAt = at
		if err := tx.Model(&models.Visit{}).Where("id = ?", v.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("%s visit %d: %w", change, v.ID, err)
		}
		detail := fmt.Sprintf("visit %d %s: %s", v.ID, change, prev)
		if to != nil {
			detail += " → " + v.Date
		}
		if reason != "" {
			detail += "; " + reason
		}
		ev := models.AuditEvent{ConnectionID: &c.ID, AccountID: &c.AccountID, Actor: actor.UserID, Role: actor.Role,
			Action: action, FromStatus: c.Status, ToStatus: c.Status, Step: c.Step, Detail: detail, At: at}
		if err := tx.Create(&ev).Error; err != nil {
			return fmt.Errorf("write audit event: %w", err)
		}
		info, err := s.visitData(tx, &v, &c, &ap, rp, cal)
		if err != nil {
			return err
		}
		info.Change, info.PreviousDate, info.Reason, info.By = change, prev, reason, actor.UserID
		recipients := []string{c.AppliedChannel, info.providerChannel, s.cfg.StaffChannel, rp.SlackUserID}
		if oldRP != rp.ID {
			var old models.ReceptionPerson
			if err := tx.Limit(1).Find(&old, oldRP).Error; err != nil {
				return fmt.Errorf("load reception person %d: %w", oldRP, err)
			}
			recipients = append(recipients, old.SlackUserID)
		}
		seen := map[string]bool{}
		for _, ch := range recipients {
			if ch == "" || seen[ch] {
				continue
			}
			seen[ch] = true
			// The audit event's id names this change: each change notifies once.
			key := fmt.Sprintf("visit/%d/a%d/%s/%s", v.ID, ev.ID, models.NoticeVisitChanged, ch)
			if err := s.visitNotice(tx, key, models.NoticeVisitChanged, ch, "", c.ID, info.VisitNoticeData); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// checkVisitDay checks that the IDC takes visit v on d, and returns the
// reception person for it: rp when on duty, else the rota's pick.
func (s *Store) checkVisitDay(tx *gorm.DB, ap *models.AccessPoint, cal *models.Calendar, d models.Date, v *models.Visit, rp *models.ReceptionPerson) (*models.ReceptionPerson, error) {
	rule := func(rule, msg string, args ...any) error {
		return &models.RuleError{Field: "Date", Rule: rule, Message: fmt.Sprintf(msg, args...)}
	}
	if today := models.DateOf(s.now(), cal.Location); d.Before(today) {
		return nil, rule("visit-date-past", "%s is in the past (today is %s at %s).", d, today, ap.Name)
	}
	if !cal.IsWorkday(d) {
		return nil, rule("visit-date-workday", "%s (%s) is not a workday in the region's calendar; pick a workday.", d, d.Weekday())
	}
	blocked, err := lockDowns(tx, ap, d)
	if err != nil {
		return nil, err
	}
	if blocked[d] {
		return nil, rule("visit-date-lockdown", "%s is a lock-down day at %s: the IDC receives no visits.", d, ap.IDCName)
	}
	booked, err := visitsPerDay(tx, ap.ID, d, v.ID)
	if err != nil {
		return nil, err
	}
	if capacity := max(ap.DailyVisitCapacity, 1); booked[d.String()] >= capacity {
		return nil, rule("visit-capacity", "%s is full at %s: %d visits a day at most.", d, ap.IDCName, capacity)
	}
	if rp != nil && worksOn(rp, d) {
		return rp, nil
	}
	rota, load, err := receptionRota(tx, ap.ID, v.ID)
	if err != nil {
		return nil, err
	}
	p := onDuty(rota, load, d)
	if p == nil {
		return nil, rule("visit-reception", "Nobody of the reception rota of %s is on duty on %s (%s).", ap.IDCName, d, d.Weekday())
	}
	return p, nil
}

// RemindReception sends the morning reminders of the day's visits: for each
// scheduled visit on the local date of now in its region, not yet reminded,
// a visit_reminder notice to the provider's channel and to the reception
// person (a DM, by Slack user ID): who arrives, when, with which ID
// (masked). Each visit is reminded once (RemindedAt), in one transaction
// with its notices. It returns how many visits were reminded.
func (s *Store) RemindReception(ctx context.Context, now time.Time) (int, error) {
	regions, err := s.Regions(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range regions {
		cal, err := s.Calendar(ctx, r.ID)
		if err != nil {
			return n, err
		}
		today := models.DateOf(now, cal.Location).String()
		var due []models.Visit
		err = s.db.WithContext(ctx).
			Where("state = ? AND date = ? AND reminded_at IS NULL", models.VisitScheduled, today).
			Where("access_point_id IN (?)", s.db.Model(&models.AccessPoint{}).Select("id").Where("region_id = ?", r.ID)).
			Order("id").Find(&due).Error
		if err != nil {
			return n, fmt.Errorf("list visits of %s on %s: %w", r.ID, today, err)
		}
		for _, v := range due {
			sent, err := s.remindVisit(ctx, v.ID, today, cal)
			if err != nil {
				return n, err
			}
			if sent {
				n++
			}
		}
	}
	return n, nil
}

func (s *Store) remindVisit(ctx context.Context, visitID int64, today string, cal *models.Calendar) (bool, error) {
	sent := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		at := s.now()
		res := tx.Model(&models.Visit{}).Where("id = ? AND state = ? AND date = ? AND reminded_at IS NULL", visitID, models.VisitScheduled, today).
			Update("reminded_at", at)
		if res.Error != nil {
			return fmt.Errorf("mark visit %d reminded: %w", visitID, res.Error)
		}
		if res.RowsAffected != 1 {
			return nil // reminded meanwhile, or changed
		}
		var v models.Visit
		if err := tx.First(&v, visitID).Error; err != nil {
			return translate(err)
		}
		var c models.Connection
		if err := tx.First(&c, v.ConnectionID).Error; err != nil {
			return fmt.Errorf("load connection %d: %w", v.ConnectionID, translate(err))
		}
		var ap models.AccessPoint
		if err := tx.First(&ap, "id = ?", v.AccessPointID).Error; err != nil {
			return fmt.Errorf("load access point %s: %w", v.AccessPointID, translate(err))
		}
		var rp models.ReceptionPerson
		if err := tx.First(&rp, v.ReceptionPersonID).Error; err != nil {
			return fmt.Errorf("load reception person %d: %w", v.ReceptionPersonID, translate(err))
		}
		info, err := s.visitData(tx, &v, &c, &ap, &rp, cal)
		if err != nil {
			return err
		}
		for _, ch := range []string{info.providerChannel, rp.SlackUserID} {
			key := fmt.Sprintf("visit/%d/%s/%s/%s", v.ID, models.NoticeVisitReminder, today, ch)
			if err := s.visitNotice(tx, key, models.NoticeVisitReminder, ch, "", c.ID, info.VisitNoticeData); err != nil {
				return err
			}
		}
		sent = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("remind visit %d: %w", visitID, err)
	}
	return sent, nil
}
