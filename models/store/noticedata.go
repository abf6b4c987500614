package store

import "github.com/leaseline/leaseline/models"

// The visit notices' data types live in models (the handlers read them
// back); the store's visit code names them as before.
type (
	// VisitNoticeData is models.VisitNoticeData.
	VisitNoticeData = models.VisitNoticeData
	// Visitor is models.Visitor.
	Visitor = models.Visitor
)
