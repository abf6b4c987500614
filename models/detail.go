package models

// Detail is everything shown about one connection: the connection, its
// account, where it goes, who builds it, the survey, ticket and visit, and
// its audit trail.
type Detail struct {
	Connection  Connection
	Account     Account
	AccessPoint AccessPoint
	Region      Region
	Provider    Provider
	Survey      *Survey
	Ticket      *Ticket
	Visit       *Visit
	Reception   *ReceptionPerson
	Audit       []AuditEvent
}
