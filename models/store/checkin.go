package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// The visit day: check-in at the IDC desk (Visitors Arrived, `checkin
// CODE`) and the no-shows the visit-no-shows job marks.

// ActionNoShow is the audit action of a visit marked No Show (not a
// lifecycle transition: the connection stays where it is).
const ActionNoShow models.Action = "no show"

// CheckIn records that the visitors of a visit arrived at the IDC, in one
// transaction: the visit's arrival (time and actor), the Connecting step
// "on site" (a Terminating line's removal visit has no step: its status
// stays, the arrival is on the visit and in the audit trail), the audit
// event, and the on_site notices to the customer and the provider.
//
// Only the visit's reception person (actor role reception, matched by Slack
// user ID) or staff may, only on the visit's day in the region's time, and
// only while the visit is booked (a visit marked No Show on its day may
// still be checked in: the engineers came late). By code, a code of no
// visit and a code of a visit the actor may not check in are refused alike
// (models.CheckinWrongCode): the refusal tells nothing of other visits.
// Checked in already is a models.AlreadyDoneError.
func (s *Store) CheckIn(ctx context.Context, actor models.Actor, in models.CheckIn) (*models.Visit, error) {
	byCode := in.VisitID == 0
	var v models.Visit
	if byCode {
		code := models.NormalizeCheckinCode(in.Code)
		if code == "" {
			return nil, &models.CheckinRefusal{Reason: models.CheckinWrongCode}
		}
		if err := first(s.db.WithContext(ctx), &v, "checkin_code = ?", code); err != nil {
			return nil, fmt.Errorf("check in: %w", err)
		}
		if v.ID == 0 {
			return nil, &models.CheckinRefusal{Reason: models.CheckinWrongCode}
		}
	} else if err := s.db.WithContext(ctx).First(&v, in.VisitID).Error; err != nil {
		return nil, fmt.Errorf("check in visit %d: %w", in.VisitID, translate(err))
	}
	return s.checkIn(ctx, actor, v.ConnectionID, v.ID, byCode)
}

// checkIn checks in visit visitID of connection connID (0: the connection
// has no visit to check in; only the refusal is worked out).
func (s *Store) checkIn(ctx context.Context, actor models.Actor, connID, visitID int64, byCode bool) (*models.Visit, error) {
	var v models.Visit
	var status models.Status
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// Lock in the order of BookVisit and changeVisit: connection, then visit.
		var c models.Connection
		if err := s.forUpdate(tx).First(&c, connID).Error; err != nil {
			return fmt.Errorf("lock connection %d: %w", connID, translate(err))
		}
		var rp models.ReceptionPerson
		if visitID != 0 {
			if err := s.forUpdate(tx).First(&v, visitID).Error; err != nil {
				return translate(err)
			}
			if err := first(tx, &rp, "id = ?", v.ReceptionPersonID); err != nil {
				return err
			}
		}
		// Who: staff, the visit's reception person; the connection's own
		// customer and provider are refused by the table; anyone else does
		// not see it. By code, every refusal of the person is the same.
		role := actor.Role
		switch {
		case role == models.RoleReception && (rp.SlackUserID == "" || !strings.EqualFold(rp.SlackUserID, actor.UserID)):
			if byCode {
				return &models.CheckinRefusal{Reason: models.CheckinWrongCode}
			}
			return &models.CheckinRefusal{Reason: models.CheckinNotYours}
		case role != models.RoleReception && !visibleTo(actor, &c):
			if byCode {
				return &models.CheckinRefusal{Reason: models.CheckinWrongCode}
			}
			return models.ErrNotFound
		}
		tr, err := models.Lookup(models.ActionCheckIn, c.Status, c.Step, role)
		if err != nil {
			if byCode && errors.Is(err, models.ErrForbidden) {
				return &models.CheckinRefusal{Reason: models.CheckinWrongCode}
			}
			if done := s.alreadyDone(tx, &c, models.ActionCheckIn); done != nil && errors.Is(err, models.ErrWrongStatus) {
				return done
			}
			return err
		}
		if visitID == 0 {
			return &models.CheckinRefusal{Reason: models.CheckinNotBooked, State: models.VisitCanceled}
		}
		if v.ArrivedAt != nil {
			return &models.AlreadyDoneError{Action: models.ActionCheckIn, Status: c.Status, By: v.ArrivedBy, At: *v.ArrivedAt}
		}
		if v.State != models.VisitScheduled && v.State != models.VisitNoShow {
			return &models.CheckinRefusal{Reason: models.CheckinNotBooked, Date: v.Date, Window: v.Window, State: v.State}
		}
		var ap models.AccessPoint
		if err := tx.First(&ap, "id = ?", v.AccessPointID).Error; err != nil {
			return fmt.Errorf("load access point %s: %w", v.AccessPointID, translate(err))
		}
		cal, err := calendarTx(tx, ap.RegionID)
		if err != nil {
			return err
		}
		at := s.now()
		if today := models.DateOf(at, cal.Location).String(); today != v.Date {
			return &models.CheckinRefusal{Reason: models.CheckinNotToday, Date: v.Date, Window: v.Window, State: v.State}
		}
		res := tx.Model(&models.Visit{}).Where("id = ? AND arrived_at IS NULL", v.ID).
			Updates(map[string]any{"arrived_at": at, "arrived_by": actor.UserID, "state": models.VisitScheduled, "updated_at": at})
		if res.Error != nil {
			return fmt.Errorf("check in visit %d: %w", v.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("check in visit %d: %w", v.ID, models.ErrConflict)
		}
		v.ArrivedAt, v.ArrivedBy, v.State, v.UpdatedAt = &at, actor.UserID, models.VisitScheduled, at
		next := models.Moved(c, tr)
		set := map[string]any{"version": c.Version + 1, "updated_at": at}
		if next.Step != c.Step {
			set["step"] = next.Step
		}
		res = tx.Model(&models.Connection{}).Where("id = ? AND version = ?", c.ID, c.Version).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("%s connection %d: %w", models.ActionCheckIn, c.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("%s connection %d: %w", models.ActionCheckIn, c.ID, models.ErrConflict)
		}
		next.Version, next.UpdatedAt = c.Version+1, at
		detail := fmt.Sprintf("visitors of IDC visit %d (%s %s) checked in at %s", v.ID, v.Date, v.Window, at.In(cal.Location).Format("15:04 MST"))
		if byCode {
			detail += " with the verification code"
		}
		if err := s.audit(tx, &next, actor, models.ActionCheckIn, c.Status, next.Status, detail); err != nil {
			return err
		}
		var p models.Provider
		if err := first(tx, &p, "id = ?", c.ProviderID); err != nil {
			return err
		}
		data := models.CheckinNoticeData{VisitID: v.ID, Date: v.Date, Window: v.Window, At: at, By: actor.UserID,
			TimeZone: cal.Location.String(), Removal: c.Status == models.StatusTerminating}
		for _, t := range models.Tells(models.ActionCheckIn) {
			ch := c.AppliedChannel
			if t.To == models.PartyProvider {
				ch = p.SlackChannel
			}
			key := fmt.Sprintf("conn/%d/v%d/%s/%s", c.ID, c.Version, t.Kind, ch)
			if err := s.visitNotice(tx, key, t.Kind, ch, "", c.ID, data); err != nil {
				return err
			}
		}
		status = next.Status
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.counted(models.ActionCheckIn, status)
	return &v, nil
}

// MarkNoShows marks No Show every booked visit nobody checked in an hour
// after its window ended (in its region's time) at now, each in one
// transaction with its audit event and its notices: staff in the staff
// channel (with Reschedule Visit), the provider and the customer. The mark
// is a conditional UPDATE (still booked, nobody arrived, not marked), so a
// visit is marked once however many replicas run the job at once. It
// returns how many visits it marked.
func (s *Store) MarkNoShows(ctx context.Context, now time.Time) (int, error) {
	// A region's local date is at most a day ahead of UTC's.
	latest := models.DateOf(now.Add(24*time.Hour), time.UTC).String()
	var rows []struct {
		models.Visit
		TimeZone string
	}
	err := s.db.WithContext(ctx).Table("visits").Select("visits.*, regions.time_zone AS time_zone").
		Joins("JOIN access_points ON access_points.id = visits.access_point_id").
		Joins("JOIN regions ON regions.id = access_points.region_id").
		Joins("JOIN connections ON connections.id = visits.connection_id").
		Where("visits.state = ? AND visits.arrived_at IS NULL AND visits.no_show_at IS NULL AND visits.date <= ?", models.VisitScheduled, latest).
		Where("connections.status IN ?", []models.Status{models.StatusConnecting, models.StatusTerminating}).
		Order("visits.id").Find(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("list visits nobody checked in: %w", err)
	}
	var marked int
	var errs []error
	for i := range rows {
		loc, err := time.LoadLocation(rows[i].TimeZone)
		if err != nil {
			errs = append(errs, fmt.Errorf("visit %d: region time zone %q: %w", rows[i].ID, rows[i].TimeZone, err))
			continue
		}
		if !models.NoShowDue(&rows[i].Visit, loc, now) {
			continue
		}
		ok, err := s.markNoShow(ctx, rows[i].Visit, loc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			marked++
		}
	}
	return marked, errors.Join(errs...)
}

// markNoShow marks visit v No Show unless someone did, or it changed.
func (s *Store) markNoShow(ctx context.Context, v models.Visit, loc *time.Location) (bool, error) {
	var ok bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		ok = false
		at := s.now()
		res := tx.Model(&models.Visit{}).
			Where("id = ? AND state = ? AND arrived_at IS NULL AND no_show_at IS NULL AND date = ?", v.ID, models.VisitScheduled, v.Date).
			Updates(map[string]any{"state": models.VisitNoShow, "no_show_at": at, "updated_at": at})
		if res.Error != nil {
			return fmt.Errorf("mark visit %d no show: %w", v.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // checked in, changed or marked meanwhile
		}
		var c models.Connection
		if err := tx.First(&c, v.ConnectionID).Error; err != nil {
			return fmt.Errorf("load connection %d: %w", v.ConnectionID, translate(err))
		}
		var p models.Provider
		if err := first(tx, &p, "id = ?", c.ProviderID); err != nil {
			return err
		}
		ev := models.AuditEvent{ConnectionID: &c.ID, AccountID: &c.AccountID, Actor: models.SystemActor().UserID, Role: models.RoleSystem,
			Action: ActionNoShow, FromStatus: c.Status, ToStatus: c.Status, Step: c.Step, At: at,
			Detail: fmt.Sprintf("IDC visit %d (%s %s): nobody checked in by an hour after the window", v.ID, v.Date, v.Window)}
		if err := tx.Create(&ev).Error; err != nil {
			return fmt.Errorf("write audit event: %w", err)
		}
		data := models.CheckinNoticeData{VisitID: v.ID, Date: v.Date, Window: v.Window, At: at, TimeZone: loc.String(),
			Removal: c.Status == models.StatusTerminating}
		for _, ch := range []string{s.cfg.StaffChannel, p.SlackChannel, c.AppliedChannel} {
			key := fmt.Sprintf("visit/%d/%s/%s/%s", v.ID, models.NoticeVisitNoShow, v.Date, ch)
			if err := s.visitNotice(tx, key, models.NoticeVisitNoShow, ch, "", c.ID, data); err != nil {
				return err
			}
		}
		ok = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("mark visit %d no show: %w", v.ID, err)
	}
	return ok, nil
}
