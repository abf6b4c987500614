package models

// VisitQuery chooses the booked visits staff list (`/leaseline visits`):
// those on Date when given, else from From on; at AccessPointID when
// given; at most Limit (<= 0: 100).
type VisitQuery struct {
	Date          string
	From          string
	AccessPointID string
	Limit         int
}

// VisitListing is one booked visit as staff list it.
type VisitListing struct {
	VisitID              int64
	Date                 string
	Window               string
	AccessPointID        string
	AccessPointName      string
	IDCName              string `gorm:"column:idc_name"`
	ConnectionID         int64
	PhysicalConnectionID *string
	ProviderName         string
	ReceptionName        string
	Visitors             int
	// The names in Simplified Chinese ("" when the catalog gives none).
	AccessPointNameZh string
	IDCNameZh         string `gorm:"column:idc_name_zh"`
	ProviderNameZh    string
}
