package models

// Detail is everything shown about one connection: the connection, where
// it goes, who builds it, the survey, ticket and visit, and its audit trail.
type Detail struct {
	Connection  Connection
	AccessPoint AccessPoint
	Region      Region
	Provider    Provider
	Survey      *Survey
	Ticket      *Ticket
	Visit       *Visit
	Reception   *ReceptionPerson
	Audit       []AuditEvent
}
