package models

import "time"

// Region is a cloud region: it has a time zone and a workday calendar, and
// one or more access points.
type Region struct {
	ID   string `gorm:"primaryKey"` // e.g. "cn-hangzhou"
	Name string // e.g. "China (Hangzhou)"
	// NameZh is the name in Simplified Chinese, e.g. "华东1（杭州）"; ""
	// when the catalog gives none (Name is shown instead).
	NameZh   string `gorm:"column:name_zh"`
	TimeZone string // IANA name, e.g. "Asia/Shanghai"
	// Weekend lists the non-working weekdays, e.g. "Sat,Sun".
	Weekend string
	// KnownUntil is the last date (YYYY-MM-DD) the region's holidays and
	// make-up workdays are known for; "" means not stated.
	KnownUntil string
}

// CalendarDayKind says what a listed calendar day is.
type CalendarDayKind string

// Kinds of calendar days.
const (
	DayHoliday  CalendarDayKind = "holiday"  // a non-working day that would otherwise work
	DayWorkday  CalendarDayKind = "workday"  // a make-up working day on a weekend
	DayLockDown CalendarDayKind = "lockdown" // IDC lock-down: no visit is booked
)

// CalendarDay is one exception to a region's weekly rhythm (holiday or
// make-up workday) or, with an access point, an IDC lock-down day.
type CalendarDay struct {
	RegionID      string `gorm:"primaryKey"`
	Date          string `gorm:"primaryKey"` // YYYY-MM-DD, local to the region
	AccessPointID string `gorm:"primaryKey"` // "" for the region's own days
	Kind          CalendarDayKind
	Name          string // e.g. "National Day", "Double 11 lock-down"
}

// AccessPointStatus is whether an access point takes new applications.
type AccessPointStatus string

// Access point statuses.
const (
	APRecommended AccessPointStatus = "recommended"
	APHot         AccessPointStatus = "hot"
	APFull        AccessPointStatus = "full"
	APDisabled    AccessPointStatus = "disabled"
)

// Open reports whether the access point takes new applications.
func (s AccessPointStatus) Open() bool { return s == APRecommended || s == APHot }

// AccessPoint is a cloud IDC where leased lines are connected.
type AccessPoint struct {
	ID         string `gorm:"primaryKey"` // e.g. "ap-cn-hangzhou-yh-b"
	RegionID   string `gorm:"index"`
	Name       string // e.g. "Hangzhou-Yuhang-B"
	Location   string // city and district, shown to customers
	IDCName    string `gorm:"column:idc_name"`
	IDCAddress string `gorm:"column:idc_address"`
	// The same in Simplified Chinese; "" when the catalog gives none (the
	// English is shown instead).
	NameZh       string `gorm:"column:name_zh"`
	LocationZh   string `gorm:"column:location_zh"`
	IDCNameZh    string `gorm:"column:idc_name_zh"`
	IDCAddressZh string `gorm:"column:idc_address_zh"`
	Status       AccessPointStatus
	// DailyVisitCapacity is how many provider visits the IDC receives a day.
	DailyVisitCapacity int
	// VisitWindow is the time of day visits are booked, e.g. "09:30-12:00".
	VisitWindow string
	// LowWater is the free ports of a type at or below which staff are
	// alerted (DefaultLowWater unless the catalog says).
	LowWater int
	// NoFreePort, set when read for users (not stored), says that the
	// access point is shown full because no port of any type it offers is
	// free: Status is then APFull, whatever the catalog says.
	NoFreePort bool `gorm:"-"`
	// Providers is the list of allowed service provider IDs.
	Providers []AccessPointProvider `gorm:"foreignKey:AccessPointID"`
	PortTypes []PortOffer           `gorm:"foreignKey:AccessPointID"`
}

// AccessPointProvider allows one service provider at an access point.
type AccessPointProvider struct {
	AccessPointID string `gorm:"primaryKey"`
	ProviderID    string `gorm:"primaryKey"`
}

// PortOffer is a port type offered at an access point, with the bandwidth it
// carries and its price.
type PortOffer struct {
	AccessPointID string   `gorm:"primaryKey"`
	PortType      PortType `gorm:"primaryKey"`
	MinMbps       int
	MaxMbps       int
	// PriceCents is the one-time connection fee, in cents of Currency.
	PriceCents int64
	Currency   string
	// MbpsPriceCents is what one Mbps more costs when a line's bandwidth is
	// changed (refunded for one Mbps less); 0: bandwidth changes are free.
	MbpsPriceCents int64
}

// PortState is whether a port is free.
type PortState string

// Port states.
const (
	PortFree      PortState = "free"
	PortAllocated PortState = "allocated"
	PortDown      PortState = "down" // out of service, never allocated
)

// Device is a physical access device at an access point.
type Device struct {
	ID            string `gorm:"primaryKey"` // e.g. "hz-yh-b-asw-01"
	AccessPointID string `gorm:"index"`
	Name          string
}

// Port is one port of a physical access device.
type Port struct {
	ID            int64  `gorm:"primaryKey"`
	DeviceID      string `gorm:"uniqueIndex:port_device_name"`
	Name          string `gorm:"uniqueIndex:port_device_name"` // e.g. "TenGigE1/0/3"
	AccessPointID string `gorm:"index"`
	PortType      PortType
	State         PortState
	// ConnectionID is the connection the port is allocated to.
	ConnectionID *int64
}

// ProviderKind is the kind of a service provider, as the cloud lists them.
type ProviderKind string

// Provider kinds.
const (
	ProviderCT      ProviderKind = "CT"      // China Telecom
	ProviderCU      ProviderKind = "CU"      // China Unicom
	ProviderCM      ProviderKind = "CM"      // China Mobile
	ProviderCO      ProviderKind = "CO"      // other Chinese carriers
	ProviderEquinix ProviderKind = "Equinix" // Equinix
	ProviderOther   ProviderKind = "Other"   // any other provider
)

// ProviderKinds lists every provider kind.
var ProviderKinds = []ProviderKind{ProviderCT, ProviderCU, ProviderCM, ProviderCO, ProviderEquinix, ProviderOther}

// Provider is a service provider (carrier) and where it is reached in Slack.
type Provider struct {
	ID   string `gorm:"primaryKey"` // e.g. "ct-zj"
	Kind ProviderKind
	Name string // e.g. "China Telecom Zhejiang"
	// NameZh is the name in Simplified Chinese, e.g. "中国电信浙江分公司";
	// "" when the catalog gives none (Name is shown instead).
	NameZh string `gorm:"column:name_zh"`
	// SlackChannel is the (usually Slack Connect) channel shared with it.
	SlackChannel string
	Contacts     string
	// Language is the default language of messages in its channel ("en",
	// "zh-CN"; "" English) until staff set the channel's own.
	Language string
}

// ReceptionPerson is on an IDC's reception rota.
type ReceptionPerson struct {
	ID            int64  `gorm:"primaryKey"`
	AccessPointID string `gorm:"index"`
	Name          string
	Phone         string
	SlackUserID   string
	// Weekdays the person is on duty, e.g. "Mon,Wed,Fri"; "" means every day.
	Weekdays string
}

// Account is a customer account (a tenant). Its users and linked channels see
// its connections; nobody else does.
type Account struct {
	ID          int64  `gorm:"primaryKey"`
	Name        string `gorm:"uniqueIndex"`
	SlackTeamID string // the customer's own workspace, when it has one
	Currency    string
	CreatedAt   time.Time
}

// AccountChannel links a Slack channel to a customer account; the bot keeps
// a panel message there.
type AccountChannel struct {
	ChannelID string `gorm:"primaryKey"`
	AccountID int64  `gorm:"index"`
	PanelTS   string
	LinkedBy  string
	LinkedAt  time.Time
}

// AccountUser makes a Slack user a user of a customer account.
type AccountUser struct {
	SlackUserID string `gorm:"primaryKey"`
	AccountID   int64  `gorm:"index"`
}

// LedgerEntry is one movement of a customer's prepaid balance: positive is a
// credit (top-up, refund), negative a debit (payment).
type LedgerEntry struct {
	ID           int64 `gorm:"primaryKey"`
	AccountID    int64 `gorm:"index"`
	AmountCents  int64
	Currency     string
	Reason       string
	ConnectionID *int64
	Actor        string
	CreatedAt    time.Time
}

// Connection is a physical connection interface: the application, and then
// the leased line it becomes.
type Connection struct {
	ID        int64 `gorm:"primaryKey"`
	AccountID int64 `gorm:"index"`

	// The apply form.
	Name          string
	AccessPointID string `gorm:"index"`
	ProviderID    string `gorm:"index"`
	PortType      PortType
	BandwidthMbps int
	Location      string
	RedundantID   *int64

	Status Status `gorm:"index"`
	Step   Step

	// Allocated on payment.
	PhysicalConnectionID *string `gorm:"uniqueIndex"`
	DeviceID             string
	PortID               *int64
	PortName             string
	AmountCents          int64
	Currency             string

	// Given by the provider on completion.
	LineCode  string
	LineLabel string

	// Where the customer applied (channel or DM), to tell them what happens.
	AppliedBy      string
	AppliedChannel string
	// The review message in the staff channel, updated in place.
	ReviewChannel string
	ReviewTS      string

	Reason string // of the last rejection or cancellation
	// RequestedMbps is the bandwidth a Change Bandwidth asks for, awaiting
	// staff's review (0: none).
	RequestedMbps int
	// EndedFrom is, for a Rejected or Canceled connection, the status it
	// had when it ended (read from the audit trail, not stored).
	EndedFrom Status `gorm:"-"`
	// Names of the catalog entries, and the region's time zone, filled by
	// reads (not stored): people see names, not catalog IDs.
	AccessPointName, ProviderName, RegionName, TimeZone string `gorm:"-"`
	// The same names in Simplified Chinese ("" when the catalog gives none).
	AccessPointNameZh, ProviderNameZh, RegionNameZh string `gorm:"-"`
	Version                                         int
	CreatedAt                                       time.Time
	UpdatedAt                                       time.Time
}

// DisplayID is how users refer to a connection: its physical connection ID
// once allocated, else its application number.
func (c *Connection) DisplayID() string {
	if c.PhysicalConnectionID != nil {
		return *c.PhysicalConnectionID
	}
	return ApplicationRef(c.ID)
}

// WaitingOn says who must act next on c and what they must do.
func (c *Connection) WaitingOn() (Party, string) { return WaitingOn(c.Status, c.Step) }

// NextTodo says who must act next on c and what they must do, as a code.
func (c *Connection) NextTodo() (Party, Todo) { return NextTodo(c.Status, c.Step) }

// IDDocumentType is the kind of identity document an engineer brings.
type IDDocumentType string

// ID document types.
const (
	IDCard   IDDocumentType = "ID card"
	Passport IDDocumentType = "passport"
	IDOther  IDDocumentType = "other"
)

// LineType is the kind of line the provider builds.
type LineType string

// Line types.
const (
	LineMSTP  LineType = "MSTP"
	LineMPLS  LineType = "MPLS VPN"
	LineFibre LineType = "fibre"
	LineOther LineType = "other"
)

// MaxEngineers is the most engineers a survey may list.
const MaxEngineers = 16

// Survey is the provider's resource survey: the entry list for the IDC.
type Survey struct {
	ID                  int64 `gorm:"primaryKey"`
	ConnectionID        int64 `gorm:"uniqueIndex"`
	ConstructionCompany string
	LineType            LineType
	PlannedArrival      time.Time
	SubmittedBy         string
	CreatedAt           time.Time
	Engineers           []Engineer `gorm:"foreignKey:SurveyID"`
}

// Engineer is one person the provider sends to the IDC.
type Engineer struct {
	ID       int64 `gorm:"primaryKey"`
	SurveyID int64 `gorm:"index"`
	Name     string
	Phone    string
	IDType   IDDocumentType
	// IDNumber is the document number; shown only masked.
	IDNumber string
}

// TicketKind is the kind of a ticket.
type TicketKind string

// Ticket kinds.
const (
	TicketEnquiry      TicketKind = "access point enquiry"
	TicketConstruction TicketKind = "construction"
	// TicketRemoval asks for the IDC visit that removes a terminated line.
	TicketRemoval TicketKind = "removal"
)

// TicketState is where a ticket stands.
type TicketState string

// Ticket states.
const (
	TicketOpen     TicketState = "open"
	TicketAnswered TicketState = "answered"
	TicketBooked   TicketState = "booked" // construction ticket with a visit
	TicketClosed   TicketState = "closed"
)

// Ticket is an access-point enquiry or a construction ticket.
type Ticket struct {
	ID            int64 `gorm:"primaryKey"`
	Kind          TicketKind
	AccountID     int64 `gorm:"index"`
	ConnectionID  *int64
	AccessPointID string
	Text          string
	State         TicketState `gorm:"index"`
	SubmittedBy   string
	// Channel where the submitter should hear back.
	ReplyChannel string
	Answer       string
	AnsweredBy   string
	// The staff-channel message of the ticket, answered in its thread.
	StaffChannel string
	StaffTS      string
	// PlannedDate (removal tickets) is the local date, YYYY-MM-DD, the
	// removal visit is not booked before; "" when none was given.
	PlannedDate string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// VisitState is where an IDC visit stands.
type VisitState string

// Visit states.
const (
	VisitScheduled VisitState = "scheduled"
	VisitCanceled  VisitState = "canceled"
	VisitDone      VisitState = "done"
	// VisitNoShow: nobody was checked in by an hour after the window
	// ended (visit-no-shows); Reschedule Visit books it again.
	VisitNoShow VisitState = "no show"
)

// Visit is a booked IDC visit for a construction ticket.
type Visit struct {
	ID                int64  `gorm:"primaryKey"`
	TicketID          int64  `gorm:"uniqueIndex"`
	ConnectionID      int64  `gorm:"index"`
	AccessPointID     string `gorm:"index:visit_ap_date"`
	Date              string `gorm:"index:visit_ap_date"` // YYYY-MM-DD local to the region
	Window            string `gorm:"column:time_window"`  // e.g. "09:30-12:00"
	ReceptionPersonID int64
	State             VisitState
	CheckinCode       string     // the entry letter's verification code (check-in); set at booking
	ArrivedAt         *time.Time // when the visitors were checked in (nil: not yet)
	ArrivedBy         string     // Slack user ID of who checked them in
	NoShowAt          *time.Time // when visit-no-shows marked it No Show (nil: never)
	RemindedAt        *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// AuditEvent is one entry of the append-only audit trail: who did what,
// when, from which status to which, and why.
type AuditEvent struct {
	ID           int64  `gorm:"primaryKey"`
	ConnectionID *int64 `gorm:"index"`
	AccountID    *int64
	Actor        string // Slack user ID, or "system"
	Role         Role
	Action       Action
	FromStatus   Status
	ToStatus     Status
	Step         Step
	Detail       string
	At           time.Time
}

// NoticeState is where a notice's delivery stands.
type NoticeState string

// Notice states.
const (
	NoticePending NoticeState = "pending"
	NoticeSent    NoticeState = "sent"
	NoticeFailed  NoticeState = "failed"
)

// NoticeKind names what a notice tells; the handler that owns the view
// renders it.
type NoticeKind string

// Notice is a message to deliver to Slack, written in the same transaction as
// the change that causes it and delivered after commit.
type Notice struct {
	ID int64 `gorm:"primaryKey"`
	// Key makes the notice unique: the same change never writes it twice.
	Key          string `gorm:"uniqueIndex"`
	Kind         NoticeKind
	Channel      string // Slack channel or user ID
	ThreadTS     string
	ConnectionID *int64 `gorm:"index"`
	// Data is the JSON the renderer needs beyond the connection.
	Data          string
	State         NoticeState `gorm:"index"`
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentTS        string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// Actor is who does something: a Slack user in a role, with the account or
// provider they act for, or the system (jobs).
type Actor struct {
	UserID     string // Slack user ID, or "system"
	Role       Role
	AccountID  int64  // customers: their account (the one they apply for)
	ProviderID string // providers: the provider they act for
	// AccountIDs are, for a customer outside a linked channel (DM, App
	// Home), every account they belong to, AccountID first; nil means
	// AccountID alone.
	AccountIDs []int64
}

// SystemActor is the actor of the scheduler's jobs.
func SystemActor() Actor { return Actor{UserID: "system", Role: RoleSystem} }
