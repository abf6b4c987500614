package models

// The typed Data of the notices the scheduler's jobs record (the lifecycle's
// are in effects.go, reminders.go and delivery.go): the store writes them,
// the handlers read them back as the same types.

// Changes told by a visit_changed notice (VisitNoticeData.Change).
const (
	VisitChangeRescheduled = "rescheduled"
	VisitChangeCanceled    = "canceled"
)

// VisitNoticeData is the Data of the visit_scheduled, visit_changed and
// visit_reminder notices: everything the renderer shows about the visit.
// Visitors' ID numbers are masked (models.MaskID).
type VisitNoticeData struct {
	VisitID    int64  `json:"visit_id"`
	TicketID   int64  `json:"ticket_id"`
	Connection string `json:"connection"` // its display ID, e.g. pc-…
	Date       string `json:"date"`       // YYYY-MM-DD, local to the region
	// PlannedDate is the local date of the survey's planned arrival: the
	// visit is never booked before it, and is later when that day has no
	// room (or is not a workday).
	PlannedDate string `json:"planned_date,omitempty"`
	// PlannedReason says why the visit is not on PlannedDate ("" when it
	// is): models.VisitDays.PlannedReason.
	PlannedReason string `json:"planned_reason,omitempty"`
	// PlannedWhy is the reason as a code (models.Planned…) and
	// PlannedCapacity the IDC's visits a day, for readers of other
	// languages.
	PlannedWhy      string `json:"planned_why,omitempty"`
	PlannedCapacity int    `json:"planned_capacity,omitempty"`
	Weekday         string `json:"weekday"`   // e.g. "Monday"
	Window          string `json:"window"`    // e.g. "09:30-12:00"
	TimeZone        string `json:"time_zone"` // IANA name of the region's zone

	AccessPoint string `json:"access_point"` // its name
	IDCName     string `json:"idc_name"`
	IDCAddress  string `json:"idc_address"`
	// The same in Simplified Chinese ("" when the catalog gives none: the
	// English is shown).
	AccessPointZh string `json:"access_point_zh,omitempty"`
	IDCNameZh     string `json:"idc_name_zh,omitempty"`
	IDCAddressZh  string `json:"idc_address_zh,omitempty"`

	ReceptionName  string `json:"reception_name"`
	ReceptionPhone string `json:"reception_phone"`
	ReceptionUser  string `json:"reception_user,omitempty"` // Slack user ID

	Provider            string    `json:"provider"`
	ProviderZh          string    `json:"provider_zh,omitempty"`
	ConstructionCompany string    `json:"construction_company,omitempty"`
	Visitors            []Visitor `json:"visitors"`

	// Removal: the visit removes a terminated line (a removal ticket's).
	Removal bool `json:"removal,omitempty"`

	// visit_changed only.
	Change       string `json:"change,omitempty"` // VisitChangeRescheduled or VisitChangeCanceled
	PreviousDate string `json:"previous_date,omitempty"`
	Reason       string `json:"reason,omitempty"`
	By           string `json:"by,omitempty"` // Slack user ID of the staff member
}

// VisitLetterData is the Data of a visit_letter notice: the visit as the
// visit notices tell it, plus what only the entry letter shows (the
// facility assignment, the verification code, the date of issue).
type VisitLetterData struct {
	VisitNoticeData
	Device   string `json:"device"`
	Port     string `json:"port"`
	PortType string `json:"port_type"`
	// CheckinCode is the visit's verification code (Visit.CheckinCode; ""
	// when none was issued).
	CheckinCode string `json:"checkin_code,omitempty"`
	Issued      string `json:"issued"` // YYYY-MM-DD, local to the region
}

// Visitor is one engineer expected at the IDC, ID number masked.
type Visitor struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDType   string `json:"id_type"`
	IDNumber string `json:"id_number"` // masked: only the last 4 characters show
}
