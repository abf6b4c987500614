package models

import "time"

// CalendarLinkKind is what a calendar link's feed shows: one provider's IDC
// visits, or the visits at one access point (for its reception desk).
type CalendarLinkKind string

// Calendar link kinds, as typed in `/leaseline calendar-link KIND ID`.
const (
	CalendarOfProvider    CalendarLinkKind = "provider"
	CalendarOfAccessPoint CalendarLinkKind = "access-point"
)

// CalendarLink is a subscription URL's secret: its token is shown once and
// stored only hashed (SHA-256, hex).
type CalendarLink struct {
	ID        int64 `gorm:"primaryKey"`
	Kind      CalendarLinkKind
	SubjectID string
	TokenHash string
	CreatedBy string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// CalendarFeed is what one link's iCalendar feed shows: the link's subject
// and its visits. It holds nothing of customers beyond the connection's ID.
type CalendarFeed struct {
	Kind CalendarLinkKind
	// Name is the provider's or the access point's name.
	Name   string
	Visits []CalendarVisit
	// TimeZones are the IANA zones of the regions the subject is in (an
	// access point's region; the regions of the access points that allow
	// a provider), so that a feed without visits still says its zone.
	TimeZones []string
}

// CalendarVisit is one IDC visit as a calendar event.
type CalendarVisit struct {
	VisitID int64
	Date    string // YYYY-MM-DD, local to the region
	Window  string // e.g. "09:30-12:00"
	// TimeZone is the IANA name of the region's zone.
	TimeZone        string
	AccessPointName string
	IDCName         string
	IDCAddress      string
	// Connection is the connection's display ID (pc-… or its application
	// reference).
	Connection string
	Visitors   int
	// Removal: the visit removes a terminated line.
	Removal bool
	State   VisitState
	// Sequence is raised on every reschedule and cancellation.
	Sequence  int
	CreatedAt time.Time
	UpdatedAt time.Time
}
