package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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

// visitDays loads what picking a day at an access point needs: its
// lock-down days and its visits (not counting visit except, when
// rescheduling) from start on, its rota and the rota's load.
func (s *Store) visitDays(tx *gorm.DB, ap *models.AccessPoint, cal *models.Calendar, start models.Date, except int64) (*models.VisitDays, error) {
	blocked, err := lockDowns(tx, ap, start)
	if err != nil {
		return nil, err
	}
	booked, err := visitsPerDay(tx, ap.ID, start, except)
	if err != nil {
		return nil, err
	}
	rota, load, err := receptionRota(tx, ap.ID, except)
	if err != nil {
		return nil, err
	}
	return &models.VisitDays{AccessPoint: ap.ID, Name: ap.Name, IDCName: ap.IDCName, Calendar: cal, Until: cal.KnownUntil, Capacity: ap.DailyVisitCapacity, Window: ap.VisitWindow,
		LockDowns: blocked, Booked: booked, Rota: rota, Load: load}, nil
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
func visitsPerDay(tx *gorm.DB, apID string, start models.Date, except int64) (map[models.Date]int, error) {
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
	out := make(map[models.Date]int, len(rows))
	for _, r := range rows {
		d, err := models.ParseDate(r.Date)
		if err != nil {
			return nil, fmt.Errorf("visit day of %s: %w", apID, err)
		}
		out[d] = r.N
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

// visitInfo is VisitNoticeData plus where the provider is told.
type visitInfo struct {
	VisitNoticeData
	providerChannel string
}

// surveyOf loads the survey of a connection with its engineers (a zero
// survey when there is none).
func surveyOf(tx *gorm.DB, connID int64) (*models.Survey, error) {
	var sv models.Survey
	if err := tx.Preload("Engineers", func(q *gorm.DB) *gorm.DB { return q.Order("id") }).
		Where("connection_id = ?", connID).Limit(1).Find(&sv).Error; err != nil {
		return nil, fmt.Errorf("load survey of %d: %w", connID, err)
	}
	return &sv, nil
}

// visitData gathers what the visit notices show.
func (s *Store) visitData(tx *gorm.DB, v *models.Visit, c *models.Connection, ap *models.AccessPoint, rp *models.ReceptionPerson, cal *models.Calendar, sv *models.Survey) (visitInfo, error) {
	var p models.Provider
	if err := tx.First(&p, "id = ?", c.ProviderID).Error; err != nil {
		return visitInfo{}, fmt.Errorf("load provider %s: %w", c.ProviderID, translate(err))
	}
	return s.visitInfo(v, c, ap, rp, cal, &p, sv), nil
}

// visitInfo is what the visit notices show, from what is loaded already.
func (s *Store) visitInfo(v *models.Visit, c *models.Connection, ap *models.AccessPoint, rp *models.ReceptionPerson, cal *models.Calendar, p *models.Provider, sv *models.Survey) visitInfo {
	d := VisitNoticeData{
		VisitID: v.ID, TicketID: v.TicketID, Connection: c.DisplayID(), Date: v.Date,
		Window: v.Window, TimeZone: cal.Location.String(), AccessPoint: ap.Name, IDCName: ap.IDCName, IDCAddress: ap.IDCAddress,
		ReceptionName: rp.Name, ReceptionPhone: rp.Phone, ReceptionUser: rp.SlackUserID, Visitors: []Visitor{},
		Provider: p.Name, ConstructionCompany: sv.ConstructionCompany,
		AccessPointZh: ap.NameZh, IDCNameZh: ap.IDCNameZh, IDCAddressZh: ap.IDCAddressZh, ProviderZh: p.NameZh,
	}
	if date, err := models.ParseDate(v.Date); err == nil {
		d.Weekday = date.Weekday().String()
	}
	if !sv.PlannedArrival.IsZero() {
		d.PlannedDate = models.DateOf(sv.PlannedArrival, cal.Location).String()
	}
	for _, e := range sv.Engineers {
		d.Visitors = append(d.Visitors, Visitor{Name: e.Name, Phone: e.Phone, IDType: string(e.IDType), IDNumber: models.MaskID(e.IDNumber)})
	}
	return visitInfo{VisitNoticeData: d, providerChannel: p.SlackChannel}
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
		return nil, &models.RuleError{Field: "Date", Rule: "visit-date", Message: "Give the new visit date as YYYY-MM-DD.", Args: map[string]any{}}
	}
	return s.changeVisit(ctx, actor, visitID, strings.TrimSpace(reason), &d)
}

// CancelVisit cancels a visit (staff only; reason required): the IDC's day
// is freed, everyone concerned is told (visit_changed), and no reminder is
// sent. RescheduleVisit books it again.
func (s *Store) CancelVisit(ctx context.Context, actor models.Actor, visitID int64, reason string) (*models.Visit, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, &models.RuleError{Field: "Reason", Rule: "reason-required", Message: "Give a reason to cancel the visit; the customer and the provider see it.",
			Args: map[string]any{"For": models.ReasonForCancelVisit}}
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
			return &models.RuleError{Field: "Visit", Rule: "visit-done", Message: fmt.Sprintf("The visit of %s took place already (the connection is %s): it cannot change.", c.DisplayID(), c.Status),
				Args: map[string]any{"Connection": c.DisplayID(), "Status": c.Status}}
		}
		if v.ArrivedAt != nil {
			return &models.RuleError{Field: "Visit", Rule: "visit-arrived", Message: fmt.Sprintf("The visitors of %s were checked in at the IDC already: the visit cannot change.", c.DisplayID()),
				Args: map[string]any{"Connection": c.DisplayID()}}
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
		// Subscribed calendars take a change only with a higher SEQUENCE.
		set := map[string]any{"updated_at": at, "sequence": gorm.Expr("sequence + 1")}
		if to != nil {
			change, action = VisitRescheduled, ActionRescheduleVisit
			if rp, err = s.checkVisitDay(tx, &ap, cal, *to, &v, rp); err != nil {
				return err
			}
			// A new day, a new verification code: the old letter no longer
			// checks anyone in.
			code := s.cfg.NewCheckinCode()
			set["date"], set["time_window"], set["reception_person_id"], set["state"], set["reminded_at"], set["checkin_code"], set["no_show_at"] =
				to.String(), ap.VisitWindow, rp.ID, models.VisitScheduled, nil, code, nil
			v.Date, v.Window, v.ReceptionPersonID, v.State, v.RemindedAt, v.CheckinCode, v.NoShowAt = to.String(), ap.VisitWindow, rp.ID, models.VisitScheduled, nil, code, nil
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
		sv, err := surveyOf(tx, c.ID)
		if err != nil {
			return err
		}
		info, err := s.visitData(tx, &v, &c, &ap, rp, cal, sv)
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
		if to != nil {
			// A new entry letter for the new day; the old one is void.
			key := fmt.Sprintf("visit/%d/a%d/%s/%s", v.ID, ev.ID, models.NoticeVisitLetter, info.providerChannel)
			if err := s.recordLetter(tx, key, info, &v, &c, cal, at); err != nil {
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
	days, err := s.visitDays(tx, ap, cal, d, v.ID)
	if err != nil {
		return nil, err
	}
	p, err := days.Check(d, models.DateOf(s.now(), cal.Location), rp)
	if err != nil {
		return nil, err
	}
	return &p, nil
}
