package store

import (
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// bookingInput is what a batch's picks and notices need, read once.
type bookingInput struct {
	conns     map[int64]*models.Connection
	aps       map[string]*models.AccessPoint
	days      map[string]*models.VisitDays // by access point
	providers map[string]*models.Provider
	surveys   map[int64]*models.Survey // by connection; a zero survey when none
}

// loadBookingInput reads, in a fixed number of statements, the access
// points of the batch (locked, in id order), their regions' calendars and
// lock-down days, the providers and surveys of the connections, the
// bookings per day from the first day the batch's picks can reach, and the
// rotas and the rotas' load. now is when the batch is booked.
func (s *Store) loadBookingInput(tx *gorm.DB, now time.Time, tickets []models.Ticket, conns []models.Connection) (*bookingInput, error) {
	in := &bookingInput{conns: map[int64]*models.Connection{}, aps: map[string]*models.AccessPoint{}, days: map[string]*models.VisitDays{},
		providers: map[string]*models.Provider{}, surveys: map[int64]*models.Survey{}}
	var apIDs, providerIDs []string
	connIDs := make([]int64, 0, len(conns))
	for i := range conns {
		c := &conns[i]
		in.conns[c.ID] = c
		connIDs = append(connIDs, c.ID)
		providerIDs = append(providerIDs, c.ProviderID)
		in.surveys[c.ID] = &models.Survey{}
	}
	from := tickets[0].CreatedAt
	for _, t := range tickets {
		apIDs = append(apIDs, t.AccessPointID)
		if t.CreatedAt.Before(from) {
			from = t.CreatedAt
		}
	}
	apIDs, providerIDs = uniq(apIDs), uniq(providerIDs)
	// Lock-downs from the day before the oldest ticket's date in UTC: no
	// region's local date of it is earlier.
	start := models.DateOf(from, time.UTC).AddDays(-1).String()

	var aps []models.AccessPoint
	if err := s.forUpdate(tx).Where("id IN ?", apIDs).Order("id").Find(&aps).Error; err != nil {
		return nil, fmt.Errorf("lock access points: %w", err)
	}
	var regionIDs []string
	for i := range aps {
		in.aps[aps[i].ID] = &aps[i]
		regionIDs = append(regionIDs, aps[i].RegionID)
	}
	regionIDs = uniq(regionIDs)
	var regions []models.Region
	if err := tx.Where("id IN ?", regionIDs).Find(&regions).Error; err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}
	var calDays []models.CalendarDay
	if err := tx.Where("region_id IN ? AND (access_point_id = '' OR access_point_id IN ?) AND (kind <> ? OR date >= ?)",
		regionIDs, apIDs, models.DayLockDown, start).Find(&calDays).Error; err != nil {
		return nil, fmt.Errorf("load calendars: %w", err)
	}
	cals := map[string]*models.Calendar{}
	for _, r := range regions {
		cal, err := models.NewCalendar(r, calDays)
		if err != nil {
			return nil, err
		}
		cals[r.ID] = cal
	}
	for _, ap := range aps {
		cal := cals[ap.RegionID]
		if cal == nil {
			return nil, fmt.Errorf("region %s of %s: %w", ap.RegionID, ap.ID, models.ErrNotFound)
		}
		in.days[ap.ID] = &models.VisitDays{AccessPoint: ap.ID, Name: ap.Name, IDCName: ap.IDCName, Calendar: cal, Until: cal.KnownUntil,
			Capacity: ap.DailyVisitCapacity, Window: ap.VisitWindow,
			LockDowns: map[models.Date]bool{}, Booked: map[models.Date]int{}, Load: map[int64]int{}}
	}
	for _, d := range calDays {
		if d.Kind != models.DayLockDown {
			continue
		}
		date, err := models.ParseDate(d.Date)
		if err != nil {
			return nil, fmt.Errorf("lock-down day of %s: %w", d.RegionID, err)
		}
		for _, ap := range aps {
			if ap.RegionID == d.RegionID && (d.AccessPointID == "" || d.AccessPointID == ap.ID) {
				in.days[ap.ID].LockDowns[date] = true
			}
		}
	}
	var providers []models.Provider
	if err := tx.Where("id IN ?", providerIDs).Find(&providers).Error; err != nil {
		return nil, fmt.Errorf("load providers: %w", err)
	}
	for i := range providers {
		in.providers[providers[i].ID] = &providers[i]
	}
	var surveys []models.Survey
	if err := tx.Preload("Engineers", func(q *gorm.DB) *gorm.DB { return q.Order("id") }).
		Where("connection_id IN ?", connIDs).Find(&surveys).Error; err != nil {
		return nil, fmt.Errorf("load surveys: %w", err)
	}
	for i := range surveys {
		in.surveys[surveys[i].ConnectionID] = &surveys[i]
	}
	// The visits per day, from the first day a pick of the batch can
	// reach: the earliest of its tickets' (each pick looks from its own
	// on; a day before is neither looked at nor the planned day of a
	// ticket told it is full).
	var first models.Date
	for i := range tickets {
		t := &tickets[i]
		c, v := in.conns[*t.ConnectionID], in.days[t.AccessPointID]
		if c == nil || v == nil {
			continue // book reports it
		}
		if e := v.Earliest(models.RequestOf(t, in.surveys[c.ID], v.Calendar, now)); first == (models.Date{}) || e.Before(first) {
			first = e
		}
	}
	var perDay []struct {
		AccessPointID string
		Date          string
		N             int
	}
	if err := tx.Model(&models.Visit{}).Select("access_point_id, date, COUNT(*) AS n").
		Where("access_point_id IN ? AND state <> ? AND date >= ?", apIDs, models.VisitCanceled, first.String()).
		Group("access_point_id, date").Scan(&perDay).Error; err != nil {
		return nil, fmt.Errorf("count visits per day: %w", err)
	}
	for _, r := range perDay {
		date, err := models.ParseDate(r.Date)
		if err != nil {
			return nil, fmt.Errorf("visit day of %s: %w", r.AccessPointID, err)
		}
		in.days[r.AccessPointID].Booked[date] = r.N
	}
	var rota []models.ReceptionPerson
	if err := tx.Where("access_point_id IN ?", apIDs).Order("id").Find(&rota).Error; err != nil {
		return nil, fmt.Errorf("load reception rotas: %w", err)
	}
	person := map[int64]string{} // reception person → access point
	personIDs := make([]int64, 0, len(rota))
	for _, p := range rota {
		in.days[p.AccessPointID].Rota = append(in.days[p.AccessPointID].Rota, p)
		person[p.ID] = p.AccessPointID
		personIDs = append(personIDs, p.ID)
	}
	// The load by person, not by access point: the index visits_reception
	// (reception_person_id, state) answers it alone, without reading the
	// visits (a person is on one access point's rota).
	var load []struct {
		ReceptionPersonID int64
		N                 int
	}
	if len(personIDs) > 0 {
		if err := tx.Model(&models.Visit{}).Select("reception_person_id, COUNT(*) AS n").
			Where("reception_person_id IN ? AND state <> ?", personIDs, models.VisitCanceled).
			Group("reception_person_id").Scan(&load).Error; err != nil {
			return nil, fmt.Errorf("count visits per reception person: %w", err)
		}
	}
	for _, r := range load {
		in.days[person[r.ReceptionPersonID]].Load[r.ReceptionPersonID] = r.N
	}
	return in, nil
}

func ids[T any](xs []T, id func(T) int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func uniq(xs []string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}
