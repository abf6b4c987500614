// Package models is leaseline's domain: the entities of the leased-line
// procedure, the lifecycle (statuses, actions and the transition table), the
// validation rules of the apply form, the workday calendar and the catalog
// types. It imports only the standard library; persistence lives in
// models/store and Slack in bot/ and handlers/.
package models
